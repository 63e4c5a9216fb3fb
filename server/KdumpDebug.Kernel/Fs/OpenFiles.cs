using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel.Fs;

/// <summary>
/// The open files of a task (crash's open_files_dump, with the kernel's own <c>d_path()</c> for
/// names): root and current directory from <c>task-&gt;fs</c>, then every fd of
/// <c>task-&gt;files</c> (<see cref="FdTable"/>). Paths go up to the topmost mount of the task's
/// namespace, as crash prints them and /proc/PID/fd shows them to an administrator in the initial
/// root: a chrooted task's ROOT is the directory it is confined to, not "/". A file, dentry or inode that cannot be
/// read gives that fd an <see cref="OpenFile.Error"/>; the other fds follow. Cost: a handful of
/// reads per fd plus two or three per path component.
/// </summary>
public static class OpenFiles
{
    public static TaskFiles Read(KernelTarget target, ulong task)
    {
        var problems = new List<string>();
        string? rootPath = null, cwdPath = null;
        var fs = KernelMemory.ReadU64(target, task + KernelMemory.Offset(target, "task_struct", "fs"));
        if (fs != 0)
        {
            try
            {
                var root = ReadPath(target, fs + KernelMemory.Offset(target, "fs_struct", "root"));
                var pwd = ReadPath(target, fs + KernelMemory.Offset(target, "fs_struct", "pwd"));
                rootPath = PathOrError(target, root);
                cwdPath = PathOrError(target, pwd);
            }
            catch (KdumpDebugException e)
            {
                problems.Add($"fs_struct {fs:x}: {e.Message}");
            }
        }

        var files = KernelMemory.ReadU64(target, task + KernelMemory.Offset(target, "task_struct", "files"));
        var result = new List<OpenFile>();
        if (files != 0)
        {
            List<(int Fd, ulong File, string? Error)> fds;
            try
            {
                fds = FdTable.ForEachOpenFd(target, files);
            }
            catch (KdumpDebugException e)
            {
                problems.Add($"files_struct {files:x}: {e.Message}");
                fds = [];
            }
            foreach (var (fd, file, error) in fds)
                result.Add(error is not null ? new OpenFile(fd, file, 0, 0, "", "", error) : Describe(target, fd, file));
        }
        return new TaskFiles(rootPath, cwdPath, files != 0, result, problems);
    }

    /// <summary>One fd's file: dentry, inode, type and name; an unreadable part is recorded in Error.</summary>
    public static OpenFile Describe(KernelTarget target, int fd, ulong file)
    {
        ulong dentry = 0, inode = 0;
        try
        {
            var (mnt, d) = ReadPath(target, file + KernelMemory.Offset(target, "file", "f_path"));
            dentry = d;
            if (dentry == 0) return new OpenFile(fd, file, 0, 0, "?   ", "?");
            inode = KernelMemory.ReadU64(target, dentry + KernelMemory.Offset(target, "dentry", "d_inode"));
            if (inode == 0) return new OpenFile(fd, file, dentry, 0, "?   ", "?");
            var type = InodeType.Of(target, inode);
            return new OpenFile(fd, file, dentry, inode, type, DPath.Path(target, mnt, dentry));
        }
        catch (KdumpDebugException e)
        {
            return new OpenFile(fd, file, dentry, inode, "", "", e.Message);
        }
    }

    /// <summary>A <c>struct path</c> at <paramref name="address"/>: (mnt, dentry).</summary>
    public static (ulong Vfsmount, ulong Dentry) ReadPath(KernelTarget target, ulong address) => ReadPath(target, target.TypeLayouts, address);

    public static (ulong Vfsmount, ulong Dentry) ReadPath(IKernelTarget target, ITypeLayouts layouts, ulong address) =>
        (KernelMemory.ReadU64(target, address + KernelMemory.Offset(layouts, "path", "mnt")),
         KernelMemory.ReadU64(target, address + KernelMemory.Offset(layouts, "path", "dentry")));

    static string PathOrError(KernelTarget target, (ulong Vfsmount, ulong Dentry) path)
    {
        if (path.Dentry == 0) return "";
        try
        {
            return DPath.Path(target, path.Vfsmount, path.Dentry);
        }
        catch (KdumpDebugException e)
        {
            return $"(unreadable: {e.Message})";
        }
    }
}
