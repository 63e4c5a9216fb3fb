namespace KdumpDebug.Debuginfo.Orc;

/// <summary>
/// ORC base registers (<c>ORC_REG_*</c> in arch/x86/include/asm/orc_types.h; the numbering has
/// not changed since ORC was added in v4.14, commit 39358a033b2e).
/// </summary>
public enum OrcRegister : byte
{
    /// <summary><c>ORC_REG_UNDEFINED</c>: no frame information (or, with the end flag, end of stack).</summary>
    Undefined = 0,
    /// <summary><c>ORC_REG_PREV_SP</c>: relative to the previous frame's stack pointer (bp rules only).</summary>
    PrevSp = 1,
    /// <summary><c>ORC_REG_DX</c>.</summary>
    Dx = 2,
    /// <summary><c>ORC_REG_DI</c>.</summary>
    Di = 3,
    /// <summary><c>ORC_REG_BP</c>.</summary>
    Bp = 4,
    /// <summary><c>ORC_REG_SP</c>.</summary>
    Sp = 5,
    /// <summary><c>ORC_REG_R10</c>.</summary>
    R10 = 6,
    /// <summary><c>ORC_REG_R13</c>.</summary>
    R13 = 7,
    /// <summary><c>ORC_REG_BP_INDIRECT</c>: the previous sp is stored at bp + sp_offset.</summary>
    BpIndirect = 8,
    /// <summary><c>ORC_REG_SP_INDIRECT</c>: the previous sp is stored at sp, plus sp_offset (since v5.12, commit 87ccc826bf1c).</summary>
    SpIndirect = 9,
}
