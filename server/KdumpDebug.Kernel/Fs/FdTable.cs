using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel.Fs;

/// <summary>
/// A task's file descriptor table (<c>struct files_struct</c>, include/linux/fdtable.h): the
/// <c>struct file *</c> of every fd whose bit is set in <c>open_fds</c>, below <c>max_fds</c>
/// (crash's open_files_dump walk). The table is <c>files-&gt;fdt</c> since v2.6.14; before, its
/// members were in files_struct itself (chosen from the DWARF). Cost: the bitmap in one read,
/// then one 8-byte read per open fd.
/// </summary>
public static class FdTable
{
    /// <summary>NR_OPEN (1024*1024, include/linux/fs.h): sysctl fs.nr_open cannot go higher.</summary>
    public const uint MaxFds = 1024 * 1024;

    /// <summary>
    /// (fd, file pointer) of each open fd, ascending; empty for a null <paramref name="files"/>.
    /// Throws when the table or its bitmap cannot be read; a slot of the fd array that cannot be
    /// read is returned with file 0 and the reason in Error.
    /// </summary>
    public static List<(int Fd, ulong File, string? Error)> ForEachOpenFd(KernelTarget target, ulong files) =>
        ForEachOpenFd(target, target.TypeLayouts, files);

    /// <summary><see cref="ForEachOpenFd(KernelTarget, ulong)"/> over any memory, with the given type layouts.</summary>
    public static List<(int Fd, ulong File, string? Error)> ForEachOpenFd(IKernelTarget target, ITypeLayouts layouts, ulong files)
    {
        var result = new List<(int, ulong, string?)>();
        if (files == 0) return result;
        ulong table;
        string type;
        if (layouts.TryGetMemberOffset("files_struct", "fdt", out _))
        {
            table = KernelMemory.ReadU64(target, files + KernelMemory.Offset(layouts, "files_struct", "fdt"));
            type = "fdtable";
            if (table == 0) return result;
        }
        else
        {
            table = files;
            type = "files_struct";
        }
        var maxFds = KernelMemory.ReadU32(target, table + KernelMemory.Offset(layouts, type, "max_fds"));
        if (maxFds > MaxFds) throw new KdumpDebugException($"{type} {table:x}: max_fds {maxFds} is larger than NR_OPEN");
        var fdArray = KernelMemory.ReadU64(target, table + KernelMemory.Offset(layouts, type, "fd"));
        var openFds = KernelMemory.ReadU64(target, table + KernelMemory.Offset(layouts, type, "open_fds"));
        if (maxFds == 0 || fdArray == 0 || openFds == 0) return result;
        var words = new byte[(maxFds + 63) / 64 * 8];
        target.ReadVirtual(openFds, words);
        for (var fd = 0; fd < maxFds; fd++)
        {
            if ((words[fd >> 3] & (1 << (fd & 7))) == 0) continue;
            var slot = fdArray + (ulong)fd * 8;
            try
            {
                var file = KernelMemory.ReadU64(target, slot);
                if (file != 0) result.Add((fd, file, null));
            }
            catch (KdumpDebugException e)
            {
                result.Add((fd, 0, $"cannot read fd array slot {slot:x}: {e.Message}"));
            }
        }
        return result;
    }
}
