using KdumpDebug.Commands.Parsing;
using KdumpDebug.Kernel;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>runq</c>: each CPU's run queue, its current task, and the tasks queued in the
/// real-time priority array and the CFS tree (task.c dump_on_rq_tasks layout), from
/// <see cref="RunQueue"/>. <c>-c CPU</c> restricts it to one CPU.
/// </summary>
public sealed class RunqCommand : ICommand
{
    public CommandHelp Help { get; } = new(
        Name: "runq",
        Aliases: [],
        Summary: "run queue",
        Synopsis: "runq [-c cpu]",
        Description: """
            Display the tasks on each CPU's run queue: the current task, then the tasks
            queued in the real-time priority array and in the CFS red-black tree, with
            their priorities.

              -c cpu  restrict the output to this CPU.
            """,
        Examples: """
              crash> runq
              CPU 0 RUNQUEUE: ffffa0f7cce1edc0
                CURRENT: PID: 68     TASK: ffffa0f7c0a9a880  COMMAND: "sh"
                RT PRIO_ARRAY: ffffa0f7cce1ef00
                   [no tasks queued]
                CFS RB_ROOT: ffffa0f7cce1ee30
                   [no tasks queued]
            """)
    {
        Options = "c:",
    };

    public void Execute(CommandContext context)
    {
        var parsed = GetOpt.Parse(context.Arguments, Help.Options!);
        var kernel = context.Kernel();
        var cpus = PerCpu.ForEachPossibleCpu(kernel.Target);
        if (parsed.Options.FirstOrDefault(o => o.Name == 'c') is { Argument: string only })
        {
            if (!int.TryParse(only, out var cpu) || !cpus.Contains(cpu)) throw new CommandException($"invalid cpu: {only}");
            cpus = [cpu];
        }
        var tasks = kernel.Tasks;
        string Line(ulong address)
        {
            var t = tasks.FindByAddress(address);
            return $"PID: {t?.Pid.ToString() ?? "?",-6} TASK: {address:x}  COMMAND: \"{t?.Comm ?? "?"}\"";
        }
        for (var i = 0; i < cpus.Count; i++)
        {
            if (i > 0) context.Out.Write("\n");
            var rq = RunQueue.Read(kernel.Target, cpus[i]);
            context.Out.Write($"CPU {rq.Cpu} RUNQUEUE: {rq.Address:x}\n");
            context.Out.Write($"  CURRENT: {Line(rq.Current)}\n");
            context.Out.Write($"  RT PRIO_ARRAY: {rq.RtArrayAddress:x}\n");
            if (rq.RtQueued.Count == 0) context.Out.Write("     [no tasks queued]\n");
            foreach (var q in rq.RtQueued) context.Out.Write($"     [{q.Prio,3}] {Line(q.TaskAddress)}\n");
            context.Out.Write($"  CFS RB_ROOT: {rq.CfsRootAddress:x}\n");
            if (rq.CfsQueued.Count == 0) context.Out.Write("     [no tasks queued]\n");
            foreach (var q in rq.CfsQueued) context.Out.Write($"     [{q.Prio,3}] {Line(q.TaskAddress)}\n");
            foreach (var problem in rq.Problems) context.Out.Write($"runq: {problem}\n");
        }
    }
}
