using KdumpDebug.Commands.Crash;
using KdumpDebug.Commands.Output;
using KdumpDebug.Core.Errors;
using KdumpDebug.Kernel;
using KdumpDebug.Kernel.Memory;
using KdumpDebug.Target;
using KdumpDebug.Target.Unwind;

namespace KdumpDebug.Commands.Triage;

/// <summary>
/// Gathers a <see cref="TriageReport"/> from an open dump with the Kernel helpers: the sys facts
/// (<see cref="SystemFacts"/>), the last crash report in the log (<see cref="CrashReport"/>,
/// <see cref="PanicReason"/>), the taint (<see cref="Taint"/>), the panic task
/// (<see cref="PanicInfo"/>) and its stack as <c>bt</c> unwinds it (<see cref="TaskStack"/>), read
/// the way an oops is (<see cref="CrashSite"/>, <see cref="CallTrace"/>), each CPU's task, and the
/// task list's D-state and zombie counts. Each part is read on its own: one that fails adds a line
/// to <see cref="TriageReport.Problems"/> and the rest still comes. Cost: the task list, the log,
/// and one unwind per CPU and for the panic task (all cached per target by <see cref="LinuxKernel"/>
/// except the unwinds).
/// </summary>
public static class TriageCollector
{
    /// <summary>How many D-state tasks are named (the count covers all).</summary>
    public const int MaxListedTasks = 10;

    /// <summary>At most this many log lines: the head of the report and its last lines (the panic line).</summary>
    public const int MaxLogLines = 40;

    /// <summary>Of <see cref="MaxLogLines"/>, how many come from the end of a longer report.</summary>
    const int LogTailLines = 11;

    /// <summary>At most this many problems from one source (a log with a thousand unreadable records says so once or five times, not a thousand).</summary>
    const int MaxProblemsPerSource = 5;

    /// <summary>
    /// Reads the report. <paramref name="vmlinuxName"/> and <paramref name="dumpName"/> are the file
    /// names as the user gave them (null: the target's paths).
    /// </summary>
    public static TriageReport Collect(KernelTarget target, string? vmlinuxName = null, string? dumpName = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        var problems = new List<string>();
        T? Try<T>(string what, Func<T> read)
        {
            try
            {
                return read();
            }
            catch (KdumpDebugException e)
            {
                problems.Add($"{what}: {e.Message}");
                return default;
            }
        }

        var summary = target.Summary;
        var kernel = LinuxKernel.For(target);
        var facts = SystemFacts.Read(target);

        // The crash report in the log and what kind of crash it tells.
        var records = Try("log", () => kernel.LogRecords) ?? [];
        if (records.Count > 0) AddSome(problems, "log", kernel.LogProblems);
        var crashReport = CrashReport.Find(records);
        var reportRecords = crashReport is null ? [] : records.Skip(crashReport.Start).Take(crashReport.End - crashReport.Start).ToArray();
        var reason = PanicReason.Classify(crashReport is null ? [] : crashReport.Lines(records));
        if (records.Count > 0 && crashReport is null) problems.Add("log: no panic, oops or BUG report found in the kernel log");

        // Taint, from the dump's mask and the kernel's own flag table.
        var mask = Try("taint", () => (ulong?)Taint.ReadTaintedMask(target));
        var flags = mask is null ? null : Try("taint", () => Taint.ReadTaintFlags(target));
        var taint = mask is ulong m && flags is not null ? Taint.PrintTainted(m, flags) : null;

        // The tasks.
        var tasks = Try("tasks", () => kernel.Tasks);
        if (tasks is not null) AddSome(problems, "tasks", tasks.Problems);
        var panic = tasks is null ? null : kernel.Panic;
        if (tasks is not null && panic is null) problems.Add("panic task: the dump does not say which task crashed (no panic_cpu, runqueue or CPU note)");
        var panicTask = panic is null ? null : tasks!.FindByAddress(panic.TaskAddress);

        // The panic task's stack, read as an oops is.
        TriageLocation? exceptionRip = null, suspect = null;
        IReadOnlyList<CallTraceEntry> trace = [];
        string? panicTop = null;
        if (panicTask is not null)
        {
            try
            {
                ReadPanicStack(panicTask);
            }
            catch (KdumpDebugException e)
            {
                problems.Add($"stack of PID {panicTask.Pid}: {e.Message}");
            }
        }
        void ReadPanicStack(KernelTask task)
        {
            var bt = TaskStack.Unwind(kernel, task);
            if (bt.StopReason is string stop) problems.Add($"stack of PID {task.Pid}: {stop}");
            var site = CrashSite.Find(bt.Frames, reason.IsLockup);
            if (site.ExceptionIndex is int e) exceptionRip = Location(target, bt.Frames[e]);
            if (site.Suspect >= 0)
            {
                suspect = Location(target, bt.Frames[site.Suspect]);
                panicTop = suspect.Text;
            }
            else if (bt.Frames.Count > 0) problems.Add($"suspect: every kernel frame of PID {task.Pid} is crash machinery");
            trace = CallTrace.Build(target, bt.Frames, site.TraceStart);
        }

        // Each CPU's task.
        var onCpu = new List<TriageCpu>();
        if (tasks is not null)
        {
            foreach (var (cpu, address) in tasks.CurrentByCpu.OrderBy(kv => kv.Key))
            {
                var task = tasks.FindByAddress(address);
                var isPanic = panic?.Cpu == cpu;
                string top;
                try
                {
                    top = task is null ? $"task {address:x} is not in the task list"
                        : isPanic && task == panicTask && panicTop is not null ? panicTop
                        : Top(target, TaskStack.Unwind(kernel, task));
                }
                catch (KdumpDebugException e)
                {
                    top = $"cannot read its stack: {e.Message}";
                    problems.Add($"cpu {cpu}: {e.Message}");
                }
                onCpu.Add(new TriageCpu(cpu, task is null ? null : ToTriage(task), top, isPanic));
            }
        }

        var uninterruptible = tasks?.Tasks.Where(t => t.State == "UN").ToArray();
        var memory = Try("memory", () =>
        {
            var info = MemoryInfo.Read(target);
            AddSome(problems, "memory", info.Problems);
            return new TriageMemory(info.TotalRam * info.PageSize, info.Free * info.PageSize);
        });

        return new TriageReport
        {
            Release = summary.Release,
            Version = summary.Version,
            Machine = summary.Machine,
            NodeName = summary.NodeName,
            Vmlinux = vmlinuxName ?? summary.VmlinuxPath,
            DumpFile = dumpName ?? summary.DumpPath,
            PartialDump = summary.IsPartialDump,
            Date = SystemBanner.Date(summary, facts) is DateTimeOffset date ? SystemBanner.FormatDate(date) : null,
            Uptime = facts.Uptime,
            Cpus = summary.Cpus,
            OfflineCpus = facts.OfflineCpus,
            Tasks = facts.Tasks,
            PanicMessage = summary.PanicMessage ?? facts.PanicMessage,
            Reason = reason,
            Taint = taint,
            TaintedMask = mask,
            PanicTask = panicTask is null ? null : ToTriage(panicTask),
            ExceptionRip = exceptionRip,
            Suspect = suspect,
            CallTrace = trace,
            Log = LogLines(reportRecords),
            OnCpu = onCpu,
            UninterruptibleCount = uninterruptible?.Length,
            Uninterruptible = uninterruptible?.Take(MaxListedTasks).Select(ToTriage).ToArray() ?? [],
            ZombieCount = tasks?.Tasks.Count(t => t.State == "ZO"),
            Memory = memory,
            Problems = problems,
        };
    }

