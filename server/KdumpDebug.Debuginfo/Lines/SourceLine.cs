namespace KdumpDebug.Debuginfo.Lines;

/// <summary>
/// A source position from the DWARF line table.
/// </summary>
/// <param name="File">The path as crash (gdb 10) prints it: compilation directory, include
/// directory and file name joined with '/', e.g. <c>./drivers/tty/sysrq.c</c> or
/// <c>././include/linux/atomic/atomic-arch-fallback.h</c> for a kernel built with
/// <c>-fdebug-prefix-map=SRC=.</c>.</param>
/// <param name="Line">1-based line number.</param>
/// <param name="Column">1-based column, or 0 when the compiler gave none.</param>
public readonly record struct SourceLine(string File, int Line, int Column);
