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

    /// <summary>Reads one framed message from standard output (null at its end).</summary>
    static JsonElement? ReadMessage(Stream stdout, MemoryStream transcript)
    {
        var header = new List<byte>();
        while (header.Count < 4 || header[^4] != '\r' || header[^3] != '\n' || header[^2] != '\r' || header[^1] != '\n')
        {
            var b = stdout.ReadByte();
            if (b < 0) return null;
            header.Add((byte)b);
        }
        var length = int.Parse(Encoding.ASCII.GetString(header.ToArray()).Trim().Split(':')[1]);
        var body = new byte[length];
        stdout.ReadExactly(body);
        transcript.Write(header.ToArray());
        transcript.Write(body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>
    /// Runs <c>kdumpdebug lsp</c> and sends the messages as a client does: after a request, it
    /// waits for that request's answer (after a didOpen, for its diagnostics) before sending the
    /// next message. Returns the exit code,
    /// everything standard output held (parsed as framed messages) and standard error.
    /// </summary>
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
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.BaseStream;
        var transcript = new MemoryStream();
        var reading = Task.Run(() =>
        {
            foreach (var m in messages)
            {
                process.StandardInput.BaseStream.Write(Frame(m));
                process.StandardInput.BaseStream.Flush();
                var json = JsonSerializer.SerializeToElement(m);
                if (json.TryGetProperty("method", out var method) && method.GetString() == "textDocument/didOpen")
                {
                    // Like an editor showing problems: the diagnostics of the opened document arrive.
                    while (ReadMessage(stdout, transcript) is { } sent)
                        if (sent.TryGetProperty("method", out var name) && name.GetString() == "textDocument/publishDiagnostics") break;
                }
                if (!json.TryGetProperty("id", out var id)) continue;
                while (ReadMessage(stdout, transcript) is { } answer)
                    if (answer.TryGetProperty("id", out var got) && got.GetInt32() == id.GetInt32()) break;
            }
            // The rest of standard output, up to the end.
            while (ReadMessage(stdout, transcript) is not null) { }
        });
        if (!reading.Wait(60_000) || !process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("kdumpdebug lsp did not answer or exit within 60 s");
        }
        return (process.ExitCode, Messages(transcript.ToArray()), stderr.Result);
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
