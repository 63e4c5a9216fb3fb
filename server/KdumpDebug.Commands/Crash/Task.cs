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
        if (!context.Session.Table.TryFind("struct", out var structCommand)) throw new CommandException("the struct command is not available");
        if (parsed.Operands.Count == 0)
        {
            Show(context, structCommand, context.CurrentTask(), members);
            return;
        }
        foreach (var operand in parsed.Operands)
        {
            Kernel.KernelTask task;
            try
            {
                task = context.ResolveTask(operand, "task");
            }
            catch (CommandException e)
            {
                // crash (task.c cmd_task): the error, then the blank line that ends every item.
                context.Out.Write($"task: {e.Message}\n\n");
                continue;
            }
            Show(context, structCommand, task, members);
        }
    }

    /// <summary>
    /// crash's do_task: the header, the task_struct (or the -R members), with the whole struct also
    /// the task's <c>struct thread_info</c> (inside the task_struct since CONFIG_THREAD_INFO_IN_TASK,
    /// where crash's THREAD_INFO is the task address), and a blank line.
    /// </summary>
    static void Show(CommandContext context, ICommand structCommand, Kernel.KernelTask task, string members)
    {
        context.Out.Write(KernelContext.TaskHeader(task) + "\n");
        var address = task.Address.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        var type = members.Length > 0 ? $"task_struct.{members}" : "task_struct";
        structCommand.Execute(new CommandContext(context.Session, "struct", [type, address], context.Out));
        if (members.Length == 0 && context.Target is Target.KernelTarget kernel && kernel.TypeLayouts.TryGetStructSize("thread_info", out _))
        {
            context.Out.Write("\n");
            structCommand.Execute(new CommandContext(context.Session, "struct", ["thread_info", address], context.Out));
        }
        context.Out.Write("\n");
    }
}
