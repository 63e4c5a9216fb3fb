using KdumpDebug.Debuginfo.Cfi;
using KdumpDebug.Debuginfo.Orc;

namespace KdumpDebug.Target.Unwind;

/// <summary>
/// An <see cref="OrcTable"/> answering for the run-time addresses [<see cref="Start"/>, <see cref="End"/>)
/// (the ORC table's last entry covers everything above it, so the range bounds it), with
/// <see cref="Bias"/> added to the table's addresses (the KASLR offset for a vmlinux table, 0 for a
/// module table read from memory). ORC_TYPE_UNDEFINED entries count as "no information", so a
/// DWARF source can answer instead (objtool emits no ORC for functions marked
/// STACK_FRAME_NON_STANDARD or files it skips; in the fixture kernel, __crash_kexec).
/// </summary>
public sealed class OrcRowSource(OrcTable table, ulong start, ulong end, ulong bias, string name) : IUnwindRowSource
{
    public OrcTable Table { get; } = table ?? throw new ArgumentNullException(nameof(table));
    public ulong Start { get; } = start;
    public ulong End { get; } = end;
    public ulong Bias { get; } = bias;
    public string Name { get; } = name;

    public bool TryFindRow(ulong address, out UnwindRow row)
    {
        row = null!;
        if (address < Start || address >= End) return false;
        if (!Table.TryFind(unchecked(address - Bias), out var entry, out var entryStart, out var entryEnd)) return false;
        var r = entry.ToUnwindRow(unchecked(entryStart + Bias), entryEnd == ulong.MaxValue ? End : unchecked(entryEnd + Bias));
        if (r is null) return false;
        row = r;
        return true;
    }
}
