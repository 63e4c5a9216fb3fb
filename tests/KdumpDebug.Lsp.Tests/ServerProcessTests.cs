using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace KdumpDebug.Lsp.Tests;

/// <summary>
/// The built <c>kdumpdebug lsp</c> as the extension starts it: LSP over standard input/output.
/// Standard output must hold nothing but framed protocol messages.
/// </summary>
public class ServerProcessTests
{
    static string Executable()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var path = Path.Combine(Path.GetDirectoryName(Samples.Root)!, "server", "KdumpDebug.Server", "bin", testBin.Parent!.Name, testBin.Name, "kdumpdebug");
        return File.Exists(path) ? path : throw new FileNotFoundException("kdumpdebug is not built", path);
    }

    static byte[] Frame(object message)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(message);
        return [.. Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n"), .. body];
    }

    /// <summary>Splits standard output into its framed messages; fails on anything else.</summary>
    static List<JsonElement> Messages(byte[] output)
    {
        var messages = new List<JsonElement>();
        var at = 0;
        while (at < output.Length)
        {
            var end = output.AsSpan(at).IndexOf("\r\n\r\n"u8);
            Assert.True(end > 0, "standard output holds bytes that are not an LSP message: " + Encoding.UTF8.GetString(output, at, output.Length - at));
            var header = Encoding.ASCII.GetString(output, at, end);
            Assert.StartsWith("Content-Length: ", header);
            var length = int.Parse(header["Content-Length: ".Length..].Split("\r\n")[0]);
            messages.Add(JsonDocument.Parse(output.AsMemory(at + end + 4, length)).RootElement.Clone());
            at += end + 4 + length;
        }
        return messages;
    }

    static (int ExitCode, List<JsonElement> Messages, string StandardError) Run(params object[] messages)
    {
        var info = new ProcessStartInfo(Executable(), "lsp")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info)!;
        var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = process.StandardError.ReadToEndAsync();
        foreach (var m in messages) process.StandardInput.BaseStream.Write(Frame(m));
        process.StandardInput.BaseStream.Flush();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("kdumpdebug lsp did not exit within 60 s");
        }
        copy.Wait(10_000);
        return (process.ExitCode, Messages(stdout.ToArray()), stderr.Result);
    }

    [Fact]
    public void InitializeShutdownExitOverStandardInputOutput()
    {
        var uri = Samples.Uri("errors.kdump.conf");
        var (code, messages, stderr) = Run(
            new { jsonrpc = "2.0", id = 1, method = "initialize", @params = new { processId = Environment.ProcessId, rootUri = (string?)null, capabilities = new { } } },
            new { jsonrpc = "2.0", method = "initialized", @params = new { } },
            new { jsonrpc = "2.0", method = "textDocument/didOpen", @params = new { textDocument = new { uri, languageId = "kdump-conf", version = 1, text = Samples.Text("errors.kdump.conf") } } },
            new { jsonrpc = "2.0", id = 2, method = "textDocument/hover", @params = new { textDocument = new { uri }, position = new { line = 6, character = 1 } } },
            new { jsonrpc = "2.0", id = 3, method = "shutdown" },
            new { jsonrpc = "2.0", method = "exit" });
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        var initialize = messages.Single(m => m.TryGetProperty("id", out var id) && id.GetInt32() == 1);
        Assert.Equal("kdumpdebug", initialize.GetProperty("result").GetProperty("serverInfo").GetProperty("name").GetString());
        Assert.True(initialize.GetProperty("result").GetProperty("capabilities").GetProperty("hoverProvider").GetBoolean());
        var diagnostics = messages.Single(m => m.TryGetProperty("method", out var method) && method.GetString() == "textDocument/publishDiagnostics");
        Assert.Equal(8, diagnostics.GetProperty("params").GetProperty("diagnostics").GetArrayLength());
        var hover = messages.Single(m => m.TryGetProperty("id", out var id) && id.GetInt32() == 2);
        Assert.StartsWith("`path <path>`", hover.GetProperty("result").GetProperty("contents").GetProperty("value").GetString());
        Assert.Contains(messages, m => m.TryGetProperty("id", out var id) && id.GetInt32() == 3 && m.GetProperty("result").ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public void ExitWithoutShutdownEndsWithCodeOne()
    {
        var (code, messages, _) = Run(
            new { jsonrpc = "2.0", id = 1, method = "initialize", @params = new { processId = (int?)null, rootUri = (string?)null, capabilities = new { } } },
            new { jsonrpc = "2.0", method = "exit" });
        Assert.Equal(1, code); // LSP: exit code 1 when exit comes without shutdown
        Assert.Single(messages);
    }
}
