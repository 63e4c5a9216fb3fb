using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel;

/// <summary>
/// A task's times as crash's <c>ps -t</c> reads them (task.c show_task_times): when it started and
/// the CPU time it used, all in nanoseconds on v4.x+ kernels.
/// </summary>
/// <param name="StartTimeNs"><c>task_struct.start_time</c>: CLOCK_MONOTONIC nanoseconds at fork (kernel/fork.c copy_process).</param>
/// <param name="UtimeNs"><c>task_struct.utime</c>: user CPU time, nanoseconds.</param>
/// <param name="StimeNs"><c>task_struct.stime</c>: system CPU time, nanoseconds.</param>
public readonly record struct TaskTimes(ulong StartTimeNs, ulong UtimeNs, ulong StimeNs)
{
    /// <summary>Reads the three members by name from the task_struct. Cost: one small read.</summary>
    /// <exception cref="KdumpDebugException">the task_struct cannot be read or lacks a member.</exception>
    public static TaskTimes Read(KernelTarget target, KernelTask task)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(task);
        var t = target.Objects.At("struct task_struct", task.Address);
        return new TaskTimes(t.Member("start_time").ReadUnsigned(), t.Member("utime").ReadUnsigned(), t.Member("stime").ReadUnsigned());
    }

    /// <summary>
    /// How long the task has existed, as crash computes RUN TIME: the start time converted to whole
    /// jiffies (<c>start_time / (NSEC_PER_SEC / HZ)</c>), subtracted from the jiffies since boot
    /// (<c>jiffies_64 - INITIAL_JIFFIES</c>), then whole seconds of that; zero when the start is
    /// after the dump's clock (a corrupt task).
    /// </summary>
    public TimeSpan RunTime(ulong ticksSinceBoot, int hz)
    {
        if (hz <= 0) return TimeSpan.Zero;
        var startTicks = StartTimeNs / (1_000_000_000UL / (ulong)hz);
        var ticks = ticksSinceBoot > startTicks ? ticksSinceBoot - startTicks : 0;
        return TimeSpan.FromSeconds(ticks / (ulong)hz);
    }

    /// <summary>Jiffies since boot: <c>jiffies_64 - INITIAL_JIFFIES</c> (see <see cref="SystemInfo.Uptime"/>).</summary>
    public static ulong TicksSinceBoot(KernelTarget target, int hz)
    {
        ArgumentNullException.ThrowIfNull(target);
        var jiffies = target.Objects.Variable("jiffies_64").ReadUnsigned();
        return unchecked(jiffies - (ulong)unchecked((uint)(-300 * hz)));
    }
}
