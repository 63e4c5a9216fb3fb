using KdumpDebug.Core.Errors;
using KdumpDebug.Kernel.Fs;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel.Mm;

/// <summary>
/// The VMAs of an <c>mm_struct</c>, lowest address first, from whichever structure the vmlinux's
/// DWARF says the kernel keeps them in:
/// <list type="bullet">
/// <item><c>mm-&gt;mm_mt</c>, a maple tree of VMA pointers keyed by address (since v6.1, commit
/// d4af56c5c7c6 "mm: start tracking VMAs with maple tree"), walked by <see cref="MapleTree"/>;</item>
/// <item>else the <c>mm-&gt;mmap</c> list through <c>vm_next</c> (removed in v6.1, commit
/// 763ecb035029 "mm: remove the vma linked list");</item>
/// <item>else the <c>mm-&gt;mm_rb</c> rb-tree through <c>vm_rb</c>.</item>
/// </list>
/// A VMA that cannot be read, a broken or looping structure, or a count different from
/// <c>mm-&gt;map_count</c> give one line each in the problems list; the readable VMAs are still
/// returned. Cost: one maple node read per 16 VMAs, then a few reads per VMA and its file path.
/// </summary>
public static class VmAreas
{
    /// <summary>More VMAs than this (DEFAULT_MAX_MAP_COUNT is 65530; the sysctl can raise it) is corrupt data.</summary>
    public const int MaxVmas = 1 << 22;

    public static List<VmArea> Read(KernelTarget target, ulong mm, List<string> problems) => Read(target, target.TypeLayouts, mm, problems);

    /// <summary>The VMAs over any memory, with the given type layouts (tests give the layouts of older kernels).</summary>
    public static List<VmArea> Read(IKernelTarget target, ITypeLayouts layouts, ulong mm, List<string> problems)
    {
        var what = $"mm {mm:x}";
        List<ulong> addresses;
        if (KernelMemory.HasMember(layouts, "mm_struct", "mm_mt"))
        {
            var entries = MapleTree.ForEach(target, layouts, mm + KernelMemory.Offset(layouts, "mm_struct", "mm_mt"), $"{what} maple tree", problems);
            addresses = entries.Select(e => e.Value).ToList();
        }
        else if (KernelMemory.HasMember(layouts, "mm_struct", "mmap") && KernelMemory.HasMember(layouts, "vm_area_struct", "vm_next"))
            addresses = MmapList(target, layouts, mm, what, problems);
        else if (KernelMemory.HasMember(layouts, "mm_struct", "mm_rb"))
        {
            var root = KernelMemory.ReadU64(target, mm + KernelMemory.Offset(layouts, "mm_struct", "mm_rb"));
            var node = KernelMemory.Offset(layouts, "vm_area_struct", "vm_rb");
            addresses = RbTree.RbForEach(target, layouts, root, MaxVmas, $"{what} mm_rb", out var problem).Select(n => n - node).ToList();
            if (problem is not null) problems.Add(problem);
        }
        else throw new KdumpDebugException("struct mm_struct has no mm_mt, mmap or mm_rb in the vmlinux debug info");

        var result = new List<VmArea>(addresses.Count);
        foreach (var address in addresses)
        {
            try
            {
                result.Add(ReadVma(target, layouts, address));
            }
            catch (KdumpDebugException e)
            {
                problems.Add($"vma {address:x}: {e.Message}");
            }
        }
        try
        {
            var mapCount = (int)KernelMemory.ReadMember(target, layouts, mm, "mm_struct", "map_count");
            if (mapCount != addresses.Count)
                problems.Add($"{what}: {addresses.Count} VMAs found, but map_count is {mapCount}");
        }
        catch (KdumpDebugException)
        {
        }
        return result;
    }

    /// <summary>One <c>vm_area_struct</c> and the path of its file.</summary>
    public static VmArea ReadVma(IKernelTarget target, ITypeLayouts layouts, ulong vma)
    {
        var start = KernelMemory.ReadU64(target, vma + KernelMemory.Offset(layouts, "vm_area_struct", "vm_start"));
        var end = KernelMemory.ReadU64(target, vma + KernelMemory.Offset(layouts, "vm_area_struct", "vm_end"));
        var flags = KernelMemory.ReadMember(target, layouts, vma, "vm_area_struct", "vm_flags");
        var pgoff = KernelMemory.ReadU64(target, vma + KernelMemory.Offset(layouts, "vm_area_struct", "vm_pgoff"));
        var file = KernelMemory.ReadU64(target, vma + KernelMemory.Offset(layouts, "vm_area_struct", "vm_file"));
        if (file == 0) return new VmArea(vma, start, end, flags, pgoff, 0, "");
        try
        {
            var (mnt, dentry) = OpenFiles.ReadPath(target, layouts, file + KernelMemory.Offset(layouts, "file", "f_path"));
            return new VmArea(vma, start, end, flags, pgoff, file, dentry == 0 ? "" : DPath.Path(target, layouts, mnt, dentry));
        }
        catch (KdumpDebugException e)
        {
            return new VmArea(vma, start, end, flags, pgoff, file, "", $"file {file:x}: {e.Message}");
        }
    }

    static List<ulong> MmapList(IKernelTarget target, ITypeLayouts layouts, ulong mm, string what, List<string> problems)
    {
        var result = new List<ulong>();
        var next = KernelMemory.Offset(layouts, "vm_area_struct", "vm_next");
        var seen = new HashSet<ulong>();
        var vma = KernelMemory.ReadU64(target, mm + KernelMemory.Offset(layouts, "mm_struct", "mmap"));
        while (vma != 0)
        {
            if (!seen.Add(vma))
            {
                problems.Add($"{what} mmap list: loops back to vma {vma:x}; stopped there");
                break;
            }
            if (result.Count >= MaxVmas)
            {
                problems.Add($"{what} mmap list: more than {MaxVmas} VMAs; stopped there");
                break;
            }
            result.Add(vma);
            try
            {
                vma = KernelMemory.ReadU64(target, vma + next);
            }
            catch (KdumpDebugException e)
            {
                problems.Add($"{what} mmap list: cannot read vm_next of {vma:x}: {e.Message}");
                break;
            }
        }
        return result;
    }
}
