namespace KdumpDebug.Debuginfo.Dwarf;

// Offsets into the DWARF sections get their own small types, the way gimli keeps a .debug_info
// offset from indexing .debug_line by mistake. Each is a plain wrapper: no checks, no cost.

/// <summary>
/// An offset in <c>.debug_info</c> (a unit header or a DIE), or in <c>.debug_types</c> for a
/// DWARF 4 type unit (the owning <see cref="DwarfUnit.IsInTypesSection"/> says which).
/// </summary>
public readonly record struct DebugInfoOffset(ulong Value) : IComparable<DebugInfoOffset>
{
    public int CompareTo(DebugInfoOffset other) => Value.CompareTo(other.Value);
    public override string ToString() => $"0x{Value:x}";
}

/// <summary>An offset in <c>.debug_abbrev</c> (the start of one abbreviation table).</summary>
public readonly record struct DebugAbbrevOffset(ulong Value)
{
    public override string ToString() => $"0x{Value:x}";
}

/// <summary>An offset in <c>.debug_line</c> (DW_AT_stmt_list: the start of a line program).</summary>
public readonly record struct DebugLineOffset(ulong Value)
{
    public override string ToString() => $"0x{Value:x}";
}

/// <summary>
/// An offset of one location list: in <c>.debug_loclists</c> for DWARF 5 units, in
/// <c>.debug_loc</c> for DWARF 2-4 units.
/// </summary>
public readonly record struct LocationListOffset(ulong Value)
{
    public override string ToString() => $"0x{Value:x}";
}

/// <summary>
/// An offset of one range list: in <c>.debug_rnglists</c> for DWARF 5 units, in
/// <c>.debug_ranges</c> for DWARF 2-4 units.
/// </summary>
public readonly record struct RangeListOffset(ulong Value)
{
    public override string ToString() => $"0x{Value:x}";
}
