namespace KdumpDebug.Debuginfo.Dwarf;

/// <summary>
/// Unit header types (DWARF 5 §7.5.1, Table 7.2): <c>Compile</c> is DW_UT_compile. DWARF 2-4 units have no such field; they read as <c>Compile</c> (or <c>Type</c> in <c>.debug_types</c>).
/// </summary>
public enum DwUt : byte
{
    /// <summary><c>DW_UT_compile</c></summary>
    Compile = 0x1,
    /// <summary><c>DW_UT_type</c></summary>
    Type = 0x2,
    /// <summary><c>DW_UT_partial</c></summary>
    Partial = 0x3,
    /// <summary><c>DW_UT_skeleton</c></summary>
    Skeleton = 0x4,
    /// <summary><c>DW_UT_split_compile</c></summary>
    SplitCompile = 0x5,
    /// <summary><c>DW_UT_split_type</c></summary>
    SplitType = 0x6,
}
