using KdumpDebug.Commands.Parsing;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>task</c>: the task header and its <c>struct task_struct</c> (all members, or those
/// named with <c>-R</c>) for the context task or the tasks named by PID or address. The struct
/// display is the session's <c>struct</c> command, so it looks exactly like <c>struct</c>'s output.
/// </summary>
public sealed class TaskCommand : ICommand
{
    public CommandHelp Help { get; } = new(
        Name: "task",
        Aliases: [],
        Summary: "task_struct contents",
        Synopsis: "task [-R member[,member]] [pid | taskp] ...",
        Description: """
            Display the task_struct of the current context, or of the tasks given by PID
            or task_struct address.

              -R member  display only these task_struct members (comma-separated).
            """,
        Examples: """
              crash> task -R pid,comm 1
              PID: 1        TASK: ffffa0f7c01a0000  CPU: 0    COMMAND: "init"
                pid = 1,
                comm = "init\000\000\000\000\000\000\000\000\000\000\000",
            """)
    {
        Options = "R:",
    };

    public void Execute(CommandContext context)
    {
        var parsed = GetOpt.Parse(context.Arguments, Help.Options!);
        var members = string.Join(",", parsed.Options.Where(o => o.Name == 'R').Select(o => o.Argument));
        var tasks = parsed.Operands.Count == 0 ? [context.CurrentTask()] : parsed.Operands.Select(o => context.ResolveTask(o, "task")).ToList();
        if (!context.Session.Table.TryFind("struct", out var structCommand)) throw new CommandException("the struct command is not available");
        for (var i = 0; i < tasks.Count; i++)
        {
            if (i > 0) context.Out.Write("\n");
            context.Out.Write(KernelContext.TaskHeader(tasks[i]) + "\n");
            var type = members.Length > 0 ? $"task_struct.{members}" : "task_struct";
            structCommand.Execute(new CommandContext(context.Session, "struct", [type, tasks[i].Address.ToString("x")], context.Out));
        }
    }
}
