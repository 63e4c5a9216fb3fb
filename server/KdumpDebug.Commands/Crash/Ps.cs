using System.Globalization;
using KdumpDebug.Commands.Parsing;
using KdumpDebug.Kernel;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>ps</c>: every task in crash's columns (PID PPID CPU TASK ST %MEM VSZ RSS COMM), a
/// <c>&gt;</c> before tasks that were running on a CPU, kernel threads' names in brackets. Filters:
/// <c>-k</c> kernel threads, <c>-u</c> user tasks, <c>-G</c> thread-group leaders only, and operands
/// (PID, task address, or command name). Tasks come from <see cref="TaskList"/> (drgn's list, not
/// crash 8.0.2's, which misses most tasks on 6.1 stable kernels).
/// </summary>
public sealed class PsCommand : ICommand
{
    /// <summary>crash's header line (task.c show_ps_data).</summary>
    public const string Header = "      PID    PPID  CPU       TASK        ST  %MEM      VSZ      RSS  COMM";

    public CommandHelp Help { get; } = new(
        Name: "ps",
        Aliases: [],
        Summary: "display process status information",
        Synopsis: "ps [-k|-u|-G] [-p|-c|-t] [pid | task | command] ...",
        Description: """
            Display process status for selected, or all, processes in the system.
            A ">" marks the tasks that were running on a CPU; kernel threads' names are
            shown in brackets.

                 -k  restrict the output to kernel threads.
                 -u  restrict the output to user tasks.
                 -G  display only the thread group leader of each thread group.
                 -p  display the parental hierarchy of the selected tasks.
                 -c  display the children of the selected tasks.
                 -t  display the task run time, start time, and cumulative user
                     and system times (nanoseconds), oldest task first.
                pid  a process PID.
               task  a hexadecimal task_struct pointer.
            command  a command name.
            """,
        Examples: """
              crash> ps
                    PID    PPID  CPU       TASK        ST  %MEM      VSZ      RSS  COMM
                      0       0   0  ffffffff82812600  RU   0.0        0        0  [swapper/0]
                      0       0   1  ffffa0f7c01d9440  RU   0.0        0        0  [swapper/1]
                      1       0   0  ffffa0f7c01a0000  IN   0.0     2256       68  init
              ...
              >      68       1   0  ffffa0f7c0a9a880  RU   0.0     2256       60  sh
            """)
    {
        Options = "kuGpct",
    };

