using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel.Fs;

/// <summary>An open file descriptor of a task: its number and the <c>struct file</c> it refers to.</summary>
public readonly record struct OpenFile(int Fd, ulong File);

/// <summary>
/// A task's open file descriptors: <c>task-&gt;files-&gt;fdt</c> (struct fdtable, include/linux/fdtable.h),
/// the bits set in <c>fdt-&gt;open_fds</c> below <c>fdt-&gt;max_fds</c>, each with its non-NULL
/// <c>fdt-&gt;fd[i]</c>. Cost: one read of the bitmap and one of the file pointer array. A task
/// without a files_struct (an exiting task, a kernel thread that dropped it) has none.
/// </summary>
public static class FdTable
{
    /// <summary>sysctl fs.nr_open can be at most 1 &lt;&lt; 30 (fs/file.c); larger is corrupt data.</summary>
    const ulong MaxFds = 1UL << 24;

    public static IReadOnlyList<OpenFile> OpenFiles(KernelTarget target, ulong task)
    {
        var r = new KernelReader(target);
        var files = r.U64(task + r.Offset("task_struct", "files"));
        if (files == 0) return [];
        var fdt = r.U64(files + r.Offset("files_struct", "fdt"));
        if (fdt == 0) return [];
        var maxFds = r.U32(fdt + r.Offset("fdtable", "max_fds"));
        if (maxFds > MaxFds) throw new KdumpDebugException($"fdtable {fdt:x}: max_fds {maxFds} is past the limit {MaxFds}");
        var fdArray = r.U64(fdt + r.Offset("fdtable", "fd"));
        var openFds = r.U64(fdt + r.Offset("fdtable", "open_fds"));
        if (fdArray == 0 || openFds == 0 || maxFds == 0) return [];
        var bitmap = r.Bytes(openFds, (int)((maxFds + 63) / 64 * 8));
        var pointers = r.Bytes(fdArray, (int)maxFds * 8);
        var result = new List<OpenFile>();
        for (var fd = 0; fd < maxFds; fd++)
        {
            if ((bitmap[fd >> 3] & (1 << (fd & 7))) == 0) continue;
            var file = BitConverter.ToUInt64(pointers, fd * 8);
            if (file != 0) result.Add(new OpenFile(fd, file));
        }
        return result;
    }
}
