using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel.Memory;

/// <summary>One busy vmalloc-space area (<c>struct vmap_area</c> with its <c>vm_struct</c>).</summary>
public sealed record VmapArea(ulong Address, ulong VmStruct, ulong Start, ulong End)
{
    public ulong Size => End - Start;
}

/// <summary>
/// The kernel's vmalloc areas as crash's <c>kmem -v</c> (dump_vmap_area) lists them: the
/// address-sorted <c>vmap_area_list</c> (mm/vmalloc.c), keeping the areas that have a
/// <c>vm_struct</c> (the <c>vm</c> member of the busy tree's union). Walked on each call, with
/// <see cref="ListHead"/>'s loop guard; one read of each vmap_area.
/// </summary>
public static class VmapAreas
{
    /// <summary>More areas than a 64-bit vmalloc space plausibly holds; past it the list is corrupt.</summary>
    public const int MaxAreas = 10_000_000;

    /// <summary>The busy area holding <paramref name="address"/>, or null; a broken list adds one line to <paramref name="problems"/>.</summary>
    public static VmapArea? Find(KernelTarget target, ulong address, ICollection<string> problems)
    {
        if (KernelMemory.SymbolAddress(target, "vmap_area_list") is not ulong head) return null;
        var layouts = target.TypeLayouts;
        var start = KernelMemory.Offset(layouts, "vmap_area", "va_start");
        var end = KernelMemory.Offset(layouts, "vmap_area", "va_end");
        // vmap_area.vm since v2.6.28; called "private" in some older kernels.
        var vm = layouts.TryGetMemberOffset("vmap_area", "vm", out var v) ? v : KernelMemory.Offset(layouts, "vmap_area", "private");
        foreach (var area in KernelMemory.ListEntries(target, head, "vmap_area", "list", MaxAreas, "vmap_area_list", problems))
        {
            try
            {
                var s = KernelMemory.ReadU64(target, area + start);
                var e = KernelMemory.ReadU64(target, area + end);
                var vmStruct = KernelMemory.ReadU64(target, area + vm);
                if (vmStruct != 0 && address >= s && address < e) return new VmapArea(area, vmStruct, s, e);
            }
            catch (KdumpDebugException ex)
            {
                problems.Add($"vmap_area {area:x}: {ex.Message}");
                return null;
            }
        }
        return null;
    }
}
