using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Types;
using KdumpDebug.Target;
using KdumpDebug.Target.Objects;

namespace KdumpDebug.Kernel;

/// <summary>
/// Per-CPU data (include/linux/percpu-defs.h): a per-CPU variable's symbol is an offset into the
/// per-CPU area (its DWARF/link address is small, e.g. <c>runqueues</c> at 0x2edc0), and CPU N's
/// copy is at that offset plus <c>__per_cpu_offset[N]</c>. Which CPUs exist comes from
/// <c>cpu_online_mask</c> / <c>cpu_possible_mask</c> and <c>nr_cpu_ids</c>. Every call reads the
/// dump (a few words; the page cache makes repeated reads cheap).
/// </summary>
public static class PerCpu
{
    /// <summary><c>__per_cpu_offset[cpu]</c>: the distance from a per-CPU symbol to CPU <paramref name="cpu"/>'s copy.</summary>
    public static ulong PerCpuOffset(KernelTarget target, int cpu)
    {
        if (cpu < 0 || cpu >= Core.DataLimits.MaxCpus) throw new KdumpDebugException($"cpu {cpu} is out of range");
        return target.Objects.Variable("__per_cpu_offset").Index(cpu).ReadUnsigned();
    }

    /// <summary>
    /// <c>per_cpu(name, cpu)</c>: the per-CPU variable <paramref name="name"/> of CPU
    /// <paramref name="cpu"/> as an lvalue of the variable's type.
    /// </summary>
    public static TargetObject PerCpuVariable(KernelTarget target, string name, int cpu)
    {
        var variable = target.Objects.Variable(name);
        var offset = variable.Address ?? throw new KdumpDebugException($"{name}: per-CPU variable has no address");
        // KernelObjects relocates kernel-image addresses only; a per-CPU offset stays a small
        // link-time value, so the KASLR slide must not be in it (percpu section is at 0).
        return PerCpuPtr(target, variable.Types, variable.Type, offset, cpu);
    }

    /// <summary>
    /// <c>per_cpu_ptr(ptr, cpu)</c> dereferenced: CPU <paramref name="cpu"/>'s copy of the per-CPU
    /// object of type <paramref name="type"/> at <paramref name="offset"/> in the per-CPU area
    /// (a per-CPU symbol's link-time value), as an lvalue. Reads <c>__per_cpu_offset[cpu]</c>.
    /// </summary>
    public static TargetObject PerCpuPtr(KernelTarget target, TypeSystem types, CType type, ulong offset, int cpu) =>
        TargetObject.AtAddress(target, types, type, unchecked(offset + PerCpuOffset(target, cpu)));

    /// <summary><c>nr_cpu_ids</c>, or <see cref="Core.DataLimits.MaxCpus"/> when the kernel has no such variable.</summary>
    public static int NrCpuIds(KernelTarget target)
    {
        if (target.Objects.TryVariable("nr_cpu_ids", out var v))
        {
            var n = v.ReadUnsigned();
            if (n > 0 && n <= (ulong)Core.DataLimits.MaxCpus) return (int)n;
        }
        return Core.DataLimits.MaxCpus;
    }

    /// <summary><c>for_each_online_cpu</c>: the CPUs set in <c>__cpu_online_mask</c> (or <c>cpu_online_mask</c> on old kernels).</summary>
    public static IReadOnlyList<int> ForEachOnlineCpu(KernelTarget target) => CpusInMask(target, "__cpu_online_mask", "cpu_online_mask");

    /// <summary><c>for_each_possible_cpu</c>: the CPUs set in <c>__cpu_possible_mask</c>.</summary>
    public static IReadOnlyList<int> ForEachPossibleCpu(KernelTarget target) => CpusInMask(target, "__cpu_possible_mask", "cpu_possible_mask");

    static IReadOnlyList<int> CpusInMask(KernelTarget target, string name, string oldName)
    {
        // Since v4.5 (commit 5aec01b83417 "cpumask: make cpu_online_mask etc. non-const") the
        // masks are the struct cpumask variables __cpu_*_mask; before, cpu_*_mask was a pointer.
        var nr = NrCpuIds(target);
        ulong address;
        if (target.TryLookupSymbol(name, out var symbol)) address = symbol.Address;
        else if (target.Objects.TryVariable(oldName, out var pointer)) address = pointer.ReadUnsigned();
        else return Enumerable.Range(0, Math.Min(nr, target.Dump.CpuRegisters.Count)).ToArray();
        var words = new byte[(nr + 63) / 64 * 8];
        target.ReadVirtual(address, words);
        var cpus = new List<int>();
        for (var cpu = 0; cpu < nr; cpu++)
            if ((words[cpu / 8] & (1 << (cpu % 8))) != 0) cpus.Add(cpu);
        return cpus;
    }
}
