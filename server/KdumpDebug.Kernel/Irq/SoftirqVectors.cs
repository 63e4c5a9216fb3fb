using KdumpDebug.Target;

namespace KdumpDebug.Kernel.Irq;

/// <summary>
/// <c>softirq_vec[NR_SOFTIRQS]</c> (kernel/softirq.c): the handler registered for each softirq by
/// <c>open_softirq()</c>, 0 where none is. The array length and <c>softirq_action.action</c> come
/// from DWARF. Cost: one read of the array.
/// </summary>
public static class SoftirqVectors
{
    /// <summary>Each vector's <c>action</c>, indexed by softirq number. Throws when the kernel has no softirq_vec or it cannot be read.</summary>
    public static IReadOnlyList<ulong> Read(KernelTarget target)
    {
        var vec = target.Objects.Variable("softirq_vec");
        var size = KernelMemory.SizeOf(target, "softirq_action");
        var count = (int)Math.Min(vec.Size / size, 64);
        var action = KernelMemory.Offset(target, "softirq_action", "action");
        // The variable's DWARF may be a declaration without a location: the symbol table has the address.
        var address = KernelMemory.SymbolAddress(target, "softirq_vec") ?? vec.Address
            ?? throw new Core.Errors.KdumpDebugException("softirq_vec has no address in the vmlinux");
        var bytes = KernelMemory.ReadBytes(target, address, (int)(size * (ulong)count));
        return Enumerable.Range(0, count).Select(i => BitConverter.ToUInt64(bytes, (int)((ulong)i * size + action))).ToArray();
    }
}
