using System.Reflection;
using KdumpDebug.Commands;
using KdumpDebug.Commands.Output;
using KdumpDebug.Target;

namespace KdumpDebug.Server;

/// <summary>What the console front end was asked to do, after the command line was parsed.</summary>
sealed record ConsoleOptions(
    IReadOnlyList<string> Files,
    IReadOnlyList<string> Commands,
    string? InputFile,
    bool Silent,
    IReadOnlyList<string> ModuleDirectories,
    IReadOnlyList<string> DebugInfoDirectories);

/// <summary>
/// The crash-style console front end: opens the target, prints the start-up banner (unless -s),
/// then runs the -i script and the -c commands and exits, or reads commands from a terminal with
/// the <c>crash&gt; </c> prompt, or from piped standard input (one per line, no prompt, as crash
/// does). Output goes to standard output in crash's order, errors included; q/exit stop early.
/// </summary>
static class ConsoleSession
{
    public const string Prompt = "crash> ";

    public static int Run(ConsoleOptions options)
    {
        // The files are checked before the script, as before: a missing vmcore is named first.
        DumpFileRoles.Assign(options.Files);
        if (options.InputFile is string script && !File.Exists(script))
            throw new UsageException($"{script}: no such file");

        var (opened, vmlinux, vmcore) = TargetArguments.Open(options.Files, options.ModuleDirectories, options.DebugInfoDirectories);
        using var target = opened;

        // A buffered writer, flushed after each command: sym -l prints tens of thousands of lines.
        using var output = new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false), 1 << 16)
        {
            NewLine = "\n",
            AutoFlush = false,
        };
        if (!options.Silent) WriteBanner(output, target, vmlinux, vmcore);
        output.Flush();

        var session = new CommandSession(target);
        if (options.InputFile is not null || options.Commands.Count > 0)
        {
            var lines = (options.InputFile is string path ? File.ReadLines(path) : [])
                .Concat(options.Commands);
            RunLines(session, lines, output);
            return ExitCodes.Success;
        }

        if (Console.IsInputRedirected)
        {
            RunLines(session, ReadAll(Console.In), output);
            return ExitCodes.Success;
        }

        Repl(session, output);
        return ExitCodes.Success;
    }

    static void RunLines(CommandSession session, IEnumerable<string> lines, TextWriter output)
    {
        foreach (var line in lines)
        {
            var outcome = session.Execute(line, output);
            output.Flush();
            if (outcome == CommandOutcome.Exit) break;
        }
    }

    static IEnumerable<string> ReadAll(TextReader input)
    {
        while (input.ReadLine() is string line) yield return line;
    }

    /// <summary>The interactive loop: prompt, read a line (Console.ReadLine's editing), run it; EOF or q ends it.</summary>
    static void Repl(CommandSession session, TextWriter output)
    {
        while (true)
        {
            output.Write(Prompt);
            output.Flush();
            var line = Console.ReadLine();
            if (line is null)
            {
                // Ctrl-D: end the prompt line, as crash does.
                output.Write("\n");
                output.Flush();
                return;
            }
            var outcome = session.Execute(line, output);
            output.Flush();
            if (outcome == CommandOutcome.Exit) return;
        }
    }

    /// <summary>
    /// crash's start-up banner without the copyright block: our name and version, then the system
    /// facts in sys layout, file names as given on the command line.
    /// </summary>
    static void WriteBanner(TextWriter output, KernelTarget target, string? vmlinuxArgument, string vmcoreArgument)
    {
        var summary = target.Summary;
        output.Write($"\nkdumpdebug {Version}\n\n");
        // Like crash's start-up: the kernel's own data (tasks, log, memory) fills UPTIME..PANIC.
        SystemBanner.Write(output, summary, vmlinuxArgument ?? summary.VmlinuxPath, vmcoreArgument, SystemFacts.Read(target));
        output.Write("\n");
    }

    public static string Version { get; } =
        typeof(ConsoleSession).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";
}
