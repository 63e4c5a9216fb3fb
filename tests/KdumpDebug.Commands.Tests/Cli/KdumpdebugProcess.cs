using System.Diagnostics;

namespace KdumpDebug.Commands.Tests.Cli;

/// <summary>What one run of the executable did.</summary>
sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>
/// Runs the built <c>kdumpdebug</c> executable (server/KdumpDebug.Server/bin/CONFIG/net10.0, the
/// configuration this test assembly was built in) as a child process, with optional standard
/// input, and a time limit so a hung process fails the test instead of the run. The vmlinux
/// cache is the tests' own (KDUMPDEBUG_CACHE).
/// </summary>
static class KdumpdebugProcess
{
    public static string ExecutablePath { get; } = Find();

    static string Find()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testBin.Name;                 // net10.0
        var configuration = testBin.Parent!.Name;     // Debug or Release
        var path = Path.Combine(RepoPaths.Root, "server", "KdumpDebug.Server", "bin", configuration, framework, "kdumpdebug");
        return File.Exists(path) ? path : throw new FileNotFoundException("kdumpdebug is not built", path);
    }

    public static ProcessResult Run(IEnumerable<string> arguments, string? standardInput = null, int timeoutSeconds = 300)
    {
        var info = new ProcessStartInfo(ExecutablePath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        // Share the unpacked vmlinux with the in-process tests (FixtureDumps) instead of a second copy in ~/.cache.
        info.Environment["KDUMPDEBUG_CACHE"] = RealDump.FixtureDumps.VmlinuxCache;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (standardInput is not null) process.StandardInput.Write(standardInput);
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kdumpdebug {string.Join(' ', arguments)} did not finish in {timeoutSeconds} s");
        }
        return new ProcessResult(process.ExitCode, stdout.Result, stderr.Result);
    }
}
