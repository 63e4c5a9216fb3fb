namespace KdumpDebug.Debuginfo.Cfi;

/// <summary>Which unwind information produced an <see cref="UnwindRow"/>.</summary>
public enum UnwindRowSource : byte
{
    /// <summary>The kernel's ORC tables (<c>.orc_unwind</c>/<c>.orc_unwind_ip</c>).</summary>
    Orc = 0,
    /// <summary>DWARF call frame information (<c>.debug_frame</c> or <c>.eh_frame</c>).</summary>
    Cfi,
    /// <summary>The frame-pointer convention (rbp chain), used when nothing else covers the address.</summary>
    FramePointer,
}