    static void AddSome(List<string> problems, string source, IReadOnlyList<string> more)
    {
        foreach (var p in more.Take(MaxProblemsPerSource)) problems.Add($"{source}: {p}");
        if (more.Count > MaxProblemsPerSource) problems.Add($"{source}: {more.Count - MaxProblemsPerSource} more problems");
    }

    static TriageTask ToTriage(KernelTask task) => new(task.Pid, task.Comm, task.Address, task.Cpu, task.State, TaskState.TaskStateName(task.StateBits));

    /// <summary>
    /// A frame as a report location; the source line of a return address is looked up at pc - 1,
    /// the call instruction, so it names the line that made the call (an interrupted pc is exact).
    /// </summary>
    static TriageLocation Location(KernelTarget target, StackFrameInfo frame)
    {
        var entry = CallTrace.Entry(target, frame, CallTraceEntryKind.Frame);
        var lookup = frame.IsInterrupted ? frame.Pc : frame.Pc - 1;
        var source = target.TryFindSourceLine(lookup, out var file, out var line) ? $"{file}:{line}" : null;
        return new TriageLocation(entry.Text, entry.Function, entry.Module, frame.Pc, source);
    }

    /// <summary>
    /// Where a CPU's task was: its first frame that is not crash machinery (an idle CPU: the halt
    /// it was stopped in; the CPUs kdump stopped: below the crash NMI), or its user-mode RIP.
    /// </summary>
    static string Top(KernelTarget target, TaskBacktrace bt)
    {
        var frames = bt.Frames;
        if (frames.Count == 0) return bt.StopReason is string reason ? $"no stack: {reason}" : "no stack";
        var site = CrashSite.Find(frames);
        if (site.Suspect >= 0) return CallTrace.Entry(target, frames[site.Suspect], CallTraceEntryKind.Frame).Text;
        var user = frames.FirstOrDefault(f => f.IsUserMode);
        if (user is not null) return $"user mode: RIP 0x{user.Pc:x}";
        return CallTrace.Entry(target, frames[0], CallTraceEntryKind.Frame).Text;
    }

    /// <summary>
    /// The report's records as <c>log</c> prints them; a longer report keeps its head and its last
    /// <see cref="LogTailLines"/> lines (where the panic line is) around one line saying how many were left out.
    /// </summary>
    static IReadOnlyList<string> LogLines(IReadOnlyList<PrintkRecord> records)
    {
        var lines = records.SelectMany(r => LogCommand.Lines(r, LogCommand.TimestampPrefix(r))).ToList();
        if (lines.Count <= MaxLogLines) return lines;
        var head = MaxLogLines - LogTailLines - 1;
        var left = lines.Count - head - LogTailLines;
        return [.. lines.Take(head), $"... {left} lines left out (the log command shows them all)", .. lines.Skip(lines.Count - LogTailLines)];
    }
}
