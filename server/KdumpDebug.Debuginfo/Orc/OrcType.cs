namespace KdumpDebug.Debuginfo.Orc;

/// <summary>
/// ORC entry types, normalized to the v6.4 numbering whatever the kernel's layout
/// (see <see cref="OrcEntryLayout"/> for how each version encodes them).
/// </summary>
public enum OrcType : byte
{
    /// <summary><c>ORC_TYPE_UNDEFINED</c> (before v6.4: sp_reg undefined and end clear): no unwind information.</summary>
    Undefined = 0,
    /// <summary><c>ORC_TYPE_END_OF_STACK</c> (before v6.4: sp_reg undefined and end set): the last frame.</summary>
    EndOfStack = 1,
    /// <summary><c>ORC_TYPE_CALL</c>: an ordinary frame, return address at sp - 8.</summary>
    Call = 2,
    /// <summary><c>ORC_TYPE_REGS</c>: a full <c>struct pt_regs</c> at sp.</summary>
    Regs = 3,
    /// <summary><c>ORC_TYPE_REGS_PARTIAL</c> (<c>ORC_TYPE_REGS_IRET</c> before v5.6): an iret frame at sp.</summary>
    RegsPartial = 4,
}
