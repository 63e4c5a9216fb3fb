namespace KdumpDebug.Debuginfo.Dwarf;

/// <summary>
/// Range list entry kinds in <c>.debug_rnglists</c> (DWARF 5 §7.25, Table 7.30): <c>OffsetPair</c> is DW_RLE_offset_pair.
/// </summary>
public enum DwRle : byte
{
    /// <summary><c>DW_RLE_end_of_list</c></summary>
    EndOfList = 0x0,
    /// <summary><c>DW_RLE_base_addressx</c></summary>
    BaseAddressx = 0x1,
    /// <summary><c>DW_RLE_startx_endx</c></summary>
    StartxEndx = 0x2,
    /// <summary><c>DW_RLE_startx_length</c></summary>
    StartxLength = 0x3,
    /// <summary><c>DW_RLE_offset_pair</c></summary>
    OffsetPair = 0x4,
    /// <summary><c>DW_RLE_base_address</c></summary>
    BaseAddress = 0x5,
    /// <summary><c>DW_RLE_start_end</c></summary>
    StartEnd = 0x6,
    /// <summary><c>DW_RLE_start_length</c></summary>
    StartLength = 0x7,
}
