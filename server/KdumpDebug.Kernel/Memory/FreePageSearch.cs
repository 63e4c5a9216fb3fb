using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel.Memory;

/// <summary>A zone as crash's free-page display shows it (memory.c dump_free_pages_zones_v2).</summary>
/// <param name="Index">Its index in the node's <c>node_zones[]</c>.</param>
/// <param name="SpannedPages"><c>spanned_pages</c>.</param>
/// <param name="FreePages"><c>vm_stat[NR_FREE_PAGES]</c>.</param>
/// <param name="MemMap">The struct page of its first frame (0 for an empty zone).</param>
/// <param name="StartPhysical"><c>zone_start_pfn</c> as a physical address.</param>
/// <param name="StartMapNr">Its first frame counted from the node's first (crash's START_MAPNR).</param>
public sealed record FreeZone(int Node, int Index, string Name, ulong SpannedPages, ulong FreePages, ulong MemMap, ulong StartPhysical, ulong StartMapNr);

/// <summary>A free buddy block: the zone, its order, the free list it is on, and its head page.</summary>
/// <param name="FreeList">The <c>free_area[order].free_list[migratetype]</c> list_head.</param>
/// <param name="Page">The block's first struct page.</param>
/// <param name="Physical">The block's first byte.</param>
public sealed record FreeBlock(FreeZone Zone, int Order, ulong FreeList, ulong Page, ulong Physical)
{
    public ulong Pages => 1UL << Order;
}

/// <summary>
/// Which free buddy block holds a frame (crash's <c>kmem ADDRESS</c> free-list check): every
/// zone with free pages of the node spanning the frame, every order, every migrate type's
/// <c>free_area[order].free_list[]</c> (mm/page_alloc.c keeps a free block's head page on one
/// through <c>page-&gt;lru</c>), until a block holds it. Cost: one read per free block of the
/// zone in the worst case; each list is walked with <see cref="ListHead"/>'s loop guard.
/// </summary>
public static class FreePageSearch
{
    /// <summary>More blocks on one list than any zone has; past it the list is corrupt.</summary>
    public const int MaxBlocks = 1 << 26;

    /// <summary>The free block holding <paramref name="physical"/>, or null; a broken list adds one line to <paramref name="problems"/>.</summary>
    public static FreeBlock? Find(KernelTarget target, ulong physical, ICollection<string> problems)
    {
        var layouts = target.TypeLayouts;
        if (!layouts.TryGetMemberOffset("pglist_data", "node_zones", out var nodeZones)
            || !layouts.TryGetMemberSize("pglist_data", "node_zones", out var zonesSize)
            || !layouts.TryGetStructSize("zone", out var zoneSize) || zoneSize == 0
            || !layouts.TryGetMemberOffset("zone", "free_area", out var freeArea)
            || !layouts.TryGetMemberSize("zone", "free_area", out var freeAreaSize)
            || !layouts.TryGetStructSize("free_area", out var areaSize) || areaSize == 0
            || !layouts.TryGetMemberSize("free_area", "free_list", out var listsSize))
            return null;
        var freeList = KernelMemory.Offset(layouts, "free_area", "free_list");
        var lru = KernelMemory.Offset(layouts, "page", "lru");
        var name = KernelMemory.Offset(layouts, "zone", "name");
        var spanned = KernelMemory.Offset(layouts, "zone", "spanned_pages");
        var startPfn = KernelMemory.Offset(layouts, "zone", "zone_start_pfn");
        var vmStat = KernelMemory.Offset(layouts, "zone", "vm_stat");
        var nrFree = (ulong)(KernelMemory.Enumerator(target, "NR_FREE_PAGES") ?? 0);
        var map = PageMap.For(target);
        var pfn = physical >> 12;
        foreach (var node in MemoryNodes.For(target).Nodes)
        {
            if (pfn < node.StartPfn || pfn - node.StartPfn >= node.SpannedPages) continue;
            for (ulong i = 0; i < zonesSize / zoneSize; i++)
            {
                var zone = node.Pgdat + nodeZones + i * zoneSize;
                var free = KernelMemory.ReadU64(target, zone + vmStat + nrFree * 8);
                if (free == 0) continue;
                var size = KernelMemory.ReadU64(target, zone + spanned);
                var start = KernelMemory.ReadU64(target, zone + startPfn);
                var info = new FreeZone(node.Id, (int)i, KernelMemory.ReadCString(target, KernelMemory.ReadU64(target, zone + name), 64),
                    size, free, size != 0 ? map.PageAddress(start << 12) : 0, start << 12, start - node.StartPfn);
                for (ulong order = 0; order < freeAreaSize / areaSize; order++)
                {
                    for (ulong list = 0; list < listsSize / 16; list++)
                    {
                        var head = zone + freeArea + order * areaSize + freeList + list * 16;
                        var pages = ListHead.ListForEachEntry(a => KernelMemory.ReadU64(target, a), head, lru, MaxBlocks,
                            $"free_area[{order}].free_list[{list}] of zone {info.Name}", out var problem);
                        if (problem is not null) problems.Add(problem);
                        foreach (var page in pages)
                        {
                            if (!map.TryPhysicalOf(page, out var first)) continue;
                            if (physical >= first && physical - first < 4096UL << (int)order)
                                return new FreeBlock(info, (int)order, head, page, first);
                        }
                    }
                }
            }
        }
        return null;
    }
}
