using KdumpDebug.Core.Errors;

namespace KdumpDebug.Debuginfo.Types;

/// <summary>
/// A type, variable or function was asked for, but the file has no DWARF debug information
/// (a stripped vmlinux). One line naming the file and what to do.
/// </summary>
public sealed class NoDebugInfoException(string path)
    : KdumpDebugException($"{path}: no debug info (no .debug_info section): types, variables and functions need the vmlinux with DWARF (CONFIG_DEBUG_INFO, or the distribution's debug package)")
{
    public string FilePath { get; } = path;
}
