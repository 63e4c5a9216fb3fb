using KdumpDebug.Target;

namespace KdumpDebug.Server;

/// <summary>
/// Opens the dump the command line names, the same way for every front end that takes files
/// (the console and <c>triage</c>): one or two files in either order (<see cref="DumpFileRoles"/>),
/// <c>--modules</c> and <c>--debuginfo-dir</c> folders. Returns the target and the file names as
/// given (crash prints its arguments, not resolved paths); the vmlinux name is null when it was found
/// automatically.
/// </summary>
static class TargetArguments
{
    public static (KernelTarget Target, string? Vmlinux, string Vmcore) Open(
        IReadOnlyList<string> files, IReadOnlyList<string> moduleDirectories, IReadOnlyList<string> debugInfoDirectories)
    {
        var (vmlinux, vmcore) = DumpFileRoles.Assign(files);
        var target = KernelTarget.Open(new TargetOptions(
            vmcore,
            vmlinux,
            moduleDirectories.Count > 0 ? moduleDirectories : null,
            debugInfoDirectories.Count > 0 ? debugInfoDirectories : null));
        return (target, vmlinux, vmcore);
    }
}
