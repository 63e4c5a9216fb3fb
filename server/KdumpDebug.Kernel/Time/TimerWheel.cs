using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel.Time;

/// <summary>One pending <c>struct timer_list</c>: its address, <c>expires</c> (jiffies) and <c>function</c>.</summary>
public readonly record struct PendingTimer(ulong Address, ulong Expires, ulong Function);

/// <summary>
/// One CPU's <c>timer_bases[index]</c>: its address, the timers hashed into its wheel in wheel
/// order (vector 0 up, each bucket's hlist in list order), and a line for each bucket that could
/// not be walked.
/// </summary>
public sealed record TimerBase(int Cpu, int Index, ulong Address, IReadOnlyList<PendingTimer> Timers, IReadOnlyList<string> Problems);

/// <summary>
/// The timer wheel of kernel/time/timer.c since v4.8 (commit 500462a9de65 "timers: Switch to a
/// non-cascading wheel"): a per-CPU array <c>timer_bases[NR_BASES]</c> (BASE_STD, and BASE_DEF
/// with CONFIG_NO_HZ_COMMON) of <c>struct timer_base</c>, each with <c>vectors[WHEEL_SIZE]</c>
/// hlist buckets of <c>struct timer_list</c> linked through <c>entry</c>. The array length, the
/// wheel size and every offset come from DWARF. Cost: one read of the base's vectors, then one
/// 8-byte read per timer node plus one timer_list read per timer.
/// </summary>
public static class TimerWheel
{
    /// <summary>More timers in one bucket than this means a corrupt chain.</summary>
    const int MaxPerBucket = 1 << 16;

    /// <summary>True when the kernel has the v4.8+ wheel (a per-CPU <c>timer_bases</c> of <c>struct timer_base</c>).</summary>
    public static bool IsPresent(KernelTarget target) =>
        target.Objects.TryVariable("timer_bases", out _) && KernelMemory.HasMember(target, "timer_base", "vectors");

    /// <summary><c>jiffies</c> (the unsigned long alias of jiffies_64 on 64-bit).</summary>
    public static ulong Jiffies(KernelTarget target) => target.Objects.Variable("jiffies").ReadUnsigned();

    /// <summary>How many bases each CPU has (NR_BASES: the length of the <c>timer_bases</c> array).</summary>
    public static int BaseCount(KernelTarget target)
    {
        var size = KernelMemory.SizeOf(target, "timer_base");
        var variable = target.Objects.Variable("timer_bases");
        return (int)Math.Max(1, Math.Min(8, variable.Size / size));
    }

    /// <summary>CPU <paramref name="cpu"/>'s <c>timer_bases[index]</c> and its pending timers.</summary>
    public static TimerBase ReadBase(KernelTarget target, int cpu, int index)
    {
        var address = PerCpu.PerCpuVariable(target, "timer_bases", cpu).Address!.Value + (ulong)index * KernelMemory.SizeOf(target, "timer_base");
        return ReadBase(target, target.TypeLayouts, cpu, index, address);
    }

    /// <summary>The <c>struct timer_base</c> at <paramref name="address"/> over any memory and layouts (tests: mock memory, real layouts).</summary>
    public static TimerBase ReadBase(IKernelTarget target, ITypeLayouts layouts, int cpu, int index, ulong address)
    {
        var vectorsOffset = KernelMemory.Offset(layouts, "timer_base", "vectors");
        var buckets = (int)(KernelMemory.MemberSize(layouts, "timer_base", "vectors") / 8);
        var entryOffset = KernelMemory.Offset(layouts, "timer_list", "entry");
        var nextOffset = KernelMemory.Offset(layouts, "hlist_node", "next");
        var expiresOffset = KernelMemory.Offset(layouts, "timer_list", "expires");
        var functionOffset = KernelMemory.Offset(layouts, "timer_list", "function");
        var timers = new List<PendingTimer>();
        var problems = new List<string>();
        var heads = KernelMemory.ReadBytes(target, address + vectorsOffset, buckets * 8);
        for (var bucket = 0; bucket < buckets; bucket++)
        {
            var node = BitConverter.ToUInt64(heads, bucket * 8);
            var seen = new HashSet<ulong>();
            while (node != 0)
            {
                if (!seen.Add(node) || seen.Count > MaxPerBucket)
                {
                    problems.Add($"timer_bases[{cpu}][{index}] bucket {bucket}: the timer chain loops at {node:x}");
                    break;
                }
                var timer = node - entryOffset;
                try
                {
                    timers.Add(new PendingTimer(timer,
                        KernelMemory.ReadU64(target, timer + expiresOffset),
                        KernelMemory.ReadU64(target, timer + functionOffset)));
                    node = KernelMemory.ReadU64(target, node + nextOffset);
                }
                catch (KdumpDebugException e)
                {
                    problems.Add($"timer_bases[{cpu}][{index}] bucket {bucket}: cannot read timer_list {timer:x}: {e.Message}");
                    break;
                }
            }
        }
        return new TimerBase(cpu, index, address, timers, problems);
    }
}
