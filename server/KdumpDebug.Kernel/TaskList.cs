using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Types;
using KdumpDebug.Target;
using KdumpDebug.Target.Objects;

namespace KdumpDebug.Kernel;

/// <summary>
/// Every task of the crashed kernel: each process on <c>init_task.tasks</c>
/// (<c>for_each_process</c>), each thread of its group (<c>for_each_thread</c>), and each CPU's idle
/// task (<c>per_cpu(runqueues, cpu).idle</c>; CPU 0's is init_task). Lists are walked with a
/// visited set and a length bound; a pointer that cannot be read or a task that cannot be decoded
/// ends that list or skips that task with one line in <see cref="Problems"/>, never the command.
/// Built once per target by <see cref="LinuxKernel.Tasks"/> (one read per member per task);
/// immutable afterwards.
/// </summary>
public sealed class TaskList
{
    /// <summary>More tasks than PID_MAX_LIMIT (4M) means a corrupt list.</summary>
    public const int MaxTasks = 4 * 1024 * 1024;

    /// <summary>PF_KTHREAD (include/linux/sched.h): "I am a kernel thread".</summary>
    const ulong PfKthread = 0x00200000;

    readonly KernelTarget _target;
    readonly CType _taskType;
    readonly ulong _tasksOffset;
    readonly List<string> _problems = [];

    public TaskList(KernelTarget target)
    {
        _target = target;
        _taskType = target.Objects.Type("struct task_struct");
        _tasksOffset = MemberOffset(_taskType, "tasks");
        var found = new Dictionary<ulong, KernelTask>();
        var running = RunningTasks();
        CurrentByCpu = running;
        var runningSet = new HashSet<ulong>(running.Values);

        // Idle tasks first, by CPU (crash lists them first).
        var idle = new List<KernelTask>();
        foreach (var cpu in PerCpu.ForEachPossibleCpu(target))
        {
            try
            {
                var address = PerCpu.PerCpuVariable(target, "runqueues", cpu).Member("idle").ReadUnsigned();
                if (address == 0 || found.ContainsKey(address)) continue;
                if (TryRead(address, isIdle: true, cpuOverride: cpu, runningSet) is { } task)
                {
                    found[address] = task;
                    idle.Add(task);
                }
            }
            catch (KdumpDebugException e)
            {
                _problems.Add($"runqueues of cpu {cpu}: {e.Message}");
            }
        }

        var initTask = target.Objects.Variable("init_task").Address!.Value;
        var threadHead = FeatureThreadHead();
        var processes = WalkList(initTask + _tasksOffset, _tasksOffset, "init_task.tasks");
        foreach (var process in processes)
        {
            IEnumerable<ulong> threads = [process];
            if (threadHead is var (headMember, nodeOffset, isSignal))
            {
                try
                {
                    ulong head;
                    if (isSignal) head = At(process).Member("signal").Member(headMember).Address!.Value;
                    else head = process + MemberOffset(_taskType, headMember);
                    var members = WalkList(head, nodeOffset, $"thread list of task {process:x}");
                    // thread_group has no head of its own: the leader is one of the nodes. signal->thread_head does.
                    threads = isSignal ? members : members.Prepend(process);
                }
                catch (KdumpDebugException e)
                {
                    _problems.Add($"thread list of task {process:x}: {e.Message}");
                }
            }
            foreach (var thread in threads)
            {
                if (found.ContainsKey(thread)) continue;
                if (TryRead(thread, isIdle: false, cpuOverride: null, runningSet) is { } task) found[thread] = task;
                if (found.Count >= MaxTasks) break;
            }
        }
        var rest = found.Values.Where(t => !t.IsIdle).OrderBy(t => t.Pid).ThenBy(t => t.Address);
        Tasks = idle.Concat(rest).ToArray();
    }

    /// <summary>Every task: idle tasks by CPU, then the rest by PID.</summary>
    public IReadOnlyList<KernelTask> Tasks { get; }

    /// <summary>The task on each possible CPU when the dump was taken (<c>per_cpu(runqueues, cpu).curr</c>).</summary>
    public IReadOnlyDictionary<int, ulong> CurrentByCpu { get; }

    /// <summary>Lists that ended early and tasks that could not be read, one line each.</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>A task by its <c>task_struct</c> address.</summary>
    public KernelTask? FindByAddress(ulong address) => Tasks.FirstOrDefault(t => t.Address == address);

    /// <summary>Tasks with PID <paramref name="pid"/> (several for PID 0: one idle task per CPU).</summary>
    public IEnumerable<KernelTask> FindByPid(int pid) => Tasks.Where(t => t.Pid == pid);

    TargetObject At(ulong address) => TargetObject.AtAddress(_target, _target.Objects.Types, _taskType, address);

    static ulong MemberOffset(CType type, string name)
    {
        if (!type.Unqualified().TryFindMember(name, out var lookup))
            throw new KdumpDebugException($"struct {type.Name}: no member {name} in the vmlinux debug info");
        return lookup.BitOffset / 8;
    }

