namespace KdumpDebug.Debuginfo.Dwarf;

/// <summary>A half-open range of link-time addresses [Begin, End).</summary>
public readonly record struct AddressRange(ulong Begin, ulong End)
{
    public bool Contains(ulong address) => address >= Begin && address < End;
    public override string ToString() => $"[0x{Begin:x}, 0x{End:x})";
}
