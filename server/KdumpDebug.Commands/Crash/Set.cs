using KdumpDebug.Commands.Parsing;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>set</c> for the task context: with no argument shows the current context, with a PID
/// or task address makes that task the context of later commands (<c>bt</c>), <c>-p</c> goes back
/// to the panic task. crash's internal variables (<c>set scroll</c> ...) are not supported.
/// </summary>
public sealed class SetCommand : ICommand
{
    public CommandHelp Help { get; } = new(
        Name: "set",
        Aliases: [],
        Summary: "set a process context or internal crash variable",
        Synopsis: "set [pid | taskp | -p]",
        Description: """
            Set the current context to a task, given by PID or task_struct address, or
            show the current context when no argument is given.

                -p  set the context to the panic task.
            """,
        Examples: """
              crash> set 1
                  PID: 1
              COMMAND: "init"
                 TASK: ffffa0f7c01a0000  [THREAD_INFO: ffffa0f7c01a0000]
                  CPU: 0
                STATE: TASK_INTERRUPTIBLE
            """)
    {
        Options = "p",
    };

    public void Execute(CommandContext context)
    {
        var parsed = GetOpt.Parse(context.Arguments, Help.Options!);
        var kernel = context.Kernel();
        if (parsed.Options.Any(o => o.Name == 'p')) context.Session.ContextTask = null;
        else if (parsed.Operands.Count > 1) throw CommandException.Usage();
        else if (parsed.Operands.Count == 1)
        {
            var value = parsed.Operands[0];
            if (!char.IsDigit(value[0])) throw new CommandException($"internal variables are not supported yet: {value}");
            context.Session.ContextTask = context.ResolveTask(value, "set").Address;
        }
        var task = context.CurrentTask();
        KernelContext.WriteContext(context.Out, task, task.Address == kernel.Panic?.TaskAddress, 7);
    }
}
