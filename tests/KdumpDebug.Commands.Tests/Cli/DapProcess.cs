using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace KdumpDebug.Commands.Tests.Cli;

/// <summary>
/// The built <c>kdumpdebug</c> running as a DAP server, driven through its standard input and
/// output with Content-Length frames (the DAP base protocol). Every read has a time limit so a
/// hung server fails the test; disposing kills a process that is still running.
/// </summary>
sealed class DapProcess : IAsyncDisposable
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    readonly Process _process;
    readonly Stream _stdout;
    readonly Task<string> _stderr;
    readonly List<JsonElement> _pending = [];
    int _seq;

    DapProcess(Process process)
    {
        _process = process;
        _stdout = process.StandardOutput.BaseStream;
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public static DapProcess Start(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(KdumpdebugProcess.ExecutablePath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        info.Environment["KDUMPDEBUG_CACHE"] = RealDump.FixtureDumps.VmlinuxCache;
        return new DapProcess(Process.Start(info)!);
    }

    /// <summary>Sends a request and returns its response (events read meanwhile are kept).</summary>
    public async Task<JsonElement> RequestAsync(string command, string argumentsJson)
    {
        var seq = ++_seq;
        var json = $$"""{"seq":{{seq}},"type":"request","command":"{{command}}","arguments":{{argumentsJson}}}""";
        var bytes = Encoding.UTF8.GetBytes($"Content-Length: {Encoding.UTF8.GetByteCount(json)}\r\n\r\n{json}");
        var stdin = _process.StandardInput.BaseStream;
        await stdin.WriteAsync(bytes);
        await stdin.FlushAsync();
        return await WaitForAsync(m => m.GetProperty("type").GetString() == "response" && m.GetProperty("request_seq").GetInt32() == seq);
    }

    public Task<JsonElement> EventAsync(string name) =>
        WaitForAsync(m => m.GetProperty("type").GetString() == "event" && m.GetProperty("event").GetString() == name);

    async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> match)
    {
        var index = _pending.FindIndex(m => match(m));
        if (index >= 0)
        {
            var found = _pending[index];
            _pending.RemoveAt(index);
            return found;
        }
        while (true)
        {
            var message = await ReadMessageAsync().WaitAsync(Timeout);
            if (match(message)) return message;
            _pending.Add(message);
        }
    }

    async Task<JsonElement> ReadMessageAsync()
    {
        var length = -1;
        while (true)
        {
            var line = await ReadHeaderLineAsync();
            if (line.Length == 0) break;
            if (line.StartsWith("Content-Length: ", StringComparison.Ordinal)) length = int.Parse(line["Content-Length: ".Length..]);
        }
        if (length < 0) throw new InvalidDataException("DAP header without Content-Length");
        var body = new byte[length];
        await _stdout.ReadExactlyAsync(body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    async Task<string> ReadHeaderLineAsync()
    {
        var sb = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            if (await _stdout.ReadAsync(one) == 0) throw new EndOfStreamException($"kdumpdebug closed its output; stderr: {await _stderr}");
            if (one[0] == '\n') return sb.ToString().TrimEnd('\r');
            sb.Append((char)one[0]);
        }
    }

    /// <summary>Closes standard input and waits for the exit code and standard error.</summary>
    public async Task<(int ExitCode, string StandardError)> WaitForExitAsync()
    {
        _process.StandardInput.Close();
        await _process.WaitForExitAsync().WaitAsync(Timeout);
        return (_process.ExitCode, await _stderr);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