    public void Execute(CommandContext context)
    {
        var parsed = GetOpt.Parse(context.Arguments, Help.Options!);
        var kernel = context.Kernel();
        var all = kernel.Tasks.Tasks;
        IEnumerable<KernelTask> tasks = all;
        foreach (var option in parsed.Options)
        {
            tasks = option.Name switch
            {
                'k' => tasks.Where(t => t.IsKernelThread),
                'u' => tasks.Where(t => !t.IsKernelThread),
                'G' => tasks.Where(t => t.Pid == t.Tgid),
                _ => tasks,
            };
        }
        if (parsed.Operands.Count > 0)
        {
            var wanted = new HashSet<ulong>();
            foreach (var operand in parsed.Operands)
            {
                var named = all.Where(t => t.Comm == operand).ToList();
                if (named.Count > 0) named.ForEach(t => wanted.Add(t.Address));
                else if (int.TryParse(operand, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && all.Any(t => t.Pid == pid))
                    foreach (var t in all.Where(t => t.Pid == pid)) wanted.Add(t.Address);
                else wanted.Add(context.ResolveTask(operand, "ps").Address);
            }
            tasks = tasks.Where(t => wanted.Contains(t.Address));
        }
        if (parsed.Options.Any(o => o.Name is 'p' or 'c'))
        {
            var parents = parsed.Options.Any(o => o.Name == 'p');
            var first = true;
            foreach (var task in tasks)
            {
                if (!first) context.Out.Write("\n");
                first = false;
                if (parents) WriteParents(context.Out, all, task);
                else WriteChildren(context.Out, all, task);
            }
            return;
        }
        if (parsed.Options.Any(o => o.Name == 't'))
        {
            WriteTimes(context.Out, kernel, tasks.ToList());
            return;
        }
        var totalRam = TaskMemory.TotalRamPages(kernel.Target);
        context.Out.Write(Header + "\n");
        foreach (var task in tasks)
        {
            TaskMemoryUsage usage;
            try
            {
                usage = TaskMemory.GetTaskMemUsage(kernel.Target, task, all, totalRam);
            }
            catch (Core.Errors.KdumpDebugException)
            {
                usage = default;
            }
            context.Out.Write(FormatLine(task, usage) + "\n");
        }
        foreach (var problem in kernel.Tasks.Problems) context.Out.Write($"ps: {problem}\n");
    }

    /// <summary>One row: <c>"%s%8d %7d %3d  %16lx  %s %5.1f %8lu %8lu  %s"</c> with crash's marker and brackets.</summary>
    public static string FormatLine(KernelTask task, TaskMemoryUsage usage)
    {
        var inv = CultureInfo.InvariantCulture;
        var comm = task.IsKernelThread ? $"[{task.Comm}]" : task.Comm;
        var percent = usage.PercentOfRam.ToString("0.0", inv);
        return string.Create(inv,
            $"{(task.IsRunningOnCpu ? '>' : ' ')}{task.Pid,8} {task.Ppid,7} {task.Cpu,3}  {task.Address,16:x}  {task.State} {percent,5} {usage.VszKb,8} {usage.RssKb,8}  {comm}");
    }

    /// <summary>crash's print_task_header: <c>PID: %-7ld  TASK: %lx  CPU: %-3s  COMMAND: "%s"</c>.</summary>
    static string TaskLine(KernelTask task) => $"PID: {task.Pid,-7}  TASK: {task.Address:x}  CPU: {task.Cpu,-3}  COMMAND: \"{task.Comm}\"";

    /// <summary>
    /// ps -t (task.c show_task_times): the tasks oldest first (by start_time; ties keep list
    /// order), each as its header line, RUN TIME, START TIME, UTIME and STIME, and a blank line.
    /// </summary>
    static void WriteTimes(TextWriter output, LinuxKernel kernel, IReadOnlyList<KernelTask> tasks)
    {
        var target = kernel.Target;
        var hz = SystemInfo.Hz(target);
        var now = TaskTimes.TicksSinceBoot(target, hz);
        var rows = new List<(KernelTask Task, TaskTimes Times)>();
        foreach (var task in tasks)
        {
            try
            {
                rows.Add((task, TaskTimes.Read(target, task)));
            }
            catch (Core.Errors.KdumpDebugException e)
            {
                output.Write($"ps: cannot read the times of task {task.Address:x}: {e.Message}\n");
            }
        }
        foreach (var (task, times) in rows.OrderBy(r => r.Times.StartTimeNs))
        {
            output.Write(TaskLine(task) + "\n");
            output.Write($"    RUN TIME: {SystemInfo.FormatUptime(times.RunTime(now, hz))}\n");
            output.Write(string.Create(CultureInfo.InvariantCulture, $"  START TIME: {times.StartTimeNs}\n"));
            output.Write(string.Create(CultureInfo.InvariantCulture, $"       UTIME: {times.UtimeNs}\n"));
            output.Write(string.Create(CultureInfo.InvariantCulture, $"       STIME: {times.StimeNs}\n\n"));
        }
    }

    /// <summary>ps -p: the chain of parents from the idle task down to the task, one more space of indent per generation.</summary>
    static void WriteParents(TextWriter output, IReadOnlyList<KernelTask> all, KernelTask task)
    {
        var chain = new List<KernelTask> { task };
        // Parents by PID (real_parent's pid): bounded, since a corrupt chain could loop.
        while (chain[^1].Pid != 0 && chain.Count < 64)
        {
            var child = chain[^1];
            var parent = all.FirstOrDefault(t => t.Pid == child.Ppid && (t.Pid != 0 || t.Cpu == 0));
            if (parent is null || chain.Contains(parent)) break;
            chain.Add(parent);
        }
        chain.Reverse();
        for (var i = 0; i < chain.Count; i++) output.Write(new string(' ', i) + TaskLine(chain[i]) + "\n");
    }

    /// <summary>ps -c: the task, then each child (tasks whose PPID is its PID) indented by two spaces, or "(no children)".</summary>
    static void WriteChildren(TextWriter output, IReadOnlyList<KernelTask> all, KernelTask task)
    {
        output.Write(TaskLine(task) + "\n");
        var children = all.Where(t => t.Ppid == task.Pid && t.Pid != 0 && t.Address != task.Address && t.Pid == t.Tgid).ToList();
        if (children.Count == 0) output.Write("  (no children)\n");
        foreach (var child in children) output.Write("  " + TaskLine(child) + "\n");
    }
}