    /// <summary>
    /// Which list links the threads of a group: <c>signal-&gt;thread_head</c> / <c>task-&gt;thread_node</c>
    /// (since v3.14, commit 0c740d0afc3b "introduce for_each_thread() to replace the buggy
    /// while_each_thread()"), else <c>task-&gt;thread_group</c> (removed in v6.7, commit 8e1f385104ac).
    /// </summary>
    (string Head, ulong NodeOffset, bool IsSignal)? FeatureThreadHead()
    {
        var task = _taskType.Unqualified();
        if (task.TryFindMember("thread_node", out var node) && _target.Objects.Types.TryFindType("struct signal_struct", out var signal)
            && signal.Unqualified().TryFindMember("thread_head", out _))
            return ("thread_head", node.BitOffset / 8, true);
        if (task.TryFindMember("thread_group", out var group)) return ("thread_group", group.BitOffset / 8, false);
        return null;
    }

    /// <summary><see cref="ListHead.ListForEachEntry"/> in the dump, its problem (if any) recorded.</summary>
    List<ulong> WalkList(ulong head, ulong nodeOffset, string what)
    {
        var entries = ListHead.ListForEachEntry(ReadPointer, head, nodeOffset, MaxTasks, what, out var problem);
        if (problem is not null) _problems.Add(problem);
        return entries;
    }

    ulong ReadPointer(ulong address) => KernelMemory.ReadU64(_target, address);

    Dictionary<int, ulong> RunningTasks()
    {
        var result = new Dictionary<int, ulong>();
        // Every possible CPU: one stopped by panic's IPI is offline (stop_this_cpu clears it) but was running a task.
        foreach (var cpu in PerCpu.ForEachPossibleCpu(_target))
        {
            try
            {
                var curr = PerCpu.PerCpuVariable(_target, "runqueues", cpu).Member("curr").ReadUnsigned();
                if (curr != 0) result[cpu] = curr;
            }
            catch (KdumpDebugException e)
            {
                _problems.Add($"runqueues of cpu {cpu}: {e.Message}");
            }
        }
        return result;
    }

    KernelTask? TryRead(ulong address, bool isIdle, int? cpuOverride, HashSet<ulong> running)
    {
        try
        {
            return Read(address, isIdle, cpuOverride, running.Contains(address));
        }
        catch (KdumpDebugException e)
        {
            _problems.Add($"task {address:x}: cannot read its task_struct: {e.Message}");
            return null;
        }
    }

    KernelTask Read(ulong address, bool isIdle, int? cpuOverride, bool isRunning)
    {
        var task = At(address);
        var pid = (int)task.Member("pid").ReadSigned();
        var tgid = (int)task.Member("tgid").ReadSigned();
        var comm = task.Member("comm").ReadCString();
        var state = ReadState(task);
        var flags = task.Member("flags").ReadUnsigned();
        var mm = task.Member("mm").ReadUnsigned();
        var ppid = 0;
        var parent = task.Member("real_parent").ReadUnsigned();
        // Idle tasks of secondary CPUs were forked by pid 1 (idle_threads_init); crash shows PPID 0 for every pid 0.
        if (parent != 0 && parent != address && pid != 0)
            ppid = (int)At(parent).Member("pid").ReadSigned();
        var cpu = cpuOverride ?? TaskCpu(task);
        return new KernelTask(address, pid, tgid, ppid, comm, state, TaskState.TaskStateToString(state), cpu,
            IsKernelThread(pid, flags, mm, state), isIdle, mm) { IsRunningOnCpu = isRunning };
    }

    /// <summary>
    /// crash's is_kernel_thread: PF_KTHREAD (since v2.6.27); a zombie or exiting task has dropped
    /// its mm but is not a kernel thread. Without the flag, no mm means a kernel thread.
    /// </summary>
    static bool IsKernelThread(int pid, ulong flags, ulong mm, ulong state)
    {
        if (pid == 0) return true;
        if ((state & (TaskState.ExitZombie | TaskState.ExitDead)) != 0) return false;
        return (flags & PfKthread) != 0 || mm == 0;
    }

    /// <summary>
    /// <c>__state | exit_state</c>. Since Linux kernel commit 2f064a59a11f ("sched: Change
    /// task_struct::state") (in v5.14), the task state is named "__state". Before that, it is "state".
    /// </summary>
    static ulong ReadState(TargetObject task)
    {
        var type = task.UnderlyingType;
        var state = type.TryFindMember("__state", out _) ? task.Member("__state").ReadUnsigned() : task.Member("state").ReadUnsigned();
        var exit = type.TryFindMember("exit_state", out _) ? task.Member("exit_state").ReadUnsigned() : 0;
        return (state | exit) & 0xffff_ffff;
    }

    /// <summary>
    /// <c>task_cpu()</c>: <c>task-&gt;cpu</c> on kernels that keep it in task_struct (v4.9-v5.15 with
    /// THREAD_INFO_IN_TASK), else <c>task-&gt;thread_info.cpu</c> (x86 since v5.16, commit
    /// bcf9033e5449 "sched: move CPU field back into thread_info if THREAD_INFO_IN_TASK=y").
    /// </summary>
    static int TaskCpu(TargetObject task)
    {
        var type = task.UnderlyingType;
        if (type.TryFindMember("cpu", out _)) return (int)task.Member("cpu").ReadUnsigned();
        if (type.TryFindMember("thread_info", out var ti) && ti.Member.Type.Unqualified().TryFindMember("cpu", out _))
            return (int)task.Member("thread_info").Member("cpu").ReadUnsigned();
        return 0;
    }
}
