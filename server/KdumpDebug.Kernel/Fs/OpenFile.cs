namespace KdumpDebug.Kernel.Fs;

/// <summary>
/// One open file descriptor as crash's <c>files</c> shows it: the <c>struct file</c>, its
/// <c>f_path.dentry</c> and that dentry's inode, crash's type (<see cref="InodeType"/>) and the
/// kernel's <c>d_path()</c> (<see cref="DPath"/>). When the file could not be read,
/// <see cref="Error"/> says why (one line) and the other fields are what was read before.
/// </summary>
public sealed record OpenFile(int Fd, ulong File, ulong Dentry, ulong Inode, string Type, string Path, string? Error = null);

/// <summary>
/// A task's open files: the paths of <c>fs-&gt;root</c> and <c>fs-&gt;pwd</c> (null without an
/// fs_struct), whether it has a file table, and each open fd. <see cref="Problems"/> holds a
/// failure that stopped the walk (the table itself unreadable).
/// </summary>
public sealed record TaskFiles(string? Root, string? Cwd, bool HasFileTable, IReadOnlyList<OpenFile> Files, IReadOnlyList<string> Problems);
