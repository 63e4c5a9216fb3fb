namespace KdumpDebug.Kernel.Fs;

/// <summary>
/// One mounted filesystem (<c>struct mount</c>, fs/mount.h, since v3.3): where it is, its
/// embedded <c>struct vfsmount</c> (<see cref="Vfsmount"/>, what a <c>struct path</c> points to),
/// its superblock and root dentry, the mount it hangs off and the dentry it covers there (equal
/// to itself for a namespace root or an internal mount), the device name and the filesystem type
/// name (<c>mnt_sb-&gt;s_type-&gt;name</c>). Immutable.
/// </summary>
public sealed record Mount(
    ulong Address,
    ulong Vfsmount,
    ulong Superblock,
    ulong Root,
    ulong Parent,
    ulong Mountpoint,
    string DevName,
    string FsType)
{
    /// <summary><c>!mnt_has_parent()</c>: the mount is its own parent.</summary>
    public bool IsTopmost => Parent == Address;
}
