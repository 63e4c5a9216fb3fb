using System.Buffers.Binary;
using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel.Mm;

/// <summary>One stored range of a maple tree: indices <see cref="First"/>..<see cref="Last"/> map to <see cref="Value"/>.</summary>
public readonly record struct MapleEntry(ulong First, ulong Last, ulong Value);

/// <summary>
/// Reads a maple tree (<c>struct maple_tree</c>, lib/maple_tree.c, since v6.1) from dump memory,
/// as <c>mt_for_each</c> would: every non-NULL entry with its index range, in index order.
/// <para>
/// Design: <c>ma_root</c> is either an entry (the tree holds only index 0) or an encoded node
/// pointer (<c>xa_is_node</c>: low two bits 0b10, above 4096): the node is at the pointer with its
/// low 8 bits cleared and its type in bits 3-6 (<c>mte_node_type</c>); child pointers in inner
/// nodes are encoded the same way without the 0b10 marker (<c>mt_mk_node</c>). A dense node maps one
/// index per slot; <c>maple_leaf_64</c>, <c>maple_range_64</c> and <c>maple_arange_64</c> nodes
/// have pivots: slot i covers (pivot[i-1], pivot[i]], the last one up to the parent's max. The
/// number of used slots is <c>ma_data_end()</c>: the metadata's <c>end</c> when the last pivot is
/// 0 (always for arange), else the last pivot's slot. Leaves hold the values; the other types hold
/// child nodes. Slot and pivot counts and member offsets come from the DWARF of
/// <c>struct maple_range_64</c> / <c>maple_arange_64</c> / <c>maple_node</c>.
/// </para>
/// A node that cannot be read (excluded page, unmapped), a child seen twice, a tree deeper than
/// MAPLE_HEIGHT_MAX or more than <see cref="MaxEntries"/> entries give one line in the problems
/// list and that subtree is skipped; the rest is still returned. Cost: one 256-byte read per node.
/// </summary>
public sealed class MapleTree
{
    /// <summary>MAPLE_HEIGHT_MAX (include/linux/maple_tree.h).</summary>
    public const int MaxHeight = 31;

    /// <summary>More entries than this in one tree means corrupt data (a 47-bit address space has fewer VMAs).</summary>
    public const int MaxEntries = 1 << 22;

    // enum maple_type
    const int MapleDense = 0, MapleLeaf64 = 1, MapleRange64 = 2, MapleArange64 = 3;
    const ulong MapleNodeMask = 255;

    readonly IKernelTarget _target;
    readonly ITypeLayouts _layouts;
    readonly int _nodeSize;
    readonly int _rangePivot, _rangeSlot, _rangePivots, _rangeSlots, _rangeMeta;
    readonly int _arangePivot, _arangeSlot, _arangePivots, _arangeSlots, _arangeMeta;
    readonly int _denseSlot, _denseSlots;

    MapleTree(IKernelTarget target, ITypeLayouts layouts)
    {
        _target = target;
        _layouts = layouts;
        _nodeSize = (int)KernelMemory.SizeOf(layouts, "maple_node");
        _rangePivot = Off("maple_range_64", "pivot");
        _rangeSlot = Off("maple_range_64", "slot");
        _rangeMeta = Off("maple_range_64", "meta");
        _rangePivots = Count("maple_range_64", "pivot");
        _rangeSlots = Count("maple_range_64", "slot");
        _arangePivot = Off("maple_arange_64", "pivot");
        _arangeSlot = Off("maple_arange_64", "slot");
        _arangeMeta = Off("maple_arange_64", "meta");
        _arangePivots = Count("maple_arange_64", "pivot");
        _arangeSlots = Count("maple_arange_64", "slot");
        _denseSlot = Off("maple_node", "slot");
        _denseSlots = Count("maple_node", "slot");
    }

    int Off(string type, string member) => (int)KernelMemory.Offset(_layouts, type, member);

    int Count(string type, string member) => (int)(KernelMemory.MemberSize(_layouts, type, member) / 8);

    /// <summary>
    /// Every entry of the tree at <paramref name="tree"/> (a <c>struct maple_tree</c>).
    /// <paramref name="what"/> names the tree in problem lines ("mm ffff... maple tree").
    /// </summary>
    public static List<MapleEntry> ForEach(KernelTarget target, ulong tree, string what, List<string> problems) =>
        ForEach(target, target.TypeLayouts, tree, what, problems);

