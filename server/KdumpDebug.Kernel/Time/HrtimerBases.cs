using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel.Time;

/// <summary>One queued <c>struct hrtimer</c>: its address, <c>_softexpires</c> and <c>node.expires</c> (ns, ktime_t) and <c>function</c>.</summary>
public readonly record struct QueuedHrtimer(ulong Address, long SoftExpires, long Expires, ulong Function);

/// <summary>
/// One <c>hrtimer_clock_base</c> of a CPU: its index and address, <c>get_time</c>, <c>offset</c>
/// (ns), its queued timers in expiry order, and a problem line when the queue could not be walked.
/// </summary>
public sealed record HrtimerClockBase(int Index, ulong Address, ulong GetTime, long Offset, IReadOnlyList<QueuedHrtimer> Timers, string? Problem);

/// <summary>
/// The per-CPU <c>hrtimer_bases</c> of kernel/time/hrtimer.c: a <c>struct hrtimer_cpu_base</c> per
/// CPU with <c>clock_base[HRTIMER_MAX_CLOCK_BASES]</c>, each queue a <c>timerqueue_head</c> whose
/// rb-tree orders <c>timerqueue_node</c>s (embedded in <c>hrtimer.node</c>) by expiry. Since v4.20
/// (commit 511885d7061e "lib/timerqueue: Rely on rbtree semantics for next timer") the root is an
/// <c>rb_root_cached</c>; before, an <c>rb_root</c>: both start with the root node pointer. The
/// number of clock bases and every offset come from DWARF. Cost: one small read per clock base,
/// two per rb-tree node and three per timer.
/// </summary>
public static class HrtimerBases
{
    /// <summary>More queued hrtimers on one clock base than this means a corrupt tree.</summary>
    const int MaxTimers = 1 << 16;

    /// <summary>The address of CPU <paramref name="cpu"/>'s <c>struct hrtimer_cpu_base</c>.</summary>
    public static ulong CpuBase(KernelTarget target, int cpu) =>
        PerCpu.PerCpuVariable(target, "hrtimer_bases", cpu).Address!.Value;

    /// <summary>How many clock bases each CPU has (the length of <c>hrtimer_cpu_base.clock_base</c>).</summary>
    public static int ClockBaseCount(KernelTarget target) =>
        (int)Math.Min(16, KernelMemory.MemberSize(target, "hrtimer_cpu_base", "clock_base") / KernelMemory.SizeOf(target, "hrtimer_clock_base"));

    /// <summary>Clock base <paramref name="index"/> of the CPU base at <paramref name="cpuBase"/> and its queued timers.</summary>
    public static HrtimerClockBase ReadClockBase(KernelTarget target, ulong cpuBase, int index)
    {
        var address = cpuBase + KernelMemory.Offset(target, "hrtimer_cpu_base", "clock_base") + (ulong)index * KernelMemory.SizeOf(target, "hrtimer_clock_base");
        var getTime = KernelMemory.ReadU64(target, address + KernelMemory.Offset(target, "hrtimer_clock_base", "get_time"));
        var offset = KernelMemory.TryOffset(target, "hrtimer_clock_base", "offset", out var o) ? unchecked((long)KernelMemory.ReadU64(target, address + o)) : 0;
        // timerqueue_head.rb_root is an rb_root_cached (rb_root first) or an rb_root: its first word is the root node.
        var root = KernelMemory.ReadU64(target, address + KernelMemory.Offset(target, "hrtimer_clock_base", "active") + KernelMemory.Offset(target, "timerqueue_head", "rb_root"));
        var nodes = RbTree.RbForEach(target, root, MaxTimers, $"hrtimer queue of clock base {address:x}", out var problem);
        var nodeInTimer = KernelMemory.Offset(target, "hrtimer", "node") + KernelMemory.Offset(target, "timerqueue_node", "node");
        var expiresOffset = KernelMemory.Offset(target, "hrtimer", "node") + KernelMemory.Offset(target, "timerqueue_node", "expires");
        var softOffset = KernelMemory.Offset(target, "hrtimer", "_softexpires");
        var functionOffset = KernelMemory.Offset(target, "hrtimer", "function");
        var timers = new List<QueuedHrtimer>();
        foreach (var node in nodes)
        {
            var timer = node - nodeInTimer;
            try
            {
                timers.Add(new QueuedHrtimer(timer,
                    unchecked((long)KernelMemory.ReadU64(target, timer + softOffset)),
                    unchecked((long)KernelMemory.ReadU64(target, timer + expiresOffset)),
                    KernelMemory.ReadU64(target, timer + functionOffset)));
            }
            catch (KdumpDebugException e)
            {
                problem ??= $"hrtimer {timer:x}: {e.Message}";
                break;
            }
        }
        return new HrtimerClockBase(index, address, getTime, offset, timers, problem);
    }
}
