using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel.Fs;

/// <summary>
/// The kernel's <c>d_path()</c> (fs/d_path.c) over dump memory: the name of a
/// <c>struct path</c> (a vfsmount and a dentry) as /proc/PID/fd shows it.
/// <list type="bullet">
/// <item>Pseudo filesystems name their dentries on demand through <c>d_op-&gt;d_dname</c>
/// (pipes <c>pipe:[ino]</c>, sockets <c>socket:[ino]</c>, anon inodes
/// <c>anon_inode:[eventpoll]</c>, namespaces <c>mnt:[ino]</c>, <c>simple_dname</c>'s
/// <c>/name (deleted)</c>); the function is recognised by its symbol name and its output
/// reproduced here, since it cannot be called in a dump.</item>
/// <item>Otherwise <c>prepend_path()</c>: dentry names up to the mount's root, then across
/// <c>mnt_mountpoint</c> into <c>mnt_parent</c>, until the given root or a topmost mount.</item>
/// <item>An unlinked dentry (<c>d_unlinked()</c>: unhashed and not a root) gets the kernel's
/// " (deleted)" suffix.</item>
/// </list>
/// A dentry or mount that cannot be read is a KdumpDebugException naming it; a parent chain that
/// loops or is deeper than <see cref="MaxDepth"/> ends the name where it stopped. Cost: two or
/// three small reads per path component.
/// </summary>
public static class DPath
{
    /// <summary>More components than PATH_MAX/2 cannot be a real path.</summary>
    public const int MaxDepth = 2048;

    /// <summary>NAME_MAX: a longer <c>d_name.len</c> is corrupt data.</summary>
    const int NameMax = 255;

    public static string Path(KernelTarget target, ulong vfsmount, ulong dentry, (ulong Vfsmount, ulong Dentry)? root = null) =>
        Path(target, target.TypeLayouts, vfsmount, dentry, root);

    public static string PrependPath(KernelTarget target, ulong vfsmount, ulong dentry, (ulong Vfsmount, ulong Dentry)? root = null) =>
        PrependPath(target, target.TypeLayouts, vfsmount, dentry, root);

    public static string Name(KernelTarget target, ulong dentry) => Name(target, target.TypeLayouts, dentry);

    /// <summary>
    /// <c>d_path()</c> of (<paramref name="vfsmount"/>, <paramref name="dentry"/>), relative to
    /// <paramref name="root"/> (a task's <c>fs-&gt;root</c>; null walks to the topmost mount).
    /// </summary>
    public static string Path(IKernelTarget target, ITypeLayouts layouts, ulong vfsmount, ulong dentry, (ulong Vfsmount, ulong Dentry)? root = null)
    {
        if (dentry == 0) throw new KdumpDebugException("no dentry");
        var mountRoot = vfsmount == 0 ? 0 : KernelMemory.ReadU64(target, vfsmount + KernelMemory.Offset(layouts, "vfsmount", "mnt_root"));
        var parent = ReadParent(target, layouts, dentry);
        // d_path: pseudo inodes have a d_dname unless mounted (dentry is the mount's root).
        if (parent != dentry || dentry != mountRoot)
        {
            var dname = DynamicName(target, layouts, dentry);
            if (dname is not null) return dname;
        }
        var path = PrependPath(target, layouts, vfsmount, dentry, root);
        return IsUnlinked(target, layouts, dentry) ? path + " (deleted)" : path;
    }

    /// <summary>
    /// <c>prepend_path()</c>: "/a/b" from the dentry up through its mounts; "/" when nothing was
    /// prepended. <paramref name="vfsmount"/> 0 stays in the dentry's own filesystem
    /// (<c>dentry_path()</c>-like, as crash does for a bare dentry).
    /// </summary>
    public static string PrependPath(IKernelTarget target, ITypeLayouts layouts, ulong vfsmount, ulong dentry, (ulong Vfsmount, ulong Dentry)? root = null)
    {
        var mntOffset = KernelMemory.Offset(layouts, "mount", "mnt");
        var mount = vfsmount == 0 ? 0 : vfsmount - mntOffset;
        var names = new List<string>();
        var seen = new HashSet<(ulong, ulong)>();
        while (names.Count < MaxDepth)
        {
            if (root is var (rootMnt, rootDentry) && dentry == rootDentry && mount + mntOffset == rootMnt) break;
            if (!seen.Add((mount, dentry))) break;
            var parent = ReadParent(target, layouts, dentry);
            if (mount != 0)
            {
                var mountRoot = KernelMemory.ReadU64(target, mount + mntOffset + KernelMemory.Offset(layouts, "vfsmount", "mnt_root"));
                if (dentry == mountRoot)
                {
                    var up = KernelMemory.ReadU64(target, mount + KernelMemory.Offset(layouts, "mount", "mnt_parent"));
                    if (up == mount || up == 0) break; // a topmost mount: the global root, or detached
                    dentry = KernelMemory.ReadU64(target, mount + KernelMemory.Offset(layouts, "mount", "mnt_mountpoint"));
                    mount = up;
                    continue;
                }
            }
            if (dentry == parent) break; // the filesystem's root (or escaped it, __prepend_path's case 3)
            names.Add(Name(target, layouts, dentry));
            dentry = parent;
        }
        if (names.Count == 0) return "/";
        names.Reverse();
        return "/" + string.Join('/', names);
    }

