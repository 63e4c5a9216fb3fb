using KdumpDebug.Target;

namespace KdumpDebug.Commands;

/// <summary>
/// One run of one command: the session it runs in, the name it was invoked by, its arguments
/// (the words after the name, quotes removed) and where its output goes.
/// </summary>
public sealed class CommandContext
{
    public CommandContext(CommandSession session, string invokedAs, IReadOnlyList<string> arguments, TextWriter output)
    {
        Session = session;
        InvokedAs = invokedAs;
        Arguments = arguments;
        Out = output;
    }

    public CommandSession Session { get; }

    public IKernelTarget Target => Session.Target;

    /// <summary>The word the user typed (a name or an alias); error messages start with the command's name instead.</summary>
    public string InvokedAs { get; }

    public IReadOnlyList<string> Arguments { get; }

    /// <summary>Command output. Lines end with "\n" on every platform, as crash's do.</summary>
    public TextWriter Out { get; }
}
