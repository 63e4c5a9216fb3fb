namespace KdumpDebug.Target;

/// <summary>
/// What to open: the vmcore (required), the vmlinux (found from the dump's release/build-id in
/// <see cref="DebugInfoDirectories"/> and the usual distribution folders when null), module debug
/// folders, and where compressed debug files are unpacked (null: the default cache folder).
/// </summary>
public sealed record TargetOptions(
    string VmcorePath,
    string? VmlinuxPath = null,
    IReadOnlyList<string>? ModuleDirectories = null,
    IReadOnlyList<string>? DebugInfoDirectories = null,
    string? CacheDirectory = null);
