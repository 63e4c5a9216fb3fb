using KdumpDebug.Commands.Output;
using KdumpDebug.Commands.Parsing;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>foreach</c>, for the <c>bt</c> command: the stack of every task (idle tasks first,
/// then by PID), optionally only kernel threads (<c>kernel</c>), user tasks (<c>user</c>), or the
/// tasks named by PID, task address or command name. A task whose stack cannot be followed gets
/// its one-line reason and the next task follows.
/// </summary>
public sealed class ForeachCommand : ICommand
{
    public CommandHelp Help { get; } = new(
        Name: "foreach",
        Aliases: [],
        Summary: "display command data for multiple tasks in the system",
        Synopsis: "foreach [[pid | taskp | name | kernel | user] ...] bt [-f|-l]",
        Description: """
            Run a command on every task, or on the tasks selected by PID, task address,
            command name, "kernel" (kernel threads) or "user" (user tasks).
            Only the "bt" command is supported yet, with its -f and -l options.
            """,
        Examples: """
              crash> foreach bt
              PID: 0        TASK: ffffffff82812600  CPU: 0    COMMAND: "swapper/0"
               #0 [ffffffff82803e58] __schedule at ffffffff821a1723
               #1 [ffffffff82803ed8] schedule_idle at ffffffff821a1de5
               ...
            """);

    public void Execute(CommandContext context)
    {
        var words = context.Arguments;
        var commandAt = -1;
        for (var i = 0; i < words.Count; i++)
            if (words[i] == "bt") { commandAt = i; break; }
        if (commandAt < 0)
        {
            if (words.Count == 0) throw CommandException.Usage();
            throw new CommandException("only \"foreach ... bt\" is supported yet");
        }
        var kernel = context.Kernel();
        var tasks = kernel.Tasks.Tasks.AsEnumerable();
        var selectors = words.Take(commandAt).ToList();
        if (selectors.Count > 0)
        {
            var chosen = new List<Kernel.KernelTask>();
            foreach (var s in selectors)
            {
                if (s == "kernel") chosen.AddRange(kernel.Tasks.Tasks.Where(t => t.IsKernelThread));
                else if (s == "user") chosen.AddRange(kernel.Tasks.Tasks.Where(t => !t.IsKernelThread));
                else if (kernel.Tasks.Tasks.Where(t => t.Comm == s).ToList() is { Count: > 0 } named) chosen.AddRange(named);
                else chosen.Add(context.ResolveTask(s, "foreach"));
            }
            var set = chosen.Select(t => t.Address).ToHashSet();
            tasks = kernel.Tasks.Tasks.Where(t => set.Contains(t.Address));
        }
        var parsed = GetOpt.Parse(words.Skip(commandAt + 1).ToArray(), "fl");
        var options = new BacktraceWriter.Options(parsed.Options.Any(o => o.Name == 'f'), parsed.Options.Any(o => o.Name == 'l'));
        BtCommand.Write(context, kernel, tasks.ToList(), options);
    }
}
