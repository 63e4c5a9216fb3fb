namespace KdumpDebug.Target.Unwind;

/// <summary>
/// One frame as a debugger shows it: a physical frame (<see cref="Physical"/>) or one of the
/// functions the compiler inlined into it (DW_TAG_inlined_subroutine). A physical frame whose pc is
/// inside N nested inline instances becomes N + 1 logical frames, innermost first, all sharing the
/// physical frame's registers.
/// </summary>
/// <param name="Physical">The unwound frame this one belongs to.</param>
/// <param name="InlineDepth">0 for the innermost logical frame of the physical frame, counting
/// outwards; the physical function itself has the highest depth.</param>
/// <param name="IsInline">True for an inlined instance; false for the out-of-line function whose
/// code the physical frame runs (the last logical frame of its physical frame).</param>
/// <param name="Function">The function's name (an inline instance's from its DW_AT_abstract_origin),
/// or null when neither DWARF nor the symbol table names the pc.</param>
/// <param name="File">The source file as crash prints paths: from the line table for the innermost
/// logical frame, from the inner instance's DW_AT_call_file for the outer ones; null when unknown.</param>
/// <param name="Line">The source line (0 when unknown): the line table's for the innermost, the inner
/// instance's DW_AT_call_line for the outer ones.</param>
public sealed record LogicalFrame(StackFrameInfo Physical, int InlineDepth, bool IsInline, string? Function, string? File, int Line)
{
    /// <summary>
    /// The frame's DWARF scope: the DW_TAG_inlined_subroutine of an inline frame, the
    /// DW_TAG_subprogram of the out-of-line function; default when DWARF does not describe the pc.
    /// Its parameters and locals are the frame's (<see cref="Frames.FrameVariables"/>).
    /// </summary>
    public KdumpDebug.Debuginfo.Dwarf.Die Scope { get; init; }

    /// <summary>The DW_TAG_subprogram of the physical frame's function (whose DW_AT_frame_base every inline level uses); default when unknown.</summary>
    public KdumpDebug.Debuginfo.Dwarf.Die Subprogram { get; init; }

    /// <summary>The frame's code address (pc, or pc - 1 for a return address) in the address space of its DWARF (link-time for the vmlinux).</summary>
    public ulong DwarfAddress { get; init; }

    public override string ToString() =>
        $"{Function ?? Physical.Describe()}{(IsInline ? " (inline)" : "")}{(File is null ? "" : $" at {File}:{Line}")}";
}
