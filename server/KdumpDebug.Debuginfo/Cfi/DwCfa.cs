namespace KdumpDebug.Debuginfo.Cfi;

/// <summary>
/// Call frame instructions (DWARF 5 §6.4.2, Table 7.29), plus the GNU extensions GCC emits.
/// The three "primary" opcodes keep their operand in the low 6 bits of the opcode byte; their
/// values here are the high two bits.
/// </summary>
public enum DwCfa : byte
{
    /// <summary><c>DW_CFA_advance_loc</c> (high bits 0x1, delta in the low 6 bits).</summary>
    AdvanceLoc = 0x40,
    /// <summary><c>DW_CFA_offset</c> (high bits 0x2, register in the low 6 bits; ULEB128 factored offset).</summary>
    Offset = 0x80,
    /// <summary><c>DW_CFA_restore</c> (high bits 0x3, register in the low 6 bits).</summary>
    Restore = 0xc0,
    /// <summary><c>DW_CFA_nop</c>.</summary>
    Nop = 0x00,
    /// <summary><c>DW_CFA_set_loc</c>: address operand.</summary>
    SetLoc = 0x01,
    /// <summary><c>DW_CFA_advance_loc1</c>.</summary>
    AdvanceLoc1 = 0x02,
    /// <summary><c>DW_CFA_advance_loc2</c>.</summary>
    AdvanceLoc2 = 0x03,
    /// <summary><c>DW_CFA_advance_loc4</c>.</summary>
    AdvanceLoc4 = 0x04,
    /// <summary><c>DW_CFA_offset_extended</c>.</summary>
    OffsetExtended = 0x05,
    /// <summary><c>DW_CFA_restore_extended</c>.</summary>
    RestoreExtended = 0x06,
    /// <summary><c>DW_CFA_undefined</c>.</summary>
    Undefined = 0x07,
    /// <summary><c>DW_CFA_same_value</c>.</summary>
    SameValue = 0x08,
    /// <summary><c>DW_CFA_register</c>.</summary>
    Register = 0x09,
    /// <summary><c>DW_CFA_remember_state</c>.</summary>
    RememberState = 0x0a,
    /// <summary><c>DW_CFA_restore_state</c>.</summary>
    RestoreState = 0x0b,
    /// <summary><c>DW_CFA_def_cfa</c>.</summary>
    DefCfa = 0x0c,
    /// <summary><c>DW_CFA_def_cfa_register</c>.</summary>
    DefCfaRegister = 0x0d,
    /// <summary><c>DW_CFA_def_cfa_offset</c>.</summary>
    DefCfaOffset = 0x0e,
    /// <summary><c>DW_CFA_def_cfa_expression</c>.</summary>
    DefCfaExpression = 0x0f,
    /// <summary><c>DW_CFA_expression</c>.</summary>
    Expression = 0x10,
    /// <summary><c>DW_CFA_offset_extended_sf</c>.</summary>
    OffsetExtendedSf = 0x11,
    /// <summary><c>DW_CFA_def_cfa_sf</c>.</summary>
    DefCfaSf = 0x12,
    /// <summary><c>DW_CFA_def_cfa_offset_sf</c>.</summary>
    DefCfaOffsetSf = 0x13,
    /// <summary><c>DW_CFA_val_offset</c>.</summary>
    ValOffset = 0x14,
    /// <summary><c>DW_CFA_val_offset_sf</c>.</summary>
    ValOffsetSf = 0x15,
    /// <summary><c>DW_CFA_val_expression</c>.</summary>
    ValExpression = 0x16,
    /// <summary><c>DW_CFA_GNU_window_save</c> (SPARC; never valid on x86-64).</summary>
    GnuWindowSave = 0x2d,
    /// <summary><c>DW_CFA_GNU_args_size</c>: bytes of outgoing arguments pushed; no effect on the row.</summary>
    GnuArgsSize = 0x2e,
    /// <summary><c>DW_CFA_GNU_negative_offset_extended</c> (obsolete form of offset_extended_sf).</summary>
    GnuNegativeOffsetExtended = 0x2f,
}
