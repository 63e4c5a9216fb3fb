using KdumpDebug.Debuginfo.Cfi;

namespace KdumpDebug.Target.Unwind;

/// <summary>
/// A <see cref="CfiTable"/> answering for the run-time addresses [<see cref="Start"/>, <see cref="End"/>),
/// with <see cref="Bias"/> added to the table's addresses (see <see cref="OrcRowSource"/>).
/// </summary>
public sealed class CfiRowSource(CfiTable table, ulong start, ulong end, ulong bias, string name) : IUnwindRowSource
{
    public CfiTable Table { get; } = table ?? throw new ArgumentNullException(nameof(table));
    public ulong Start { get; } = start;
    public ulong End { get; } = end;
    public ulong Bias { get; } = bias;
    public string Name { get; } = name;

    public bool TryFindRow(ulong address, out UnwindRow row)
    {
        row = null!;
        if (address < Start || address >= End) return false;
        if (!Table.TryFindRow(unchecked(address - Bias), out var r)) return false;
        r.Start = unchecked(r.Start + Bias);
        r.End = unchecked(r.End + Bias);
        row = r;
        return true;
    }
}
