namespace KdumpDebug.Debuginfo.Dwarf;

/// <summary>
/// Attribute forms (DWARF 5 §7.5.6, Table 7.6, plus GNU extensions): <c>Strx1</c> is DW_FORM_strx1.
/// </summary>
public enum DwForm : ushort
{
    /// <summary><c>DW_FORM_addr</c></summary>
    Addr = 0x1,
    /// <summary><c>DW_FORM_block2</c></summary>
    Block2 = 0x3,
    /// <summary><c>DW_FORM_block4</c></summary>
    Block4 = 0x4,
    /// <summary><c>DW_FORM_data2</c></summary>
    Data2 = 0x5,
    /// <summary><c>DW_FORM_data4</c></summary>
    Data4 = 0x6,
    /// <summary><c>DW_FORM_data8</c></summary>
    Data8 = 0x7,
    /// <summary><c>DW_FORM_string</c></summary>
    String = 0x8,
    /// <summary><c>DW_FORM_block</c></summary>
    Block = 0x9,
    /// <summary><c>DW_FORM_block1</c></summary>
    Block1 = 0xa,
    /// <summary><c>DW_FORM_data1</c></summary>
    Data1 = 0xb,
    /// <summary><c>DW_FORM_flag</c></summary>
    Flag = 0xc,
    /// <summary><c>DW_FORM_sdata</c></summary>
    Sdata = 0xd,
    /// <summary><c>DW_FORM_strp</c></summary>
    Strp = 0xe,
    /// <summary><c>DW_FORM_udata</c></summary>
    Udata = 0xf,
    /// <summary><c>DW_FORM_ref_addr</c></summary>
    RefAddr = 0x10,
    /// <summary><c>DW_FORM_ref1</c></summary>
    Ref1 = 0x11,
    /// <summary><c>DW_FORM_ref2</c></summary>
    Ref2 = 0x12,
    /// <summary><c>DW_FORM_ref4</c></summary>
    Ref4 = 0x13,
    /// <summary><c>DW_FORM_ref8</c></summary>
    Ref8 = 0x14,
    /// <summary><c>DW_FORM_ref_udata</c></summary>
    RefUdata = 0x15,
    /// <summary><c>DW_FORM_indirect</c></summary>
    Indirect = 0x16,
    /// <summary><c>DW_FORM_sec_offset</c></summary>
    SecOffset = 0x17,
    /// <summary><c>DW_FORM_exprloc</c></summary>
    Exprloc = 0x18,
    /// <summary><c>DW_FORM_flag_present</c></summary>
    FlagPresent = 0x19,
    /// <summary><c>DW_FORM_strx</c></summary>
    Strx = 0x1a,
    /// <summary><c>DW_FORM_addrx</c></summary>
    Addrx = 0x1b,
    /// <summary><c>DW_FORM_ref_sup4</c></summary>
    RefSup4 = 0x1c,
    /// <summary><c>DW_FORM_strp_sup</c></summary>
    StrpSup = 0x1d,
    /// <summary><c>DW_FORM_data16</c></summary>
    Data16 = 0x1e,
    /// <summary><c>DW_FORM_line_strp</c></summary>
    LineStrp = 0x1f,
    /// <summary><c>DW_FORM_ref_sig8</c></summary>
    RefSig8 = 0x20,
    /// <summary><c>DW_FORM_implicit_const</c></summary>
    ImplicitConst = 0x21,
    /// <summary><c>DW_FORM_loclistx</c></summary>
    Loclistx = 0x22,
    /// <summary><c>DW_FORM_rnglistx</c></summary>
    Rnglistx = 0x23,
    /// <summary><c>DW_FORM_ref_sup8</c></summary>
    RefSup8 = 0x24,
    /// <summary><c>DW_FORM_strx1</c></summary>
    Strx1 = 0x25,
    /// <summary><c>DW_FORM_strx2</c></summary>
    Strx2 = 0x26,
    /// <summary><c>DW_FORM_strx3</c></summary>
    Strx3 = 0x27,
    /// <summary><c>DW_FORM_strx4</c></summary>
    Strx4 = 0x28,
    /// <summary><c>DW_FORM_addrx1</c></summary>
    Addrx1 = 0x29,
    /// <summary><c>DW_FORM_addrx2</c></summary>
    Addrx2 = 0x2a,
    /// <summary><c>DW_FORM_addrx3</c></summary>
    Addrx3 = 0x2b,
    /// <summary><c>DW_FORM_addrx4</c></summary>
    Addrx4 = 0x2c,
    /// <summary><c>DW_FORM_GNU_addr_index</c></summary>
    GnuAddrIndex = 0x1f01,
    /// <summary><c>DW_FORM_GNU_str_index</c></summary>
    GnuStrIndex = 0x1f02,
    /// <summary><c>DW_FORM_GNU_ref_alt</c></summary>
    GnuRefAlt = 0x1f20,
    /// <summary><c>DW_FORM_GNU_strp_alt</c></summary>
    GnuStrpAlt = 0x1f21,
}
