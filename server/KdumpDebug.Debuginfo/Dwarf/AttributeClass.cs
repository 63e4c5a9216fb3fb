namespace KdumpDebug.Debuginfo.Dwarf;

/// <summary>
/// What an attribute value is (DWARF 5 §7.5.5, Table 7.5.5 "attribute classes"), decided from
/// its form and, for DW_FORM_sec_offset (and DWARF 2-3 data4/data8 offsets), its name.
/// </summary>
public enum AttributeClass : byte
{
    /// <summary>DW_FORM_addr, DW_FORM_addrx*: a target address.</summary>
    Address,
    /// <summary>DW_FORM_block*: uninterpreted bytes.</summary>
    Block,
    /// <summary>DW_FORM_data*, sdata, udata, implicit_const: an integer.</summary>
    Constant,
    /// <summary>DW_FORM_exprloc: a DWARF expression.</summary>
    ExprLoc,
    /// <summary>DW_FORM_flag, DW_FORM_flag_present.</summary>
    Flag,
    /// <summary>A reference to another DIE (DW_FORM_ref*, ref_addr, ref_sig8).</summary>
    Reference,
    /// <summary>A string (DW_FORM_string, strp, line_strp, strx*).</summary>
    String,
    /// <summary>An offset in <c>.debug_line</c> (DW_AT_stmt_list).</summary>
    LinePtr,
    /// <summary>A location list (DW_FORM_sec_offset into <c>.debug_loclists</c>/<c>.debug_loc</c>, or DW_FORM_loclistx).</summary>
    LocList,
    /// <summary>A range list (DW_FORM_sec_offset into <c>.debug_rnglists</c>/<c>.debug_ranges</c>, or DW_FORM_rnglistx).</summary>
    RngList,
    /// <summary>Another section offset (str_offsets_base, addr_base, rnglists_base, loclists_base, macros).</summary>
    SectionOffset,
}
