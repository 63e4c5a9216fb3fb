namespace KdumpDebug.Debuginfo.Cfi;

/// <summary>What kind of frame an <see cref="UnwindRow"/> describes.</summary>
public enum UnwindRowKind : byte
{
    /// <summary>An ordinary function frame: the caller's <c>rip</c> is a return address.</summary>
    Call = 0,
    /// <summary>
    /// A full <c>struct pt_regs</c> starts at the CFA (ORC_TYPE_REGS): the caller is the interrupted
    /// context (crash's "exception frame"), and its <c>rip</c> is the interrupted instruction.
    /// </summary>
    Regs,
    /// <summary>
    /// Only the hardware iret frame (ip, cs, flags, sp, ss) is at the CFA (ORC_TYPE_REGS_PARTIAL,
    /// called REGS_IRET before v5.6); the pt_regs it belongs to starts 128 bytes lower.
    /// </summary>
    RegsPartial,
    /// <summary>The outermost frame of a kernel stack (ORC end-of-stack hint): nothing to unwind.</summary>
    EndOfStack,
}
