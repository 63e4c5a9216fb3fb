using KdumpDebug.Commands.Parsing;
using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Commands;

/// <summary>
/// A console session on one opened target: the command table, the history of lines entered, and
/// the dispatch of a line to its command with crash's error reporting (<c>name: message</c>, and
/// the session continues). Front ends (REPL, batch, DAP evaluate) own one session per target.
/// Not thread-safe: run one line at a time.
/// </summary>
public sealed class CommandSession
{
    readonly List<string> _history = new();
    KernelSymbolBounds? _bounds;

    public CommandSession(IKernelTarget target, CommandTable? table = null)
    {
        Target = target;
        Table = table ?? CommandTable.CreateDefault();
    }

    public IKernelTarget Target { get; }

    public CommandTable Table { get; }

    /// <summary>The task crash's <c>set</c> chose (its address); null means the panic task, the default context.</summary>
    public ulong? ContextTask { get; set; }

    /// <summary>Every non-empty line entered so far, oldest first (crash's <c>h</c> lists them).</summary>
    public IReadOnlyList<string> History => _history;

    /// <summary>Set by q / exit; the front end ends the session when it sees <see cref="CommandOutcome.Exit"/>.</summary>
    public bool ExitRequested { get; private set; }

    internal void RequestExit() => ExitRequested = true;

    /// <summary>Values printed by <c>p</c>, numbered <c>$1</c>, <c>$2</c>... (gdb's value history, as crash keeps it per session).</summary>
    public ValueHistory Values { get; } = new();

    /// <summary>Range checks for "is this value a kernel symbol address" (crash's in_ksymbol_range), computed once.</summary>
    internal KernelSymbolBounds SymbolBounds => _bounds ??= new KernelSymbolBounds(Target);

    /// <summary>
    /// Runs one command line, writing its output (and any error, crash style) to <paramref name="output"/>.
    /// Blank lines and <c>#</c> comments do nothing. Never throws for a user error.
    /// </summary>
    public CommandOutcome Execute(string line, TextWriter output)
    {
        var trimmed = line.Trim();
        if (trimmed.Length == 0 || trimmed[0] == '#') return CommandOutcome.Empty;

        string command;
        OutputRedirection? redirection;
        try
        {
            OutputRedirectionParser.TrySplit(trimmed, out command, out redirection);
        }
        catch (CommandException e)
        {
            output.Write($"crash: {e.Message}\n");
            return CommandOutcome.Failed;
        }
        var outcome = redirection is null ? Dispatch(command, output) : DispatchRedirected(command, redirection, output);
        _history.Add(trimmed);
        return outcome;
    }

    /// <summary>
    /// Runs <paramref name="command"/> with its output captured, then hands it to a shell command
    /// (<c>/bin/sh -c</c>, whose output and errors come back to <paramref name="output"/>) or
    /// writes it to a file, as crash does.
    /// </summary>
    CommandOutcome DispatchRedirected(string command, OutputRedirection redirection, TextWriter output)
    {
        using var captured = new StringWriter { NewLine = "\n" };
        var outcome = Dispatch(command, captured);
        try
        {
            switch (redirection.Kind)
            {
                case OutputRedirectionKind.Pipe:
                    ShellPipe.Run(redirection.Target, captured.ToString(), output);
                    break;
                case OutputRedirectionKind.Overwrite:
                    File.WriteAllText(redirection.Target, captured.ToString());
                    break;
                case OutputRedirectionKind.Append:
                    File.AppendAllText(redirection.Target, captured.ToString());
                    break;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            output.Write($"crash: {redirection.Target}: {e.Message}\n");
            return CommandOutcome.Failed;
        }
        return outcome;
    }

    /// <summary>Runs one line and returns everything it printed (for tests and DAP evaluate).</summary>
    public string ExecuteAndCapture(string line)
    {
        using var writer = new StringWriter { NewLine = "\n" };
        Execute(line, writer);
        return writer.ToString();
    }

    CommandOutcome Dispatch(string line, TextWriter output)
    {
        IReadOnlyList<string> words;
        try
        {
            words = CommandLineTokenizer.Split(line);
        }
        catch (CommandException e)
        {
            output.Write($"crash: {e.Message}\n");
            return CommandOutcome.Failed;
        }
        if (words.Count == 0) return CommandOutcome.Empty;

        // gdb's print format suffix: "p/x EXPR" is "p" with "/x" as its first argument.
        var slash = words[0].IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && !Table.TryFind(words[0], out _) && Table.TryFind(words[0][..slash], out _))
            words = [words[0][..slash], words[0][slash..], .. words.Skip(1)];

        if (!Table.TryFind(words[0], out var command))
        {
            // crash's wording (cmdline.c), with the prompt's program name.
            output.Write($"crash: command not found: {words[0]}\n");
            return CommandOutcome.Failed;
        }

        var name = command.Help.Name;
        var context = new CommandContext(this, words[0], words.Skip(1).ToArray(), output);
        try
        {
            command.Execute(context);
        }
        catch (CommandException e)
        {
            if (e.Message.Length > 0) output.Write($"{name}: {e.Message}\n");
            if (e.ShowUsage) WriteUsage(command.Help, output);
            return CommandOutcome.Failed;
        }
        catch (KdumpDebugException e)
        {
            output.Write($"{name}: {e.Message}\n");
            return CommandOutcome.Failed;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug in a command must not end the session; say what it was in one line.
            output.Write($"{name}: internal error: {e.GetType().Name}: {e.Message}\n");
            return CommandOutcome.Failed;
        }
        return ExitRequested ? CommandOutcome.Exit : CommandOutcome.Succeeded;
    }

    /// <summary>crash's cmd_usage(SYNOPSIS): the synopsis and a pointer to the full help.</summary>
    internal static void WriteUsage(CommandHelp help, TextWriter output)
    {
        output.Write("Usage:\n");
        foreach (var line in help.Synopsis.Split('\n')) output.Write($"  {line}\n");
        output.Write($"Enter \"help {help.Name}\" for details.\n");
    }
}
