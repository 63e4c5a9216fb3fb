namespace KdumpDebug.Kernel.Mm;

/// <summary>
/// One virtual memory area (<c>struct vm_area_struct</c>): its address, range
/// [<see cref="Start"/>, <see cref="End"/>), <c>vm_flags</c>, <c>vm_pgoff</c>, the mapped
/// <c>struct file</c> (0 for anonymous memory) and that file's <c>d_path()</c> ("" when none, or
/// a one-line reason in <see cref="FileError"/> when it could not be read). Immutable.
/// </summary>
public sealed record VmArea(ulong Address, ulong Start, ulong End, ulong Flags, ulong PgOff, ulong File, string Path, string? FileError = null);
