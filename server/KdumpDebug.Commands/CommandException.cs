using KdumpDebug.Core.Errors;

namespace KdumpDebug.Commands;

/// <summary>
/// A command could not do what was asked (bad option, unknown symbol, invalid count...). The
/// session prints <c>name: Message</c> (crash's <c>error(FATAL, ...)</c> wording) and, when
/// <see cref="ShowUsage"/> is set, the command's synopsis as crash's <c>cmd_usage</c> does. An
/// empty message prints nothing (only the usage, if asked). The session continues with the next command.
/// </summary>
public sealed class CommandException : KdumpDebugException
{
    public CommandException(string message, bool showUsage = false) : base(message)
    {
        ShowUsage = showUsage;
    }

    public bool ShowUsage { get; }

    /// <summary>Only the usage block, for a missing required argument (crash prints no message then).</summary>
    public static CommandException Usage() => new("", showUsage: true);

    /// <summary>
    /// The command already printed why it stopped (crash's "symbol not found" block is output, not
    /// an error line); the session prints nothing more but counts the line as failed.
    /// </summary>
    public static CommandException AlreadyReported() => new("");
}
