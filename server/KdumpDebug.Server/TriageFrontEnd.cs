using KdumpDebug.Commands.Triage;

namespace KdumpDebug.Server;

/// <summary>What <c>kdumpdebug triage</c> was asked to do, after the command line was parsed.</summary>
sealed record TriageOptions(
    IReadOnlyList<string> Files,
    bool Json,
    IReadOnlyList<string> ModuleDirectories,
    IReadOnlyList<string> DebugInfoDirectories);

/// <summary>
/// <c>kdumpdebug triage [VMLINUX] VMCORE [--json]</c>: opens the dump as the console does
/// (<see cref="TargetArguments"/>), gathers the panic summary (<see cref="TriageCollector"/>) and
/// prints it as text or one JSON object. Parts of the dump that cannot be read are listed under
/// problems and the exit code stays 0; unusable input is the usual one-line error and exit 2.
/// </summary>
static class TriageFrontEnd
{
    public static int Run(TriageOptions options)
    {
        var (opened, vmlinux, vmcore) = TargetArguments.Open(options.Files, options.ModuleDirectories, options.DebugInfoDirectories);
        using var target = opened;
        var report = TriageCollector.Collect(target, vmlinux, vmcore);
        using var stdout = Console.OpenStandardOutput();
        if (options.Json)
        {
            TriageJsonWriter.Write(stdout, report);
            stdout.Write("\n"u8);
            return ExitCodes.Success;
        }
        using var text = new StreamWriter(stdout, new System.Text.UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        TriageTextWriter.Write(text, report);
        return ExitCodes.Success;
    }
}
