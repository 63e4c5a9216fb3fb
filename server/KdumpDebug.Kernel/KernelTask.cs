namespace KdumpDebug.Kernel;

/// <summary>
/// One task (<c>struct task_struct</c>) as <c>ps</c> and <c>bt</c> need it, read once from the
/// dump. <see cref="Pid"/> is <c>task-&gt;pid</c> (the init-namespace PID), <see cref="Ppid"/> the
/// parent's (<c>real_parent-&gt;pid</c>, as crash prints), <see cref="State"/> crash's two
/// letters (<see cref="TaskState.TaskStateToString"/>). Immutable.
/// </summary>
public sealed record KernelTask(
    ulong Address,
    int Pid,
    int Tgid,
    int Ppid,
    string Comm,
    ulong StateBits,
    string State,
    int Cpu,
    bool IsKernelThread,
    bool IsIdle,
    ulong Mm)
{
    /// <summary>True when the task was on a CPU when the dump was taken (<c>rq-&gt;curr</c>; crash's <c>&gt;</c>).</summary>
    public bool IsRunningOnCpu { get; init; }
}
