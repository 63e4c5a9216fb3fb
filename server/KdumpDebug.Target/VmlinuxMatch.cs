using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo;

namespace KdumpDebug.Target;

/// <summary>
/// Refuses a vmlinux that was not built for the crashed kernel, as crash does ("vmlinux and vmcore
/// do not match!"), naming the field that differs. The build-id (VMCOREINFO BUILD-ID, since Linux
/// 5.9) is decisive; the release string is compared when either side lacks a build-id.
/// </summary>
public static class VmlinuxMatch
{
    public static void Check(Vmlinux vmlinux, VmcoreInfo info, string vmcorePath)
    {
        var dumpId = info.BuildId;
        var fileId = vmlinux.BuildId;
        if (dumpId is not null && fileId is not null)
        {
            // VMCOREINFO may hold a build-id truncated to the note's length: compare the common prefix.
            var n = Math.Min(dumpId.Length, fileId.Length);
            if (!string.Equals(dumpId[..n], fileId[..n], StringComparison.Ordinal))
                throw new KdumpDebugException(
                    $"vmlinux and vmcore do not match! build-id: {vmlinux.OriginalPath} has {fileId}, {vmcorePath} has BUILD-ID={dumpId}");
            return;
        }
        var dumpRelease = info.OsRelease;
        var fileRelease = vmlinux.Release;
        if (dumpRelease is not null && fileRelease is not null && dumpRelease != fileRelease)
            throw new KdumpDebugException(
                $"vmlinux and vmcore do not match! release: {vmlinux.OriginalPath} is {fileRelease}, {vmcorePath} has OSRELEASE={dumpRelease}");
    }
}
