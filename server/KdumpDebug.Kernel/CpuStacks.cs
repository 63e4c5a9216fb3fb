using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel;

/// <summary>A stack a CPU switches to: "IRQ", or an exception stack such as "NMI", "DB", "MCE", "DF"; [Start, End).</summary>
public sealed record CpuStackRange(string Name, int Cpu, ulong Start, ulong End)
{
    public bool Contains(ulong address) => address >= Start && address < End;
}

/// <summary>
/// The per-CPU stacks x86-64 Linux runs interrupts and exceptions on (Documentation/x86/kernel-stacks.rst):
/// the hard IRQ stack (per-CPU <c>hardirq_stack_ptr</c>, which points 8 bytes below the top of a
/// <c>struct irq_stack</c>, arch/x86/kernel/irq_64.c) and the IST exception stacks (per-CPU
/// <c>cea_exception_stacks</c>, a <c>struct cea_exception_stacks</c> whose <c>NAME_stack</c> members
/// are the stacks, arch/x86/include/asm/cpu_entry_area.h). Sizes and members come from DWARF, so
/// a kernel without a stack (no VC stack without SEV) simply lists fewer. Cost: a few per-CPU
/// reads per CPU; the caller caches.
/// </summary>
public static class CpuStacks
{
    /// <summary>Every such stack of every possible CPU; empty when the kernel's DWARF lacks the variables.</summary>
    public static IReadOnlyList<CpuStackRange> All(KernelTarget target)
    {
        var result = new List<CpuStackRange>();
        IReadOnlyList<int> cpus;
        try
        {
            cpus = PerCpu.ForEachPossibleCpu(target);
        }
        catch (KdumpDebugException)
        {
            return result;
        }
        foreach (var cpu in cpus)
        {
            TryAdd(() => IrqStack(target, cpu), result);
            try
            {
                result.AddRange(ExceptionStacks(target, cpu));
            }
            catch (KdumpDebugException)
            {
                // No cpu_entry_area on this kernel, or the page is excluded: no IST stacks named.
            }
        }
        return result;
    }

    static void TryAdd(Func<CpuStackRange?> read, List<CpuStackRange> into)
    {
        try
        {
            if (read() is { } range) into.Add(range);
        }
        catch (KdumpDebugException)
        {
        }
    }

    static CpuStackRange? IrqStack(KernelTarget target, int cpu)
    {
        var top = PerCpu.PerCpuVariable(target, "hardirq_stack_ptr", cpu).ReadUnsigned();
        if (top == 0 || !target.Objects.Types.TryFindType("struct irq_stack", out var type) || type.Size is not ulong size) return null;
        // irq_64.c map_irq_stack(): per_cpu(hardirq_stack_ptr, cpu) = va + IRQ_STACK_SIZE - 8.
        var end = top + 8;
        return new CpuStackRange("IRQ", cpu, end - size, end);
    }

    static IEnumerable<CpuStackRange> ExceptionStacks(KernelTarget target, int cpu)
    {
        var pointer = PerCpu.PerCpuVariable(target, "cea_exception_stacks", cpu).ReadUnsigned();
        if (pointer == 0 || !target.Objects.Types.TryFindType("struct cea_exception_stacks", out var type)) yield break;
        foreach (var member in type.Unqualified().Members)
        {
            if (member.Name is not { } name || !name.EndsWith("_stack", StringComparison.Ordinal) || member.Type.Size is not ulong size) continue;
            var start = pointer + member.ByteOffset;
            yield return new CpuStackRange(name[..^"_stack".Length], cpu, start, start + size);
        }
    }
}
