namespace KdumpDebug.Commands.Crash;

/// <summary>crash's <c>q</c> (alias <c>quit</c>): ends the session.</summary>
public sealed class QuitCommand : ICommand
{
    public CommandHelp Help { get; } = new(
        Name: "q",
        Aliases: ["quit"],
        Summary: "exit this session",
        Synopsis: "q",
        Description: """
            Ends the session.  This command is equivalent to the "exit" command.
            """,
        Examples: "");

    public void Execute(CommandContext context) => context.Session.RequestExit();
}

/// <summary>crash's <c>exit</c>: ends the session.</summary>
public sealed class ExitCommand : ICommand
{
    public CommandHelp Help { get; } = new(
        Name: "exit",
        Aliases: [],
        Summary: "exit this session",
        Synopsis: "exit",
        Description: """
            Ends the session.  This command is equivalent to the "q" command.
            """,
        Examples: "");

    public void Execute(CommandContext context) => context.Session.RequestExit();
}
