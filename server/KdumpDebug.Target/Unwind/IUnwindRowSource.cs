using KdumpDebug.Debuginfo.Cfi;

namespace KdumpDebug.Target.Unwind;

/// <summary>
/// Where a <see cref="StackWalker"/> finds the <see cref="UnwindRow"/> for a code address: an ORC
/// table, a DWARF CFI table, each over a range of run-time addresses.
/// </summary>
public interface IUnwindRowSource
{
    /// <summary>Short name for logs ("vmlinux ORC", "lkdtm .debug_frame").</summary>
    string Name { get; }

    /// <summary>
    /// The row for <paramref name="address"/> (the pc of an interrupted frame, or a return address
    /// minus one), at run-time addresses; false when this source has no information there.
    /// May throw <see cref="Core.Errors.KdumpDebugException"/> for corrupt tables.
    /// </summary>
    bool TryFindRow(ulong address, out UnwindRow row);
}
