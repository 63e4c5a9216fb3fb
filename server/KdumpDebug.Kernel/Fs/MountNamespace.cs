using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel.Fs;

/// <summary>
/// The mounts of a mount namespace (<c>struct mnt_namespace</c>), in the kernel's order (the
/// order of /proc/PID/mounts and crash's <c>mount</c>): up to v6.7 the <c>list</c> of
/// <c>mount.mnt_list</c> nodes; since v6.8 (commit 2eea9ce4310d "mounts: keep list of mounts in an
/// rbtree") the rb-tree <c>mounts</c> of <c>mount.mnt_node</c>, sorted by mount id. Which one is
/// decided by the vmlinux's DWARF. A mount that cannot be read, or a list that loops or breaks,
/// gives one line in the problems list; the rest are still returned. Cost: a few reads per mount.
/// </summary>
public static class MountNamespace
{
    /// <summary>More mounts than this in one namespace means a corrupt list.</summary>
    public const int MaxMounts = 1 << 20;

    /// <summary><c>task-&gt;nsproxy-&gt;mnt_ns</c>, or 0 for a task without an nsproxy (an exited task).</summary>
    public static ulong TaskMountNamespace(KernelTarget target, ulong task) => Nsproxy.TaskNamespace(target, task, "mnt_ns");

    /// <summary>The mounts of the namespace at <paramref name="mntNamespace"/>; unreadable ones are reported in <paramref name="problems"/>.</summary>
    public static List<Mount> Mounts(KernelTarget target, ulong mntNamespace, List<string> problems)
    {
        List<ulong> addresses;
        string? problem;
        if (KernelMemory.HasMember(target, "mnt_namespace", "list"))
        {
            var head = mntNamespace + KernelMemory.Offset(target, "mnt_namespace", "list");
            var node = KernelMemory.Offset(target, "mount", "mnt_list");
            addresses = ListHead.ListForEachEntry(a => KernelMemory.ReadU64(target, a), head, node, MaxMounts,
                $"mount list of namespace {mntNamespace:x}", out problem);
        }
        else if (KernelMemory.HasMember(target, "mnt_namespace", "mounts") && KernelMemory.HasMember(target, "mount", "mnt_node"))
        {
            var root = KernelMemory.ReadU64(target, mntNamespace + KernelMemory.Offset(target, "mnt_namespace", "mounts"));
            var node = KernelMemory.Offset(target, "mount", "mnt_node");
            addresses = RbTree.RbForEach(target, root, MaxMounts, $"mount tree of namespace {mntNamespace:x}", out problem)
                .Select(n => n - node).ToList();
        }
        else throw new KdumpDebugException("struct mnt_namespace has neither a mount list nor a mount tree in the vmlinux debug info");
        if (problem is not null) problems.Add(problem);
        var result = new List<Mount>(addresses.Count);
        foreach (var address in addresses)
        {
            try
            {
                result.Add(Read(target, address));
            }
            catch (KdumpDebugException e)
            {
                problems.Add($"mount {address:x}: {e.Message}");
            }
        }
        return result;
    }

    /// <summary>One <c>struct mount</c>: its members and the strings they point to.</summary>
    public static Mount Read(KernelTarget target, ulong address)
    {
        var vfsmount = address + KernelMemory.Offset(target, "mount", "mnt");
        var sb = KernelMemory.ReadU64(target, vfsmount + KernelMemory.Offset(target, "vfsmount", "mnt_sb"));
        var root = KernelMemory.ReadU64(target, vfsmount + KernelMemory.Offset(target, "vfsmount", "mnt_root"));
        var parent = KernelMemory.ReadU64(target, address + KernelMemory.Offset(target, "mount", "mnt_parent"));
        var mountpoint = KernelMemory.ReadU64(target, address + KernelMemory.Offset(target, "mount", "mnt_mountpoint"));
        var devnamePointer = KernelMemory.ReadU64(target, address + KernelMemory.Offset(target, "mount", "mnt_devname"));
        return new Mount(address, vfsmount, sb, root, parent, mountpoint, TryString(target, devnamePointer), FsTypeName(target, sb));
    }

    /// <summary><c>sb-&gt;s_type-&gt;name</c>, or "unknown" (crash's word) when it cannot be read.</summary>
    public static string FsTypeName(KernelTarget target, ulong superblock)
    {
        try
        {
            var type = KernelMemory.ReadU64(target, superblock + KernelMemory.Offset(target, "super_block", "s_type"));
            var name = KernelMemory.ReadU64(target, type + KernelMemory.Offset(target, "file_system_type", "name"));
            return KernelMemory.ReadCString(target, name, 256);
        }
        catch (KdumpDebugException)
        {
            return "unknown";
        }
    }

    /// <summary>The <c>struct mount</c> around a <c>struct vfsmount</c> address (<c>real_mount()</c>).</summary>
    public static ulong RealMount(KernelTarget target, ulong vfsmount) => vfsmount - KernelMemory.Offset(target, "mount", "mnt");

    static string TryString(KernelTarget target, ulong pointer)
    {
        if (pointer == 0) return "(unknown)";
        try
        {
            return KernelMemory.ReadCString(target, pointer, 4096);
        }
        catch (KdumpDebugException)
        {
            return "(unknown)";
        }
    }
}
