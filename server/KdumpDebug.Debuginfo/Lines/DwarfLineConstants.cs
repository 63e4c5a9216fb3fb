namespace KdumpDebug.Debuginfo.Lines;

/// <summary>Standard line-number opcodes (DWARF 5 §6.2.5.2, Table 7.25): <c>Copy</c> is DW_LNS_copy.</summary>
internal enum DwLns : byte
{
    Copy = 0x01,
    AdvancePc = 0x02,
    AdvanceLine = 0x03,
    SetFile = 0x04,
    SetColumn = 0x05,
    NegateStmt = 0x06,
    SetBasicBlock = 0x07,
    ConstAddPc = 0x08,
    FixedAdvancePc = 0x09,
    SetPrologueEnd = 0x0a,
    SetEpilogueBegin = 0x0b,
    SetIsa = 0x0c,
}

/// <summary>Extended line-number opcodes (DWARF 5 §6.2.5.3, Table 7.26): <c>EndSequence</c> is DW_LNE_end_sequence.</summary>
internal enum DwLne : byte
{
    EndSequence = 0x01,
    SetAddress = 0x02,
    /// <summary>DW_LNE_define_file: DWARF 2-4 only.</summary>
    DefineFile = 0x03,
    SetDiscriminator = 0x04,
}

/// <summary>Line-header entry content types (DWARF 5 §6.2.4.1, Table 7.27): <c>Path</c> is DW_LNCT_path.</summary>
internal enum DwLnct : ushort
{
    Path = 0x1,
    DirectoryIndex = 0x2,
    Timestamp = 0x3,
    Size = 0x4,
    Md5 = 0x5,
}

/// <summary>The attribute forms that may describe a line-header entry (DWARF 5 §7.5.6): <c>LineStrp</c> is DW_FORM_line_strp.</summary>
internal enum DwLineForm : ushort
{
    Block2 = 0x03,
    Block4 = 0x04,
    Data2 = 0x05,
    Data4 = 0x06,
    Data8 = 0x07,
    String = 0x08,
    Block = 0x09,
    Block1 = 0x0a,
    Data1 = 0x0b,
    Sdata = 0x0d,
    Strp = 0x0e,
    Udata = 0x0f,
    StrpSup = 0x1d,
    Data16 = 0x1e,
    LineStrp = 0x1f,
    Strx = 0x1a,
    Strx1 = 0x25,
    Strx2 = 0x26,
    Strx3 = 0x27,
    Strx4 = 0x28,
}
