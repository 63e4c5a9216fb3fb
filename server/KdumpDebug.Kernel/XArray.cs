using KdumpDebug.Target;

namespace KdumpDebug.Kernel;

/// <summary>
/// <c>xa_load()</c> (lib/xarray.c) on a <c>struct xarray</c> in dump memory; since v4.20 a
/// radix_tree_root is an xarray too. An entry is a node pointer when its low two bits are 0b10 and
/// it is above 4096 (<c>xa_is_node</c>); the node is at the pointer minus 2, and the slot for an
/// index is <c>(index &gt;&gt; node-&gt;shift) &amp; XA_CHUNK_MASK</c>. The chunk size is the length
/// of <c>xa_node.slots</c> from DWARF. Cost: one head read plus two reads per level.
/// </summary>
public static class XArray
{
    /// <summary>The entry stored at <paramref name="index"/> in the xarray at <paramref name="xarray"/>, 0 when none. Throws on unreadable memory.</summary>
    public static ulong Load(KernelTarget target, ulong xarray, ulong index) => Load(target, target.TypeLayouts, xarray, index);

    /// <summary><see cref="Load(KernelTarget, ulong, ulong)"/> over any memory and layouts (tests: mock memory, real layouts).</summary>
    public static ulong Load(IKernelTarget target, ITypeLayouts layouts, ulong xarray, ulong index)
    {
        var entry = KernelMemory.ReadU64(target, xarray + KernelMemory.Offset(layouts, "xarray", "xa_head"));
        var slotsOffset = KernelMemory.Offset(layouts, "xa_node", "slots");
        var shiftOffset = KernelMemory.Offset(layouts, "xa_node", "shift");
        var chunk = KernelMemory.MemberSize(layouts, "xa_node", "slots") / 8;
        if (!IsNode(entry)) return index == 0 ? entry : 0;
        // Every level consumes at least one bit of the index, so 64 levels is more than any tree has.
        for (var level = 0; level < 64 && IsNode(entry); level++)
        {
            var node = entry - 2;
            var shift = KernelMemory.ReadU8(target, node + shiftOffset);
            if (shift >= 64) return 0;
            var offset = index >> shift;
            if (offset >= chunk)
            {
                // The index lies beyond what the top node covers (xa_load's max check).
                if (level == 0) return 0;
                offset &= chunk - 1;
            }
            entry = KernelMemory.ReadU64(target, node + slotsOffset + offset * 8);
            index &= shift == 0 ? 0 : (1UL << shift) - 1;
        }
        return IsNode(entry) || IsInternal(entry) ? 0 : entry;
    }

    /// <summary><c>xa_is_node</c>.</summary>
    static bool IsNode(ulong entry) => (entry & 3) == 2 && entry > 4096;

    /// <summary><c>xa_is_internal</c> (retry and sibling entries are not values).</summary>
    static bool IsInternal(ulong entry) => (entry & 3) == 2;
}
