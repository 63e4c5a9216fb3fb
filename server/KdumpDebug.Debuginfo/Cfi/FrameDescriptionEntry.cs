namespace KdumpDebug.Debuginfo.Cfi;

/// <summary>
/// A Frame Description Entry (DWARF 5 §6.4.1): the address range it covers and where its
/// instructions are. Pure data; <see cref="CfiTable"/> resolves the CIE and runs the instructions.
/// </summary>
/// <param name="Offset">Offset of the FDE's length field in the section.</param>
/// <param name="CieOffset">Offset of its CIE in the section.</param>
/// <param name="InitialLocation">First address covered.</param>
/// <param name="AddressRange">Number of bytes covered.</param>
/// <param name="InstructionsOffset">Offset of the first call frame instruction.</param>
/// <param name="InstructionsLength">Bytes of instructions (to the end of the FDE, padding included).</param>
public readonly record struct FrameDescriptionEntry(
    long Offset,
    long CieOffset,
    ulong InitialLocation,
    ulong AddressRange,
    int InstructionsOffset,
    int InstructionsLength)
{
    /// <summary>First address past the range (saturating).</summary>
    public ulong EndLocation => ulong.MaxValue - InitialLocation < AddressRange ? ulong.MaxValue : InitialLocation + AddressRange;

    public bool Contains(ulong address) => address >= InitialLocation && address - InitialLocation < AddressRange;
}