    /// <summary><c>dentry-&gt;d_name</c> (length and pointer of the qstr, NAME_MAX at most).</summary>
    public static string Name(IKernelTarget target, ITypeLayouts layouts, ulong dentry)
    {
        var nameOffset = KernelMemory.Offset(layouts, "dentry", "d_name");
        var length = (int)Math.Min(KernelMemory.ReadU32(target, dentry + nameOffset + KernelMemory.Offset(layouts, "qstr", "len")), (uint)NameMax + 1);
        if (length > NameMax) throw new KdumpDebugException($"dentry {dentry:x}: name length {length} is larger than NAME_MAX");
        var pointer = KernelMemory.ReadU64(target, dentry + nameOffset + KernelMemory.Offset(layouts, "qstr", "name"));
        return KernelMemory.ReadString(target, pointer, length);
    }

    /// <summary><c>d_unlinked()</c>: the dentry is out of the hash (<c>d_hash.pprev</c> NULL) and not a root.</summary>
    public static bool IsUnlinked(IKernelTarget target, ITypeLayouts layouts, ulong dentry)
    {
        var pprev = KernelMemory.ReadU64(target, dentry + KernelMemory.Offset(layouts, "dentry", "d_hash") + KernelMemory.Offset(layouts, "hlist_bl_node", "pprev"));
        return pprev == 0 && ReadParent(target, layouts, dentry) != dentry;
    }

    static ulong ReadParent(IKernelTarget target, ITypeLayouts layouts, ulong dentry) =>
        KernelMemory.ReadU64(target, dentry + KernelMemory.Offset(layouts, "dentry", "d_parent"));

    /// <summary>
    /// What <c>dentry-&gt;d_op-&gt;d_dname</c> would write, for the d_dname functions of
    /// v6.1 (net/socket.c, fs/pipe.c, fs/anon_inodes.c, fs/nsfs.c, fs/d_path.c simple_dname,
    /// drivers/dma-buf); null when the dentry has none or it is not one of these.
    /// </summary>
    static string? DynamicName(IKernelTarget target, ITypeLayouts layouts, ulong dentry)
    {
        var ops = KernelMemory.ReadU64(target, dentry + KernelMemory.Offset(layouts, "dentry", "d_op"));
        if (ops == 0) return null;
        var function = KernelMemory.ReadU64(target, ops + KernelMemory.Offset(layouts, "dentry_operations", "d_dname"));
        if (function == 0 || !target.TryFindSymbol(function, out var symbol, out var offset) || offset != 0) return null;
        switch (symbol.Name)
        {
            case "pipefs_dname": return $"pipe:[{Ino(target, layouts, dentry)}]";
            case "sockfs_dname": return $"socket:[{Ino(target, layouts, dentry)}]";
            case "anon_inodefs_dname": return $"anon_inode:{Name(target, layouts, dentry)}";
            case "simple_dname": return $"/{Name(target, layouts, dentry)} (deleted)";
            case "ns_dname":
            {
                // d_fsdata is the namespace's const struct proc_ns_operations *; its first member is the name.
                var nsOps = KernelMemory.ReadU64(target, dentry + KernelMemory.Offset(layouts, "dentry", "d_fsdata"));
                var name = KernelMemory.ReadCString(target, KernelMemory.ReadU64(target, nsOps + KernelMemory.Offset(layouts, "proc_ns_operations", "name")), 64);
                return $"{name}:[{Ino(target, layouts, dentry)}]";
            }
            case "dmabuffs_dname":
            {
                var dmabuf = KernelMemory.ReadU64(target, dentry + KernelMemory.Offset(layouts, "dentry", "d_fsdata"));
                var namePointer = KernelMemory.ReadU64(target, dmabuf + KernelMemory.Offset(layouts, "dma_buf", "name"));
                var bufName = namePointer == 0 ? "" : KernelMemory.ReadCString(target, namePointer, 32);
                return $"/{Name(target, layouts, dentry)}:{bufName}";
            }
            default: return null;
        }
    }

    /// <summary><c>d_inode(dentry)-&gt;i_ino</c>.</summary>
    static ulong Ino(IKernelTarget target, ITypeLayouts layouts, ulong dentry)
    {
        var inode = KernelMemory.ReadU64(target, dentry + KernelMemory.Offset(layouts, "dentry", "d_inode"));
        if (inode == 0) throw new KdumpDebugException($"dentry {dentry:x} has no inode");
        return KernelMemory.ReadU64(target, inode + KernelMemory.Offset(layouts, "inode", "i_ino"));
    }
}