    /// <summary><see cref="ForEach(KernelTarget, ulong, string, List{string})"/> over any memory, with the given type layouts.</summary>
    public static List<MapleEntry> ForEach(IKernelTarget target, ITypeLayouts layouts, ulong tree, string what, List<string> problems)
    {
        var walker = new MapleTree(target, layouts);
        var root = KernelMemory.ReadU64(target, tree + KernelMemory.Offset(layouts, "maple_tree", "ma_root"));
        var result = new List<MapleEntry>();
        if (root == 0) return result;
        if (!IsNode(root))
        {
            // A tree holding only index 0 keeps the entry itself in ma_root.
            result.Add(new MapleEntry(0, 0, root));
            return result;
        }
        walker.Walk(root, 0, ulong.MaxValue, 1, new HashSet<ulong>(), result, what, problems);
        return result;
    }

    /// <summary><c>xa_is_node()</c>: an internal entry (low bits 0b10) above MAPLE_RESERVED_RANGE.</summary>
    static bool IsNode(ulong entry) => (entry & 3) == 2 && entry > 4096;

    /// <summary><c>xa_is_internal()</c>: a reserved value (retry, zero entry), not a stored pointer.</summary>
    public static bool IsInternal(ulong entry) => (entry & 3) == 2;

    void Walk(ulong encoded, ulong min, ulong max, int depth, HashSet<ulong> seen, List<MapleEntry> result, string what, List<string> problems)
    {
        var node = encoded & ~MapleNodeMask;
        var type = (int)((encoded >> 3) & 0xf);
        if (result.Count >= MaxEntries) return;
        if (depth > MaxHeight)
        {
            problems.Add($"{what}: deeper than MAPLE_HEIGHT_MAX at node {node:x}; subtree skipped");
            return;
        }
        if (!seen.Add(node))
        {
            problems.Add($"{what}: node {node:x} is reached twice (a loop); subtree skipped");
            return;
        }
        var bytes = new byte[_nodeSize];
        try
        {
            _target.ReadVirtual(node, bytes);
        }
        catch (KdumpDebugException e)
        {
            problems.Add($"{what}: cannot read node {node:x} (indices {min:x}-{max:x}): {e.Message}");
            return;
        }
        ulong Word(int offset) => offset + 8 <= bytes.Length ? BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(offset)) : 0;

        if (type == MapleDense)
        {
            for (var i = 0; i < _denseSlots; i++)
            {
                var value = Word(_denseSlot + i * 8);
                if (value != 0 && !IsInternal(value) && !Add(result, new MapleEntry(min + (ulong)i, min + (ulong)i, value), what, problems)) return;
                if (min + (ulong)i >= max) break;
            }
            return;
        }
        int pivotAt, slotAt, pivots, slots, metaAt;
        if (type is MapleLeaf64 or MapleRange64)
            (pivotAt, slotAt, pivots, slots, metaAt) = (_rangePivot, _rangeSlot, _rangePivots, _rangeSlots, _rangeMeta);
        else if (type == MapleArange64)
            (pivotAt, slotAt, pivots, slots, metaAt) = (_arangePivot, _arangeSlot, _arangePivots, _arangeSlots, _arangeMeta);
        else
        {
            problems.Add($"{what}: node {node:x} has unknown type {type}; subtree skipped");
            return;
        }

        // ma_data_end(): the metadata's end unless the last pivot is in use.
        int end;
        var lastPivot = Word(pivotAt + (pivots - 1) * 8);
        if (type == MapleArange64 || lastPivot == 0) end = bytes[metaAt];
        else if (lastPivot == max) end = pivots - 1;
        else end = pivots;
        end = Math.Min(end, slots - 1);

        var first = min;
        for (var i = 0; i <= end; i++)
        {
            var last = i < pivots ? Word(pivotAt + i * 8) : max;
            if (i == end && (last == 0 || last > max)) last = max;
            if (last < first || last > max)
            {
                problems.Add($"{what}: node {node:x} slot {i} has pivot {last:x} outside {first:x}-{max:x}; rest of node skipped");
                return;
            }
            var slot = Word(slotAt + i * 8);
            if (slot != 0)
            {
                if (type == MapleLeaf64)
                {
                    if (!IsInternal(slot) && !Add(result, new MapleEntry(first, last, slot), what, problems)) return;
                }
                // Children are mt_mk_node() pointers (type in bits 3-6, MAPLE_ENODE_NULL bit 2); only ma_root carries xa_mk_node's 0b10.
                else if (slot > 4096 && (slot & 3) == 0) Walk(slot, first, last, depth + 1, seen, result, what, problems);
                else problems.Add($"{what}: node {node:x} slot {i} holds {slot:x}, not a child node");
            }
            if (last >= max) break;
            first = last + 1;
        }
    }

    static bool Add(List<MapleEntry> result, MapleEntry entry, string what, List<string> problems)
    {
        if (result.Count >= MaxEntries)
        {
            problems.Add($"{what}: more than {MaxEntries} entries; stopped there");
            return false;
        }
        result.Add(entry);
        return true;
    }
}
