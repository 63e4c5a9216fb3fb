namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>h</c> pseudo-command (cmdline.c dump_history): the lines entered so far, numbered
/// from 1 as "[N] line", oldest first; the <c>h</c> line itself is recorded after it runs.
/// </summary>
public sealed class HistoryCommand : ICommand
{
    public CommandHelp Help { get; } = new(
        Name: "h",
        Aliases: ["history"],
        Summary: "show the command history",
        Synopsis: "h",
        Description: """
            Lists the command lines entered in this session, oldest first, each
            with its number.
            """,
        Examples: """
              crash> h
              [1] sym sysrq_handle_crash
              [2] rd -a linux_banner
            """);

    public void Execute(CommandContext context)
    {
        var history = context.Session.History;
        if (history.Count == 0) throw new CommandException("no commands entered!");
        for (var i = 0; i < history.Count; i++) context.Out.Write($"[{i + 1}] {history[i]}\n");
    }
}
