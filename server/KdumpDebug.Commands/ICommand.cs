namespace KdumpDebug.Commands;

/// <summary>
/// A crash-style command: its help, and how it runs against a session. Implementations are
/// stateless (session state lives in <see cref="CommandSession"/>), write their output to
/// <see cref="CommandContext.Out"/>, and report a user error by throwing
/// <see cref="CommandException"/> (or letting a target read error such as FaultException escape):
/// the session prints it as <c>name: message</c> and goes on.
/// </summary>
/// <remarks>
/// To add a command: write a sealed class in Crash/NAME.cs with its <see cref="CommandHelp"/>
/// (summary, synopsis, description, an example of real output), parse arguments with crash's
/// getopt rules (<see cref="Parsing.GetOpt"/>), add it to <see cref="CommandTable.CreateDefault"/>,
/// and test it with MockTarget and, where a crash golden exists, against the real dump.
/// </remarks>
public interface ICommand
{
    CommandHelp Help { get; }

    void Execute(CommandContext context);
}
