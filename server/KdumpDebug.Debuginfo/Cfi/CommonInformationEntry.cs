namespace KdumpDebug.Debuginfo.Cfi;

/// <summary>
/// A parsed Common Information Entry (DWARF 5 §6.4.1): what the FDEs that point to it share.
/// <see cref="InitialInstructionsOffset"/>/<see cref="InitialInstructionsLength"/> locate the
/// initial instructions in the section (executed before every FDE's own).
/// </summary>
/// <param name="Offset">Offset of the CIE's length field in the section.</param>
/// <param name="Version">1 (.eh_frame, GCC's .debug_frame), 3 or 4.</param>
/// <param name="Augmentation">The augmentation string ("", "zR", "zPLR", "zRS"...).</param>
/// <param name="AddressSize">Bytes in an address (8 unless a version 4 CIE says otherwise).</param>
/// <param name="SegmentSelectorSize">Version 4 segment selector size (0 on x86-64).</param>
/// <param name="CodeAlignmentFactor">Multiplies every advance_loc delta.</param>
/// <param name="DataAlignmentFactor">Multiplies every factored offset (-8 on x86-64).</param>
/// <param name="ReturnAddressRegister">DWARF column of the return address (16 on x86-64).</param>
/// <param name="FdePointerEncoding">'R' augmentation: how FDE addresses are encoded (.eh_frame).</param>
/// <param name="LsdaEncoding">'L' augmentation, or <see cref="DwEhPe.Omit"/>.</param>
/// <param name="IsSignalFrame">'S' augmentation: the FDEs describe signal/interrupt frames.</param>
/// <param name="HasAugmentationData">'z' augmentation: FDEs carry an augmentation data length.</param>
public sealed record CommonInformationEntry(
    long Offset,
    byte Version,
    string Augmentation,
    int AddressSize,
    int SegmentSelectorSize,
    ulong CodeAlignmentFactor,
    long DataAlignmentFactor,
    ulong ReturnAddressRegister,
    byte FdePointerEncoding,
    byte LsdaEncoding,
    bool IsSignalFrame,
    bool HasAugmentationData,
    int InitialInstructionsOffset,
    int InitialInstructionsLength);
