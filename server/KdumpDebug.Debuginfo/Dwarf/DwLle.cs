namespace KdumpDebug.Debuginfo.Dwarf;

/// <summary>
/// Location list entry kinds in <c>.debug_loclists</c> (DWARF 5 §7.7.3, Table 7.10): <c>OffsetPair</c> is DW_LLE_offset_pair.
/// </summary>
public enum DwLle : byte
{
    /// <summary><c>DW_LLE_end_of_list</c></summary>
    EndOfList = 0x0,
    /// <summary><c>DW_LLE_base_addressx</c></summary>
    BaseAddressx = 0x1,
    /// <summary><c>DW_LLE_startx_endx</c></summary>
    StartxEndx = 0x2,
    /// <summary><c>DW_LLE_startx_length</c></summary>
    StartxLength = 0x3,
    /// <summary><c>DW_LLE_offset_pair</c></summary>
    OffsetPair = 0x4,
    /// <summary><c>DW_LLE_default_location</c></summary>
    DefaultLocation = 0x5,
    /// <summary><c>DW_LLE_base_address</c></summary>
    BaseAddress = 0x6,
    /// <summary><c>DW_LLE_start_end</c></summary>
    StartEnd = 0x7,
    /// <summary><c>DW_LLE_start_length</c></summary>
    StartLength = 0x8,
    /// <summary><c>DW_LLE_GNU_view_pair</c></summary>
    GnuViewPair = 0x9,
}
