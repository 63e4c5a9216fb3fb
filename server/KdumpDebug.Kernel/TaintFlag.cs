namespace KdumpDebug.Kernel;

/// <summary>
/// One entry of the kernel's <c>taint_flags[]</c> table (kernel/panic.c, <c>struct taint_flag</c>
/// in include/linux/panic.h): the letter printed when the bit is set, the one printed when it is
/// clear (usually a space; 'G' for bit 0, "proprietary module"), and whether modules carry it.
/// Index in the table = bit in <c>tainted_mask</c>. Immutable.
/// </summary>
public sealed record TaintFlag(char CTrue, char CFalse, bool Module);
