namespace KdumpDebug.Debuginfo.Cfi;

/// <summary>
/// Pointer encodings of <c>.eh_frame</c> (LSB 5.0 "DWARF Exception Header Encoding",
/// <c>DW_EH_PE_*</c>): the low nibble is the value format, bits 4-6 what it is relative to, and
/// 0x80 means "read the pointer through memory".
/// </summary>
public static class DwEhPe
{
    public const byte Absptr = 0x00, Uleb128 = 0x01, Udata2 = 0x02, Udata4 = 0x03, Udata8 = 0x04;
    public const byte Sleb128 = 0x09, Sdata2 = 0x0a, Sdata4 = 0x0b, Sdata8 = 0x0c;
    public const byte Pcrel = 0x10, Textrel = 0x20, Datarel = 0x30, Funcrel = 0x40, Aligned = 0x50;
    public const byte Indirect = 0x80;
    /// <summary><c>DW_EH_PE_omit</c>: no value present.</summary>
    public const byte Omit = 0xff;
}
