namespace KdumpDebug.Debuginfo.Dwarf;

/// <summary>
/// One entry of a location list: where the expression applies ([Begin, End) link-time addresses,
/// or everywhere else for a DW_LLE_default_location entry) and the DWARF expression bytes
/// (decode with <see cref="DwarfExpression.Decode"/>).
/// </summary>
public readonly record struct LocationListEntry(ulong Begin, ulong End, bool IsDefault, ReadOnlyMemory<byte> Expression)
{
    public bool Contains(ulong address) => IsDefault || (address >= Begin && address < End);
}
