using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel.Memory;

/// <summary>
/// The page counts of crash's <c>kmem -i</c> (memory.c dump_kmeminfo), each in pages: total RAM
/// (<c>totalram_pages()</c>), free (<c>vm_zone_stat[NR_FREE_PAGES]</c>), shared (the non-reserved
/// pages whose <c>_refcount</c> is above 1, from a walk of every <c>struct page</c>: crash's
/// dump_mem_map GET_ALL), buffers (<c>nr_blockdev_pages()</c>), cached (<c>NR_FILE_PAGES</c> less the
/// swap cache and buffers), slab (the page frames flagged PG_slab in the same walk: crash's count,
/// which sees only the head page of a multi-page slab, so it is below NR_SLAB_*), huge pages
/// (<c>hstates[]</c>), swap (<c>total_swap_pages</c>, <c>nr_swap_pages</c>), the commit limit
/// (<c>vm_commit_limit()</c>) and committed pages (<c>vm_committed_as.count</c>, as crash reads it:
/// the per-CPU deltas are not added). Values that cannot be read are null, with one line in
/// <see cref="Problems"/>. Cost: the page walk reads sizeof(struct page) per page frame (a few MB).
/// </summary>
public sealed class MemoryInfo
{
    public ulong? TotalRam { get; private init; }
    public ulong? Free { get; private init; }
    public ulong? Shared { get; private init; }
    public ulong? Buffers { get; private init; }
    public ulong? Cached { get; private init; }
    public ulong? Slab { get; private init; }
    public ulong? HugeTotal { get; private init; }
    public ulong? HugeFree { get; private init; }
    public ulong? SwapTotal { get; private init; }
    public ulong? SwapFree { get; private init; }
    public ulong? CommitLimit { get; private init; }
    public ulong? Committed { get; private init; }
    public ulong PageSize { get; private init; } = 4096;
    public IReadOnlyList<string> Problems { get; private init; } = [];

    public static MemoryInfo Read(KernelTarget target)
    {
        var problems = new List<string>();
        ulong? Try(string what, Func<ulong> read)
        {
            try
            {
                return read();
            }
            catch (KdumpDebugException e)
            {
                problems.Add($"{what}: {e.Message}");
                return null;
            }
        }

        var total = Try("totalram_pages", () => TotalRamPages(target));
        (ulong Shared, ulong Slab)? walk = null;
        try
        {
            walk = WalkPages(target);
        }
        catch (KdumpDebugException e)
        {
            problems.Add($"page walk: {e.Message}");
        }
        var buffers = Try("buffers", () => BlockDevicePages(target, problems));
        var swapCache = Try("swap cache", () => SwapCachePages(target)) ?? 0;
        var (hugeTotal, hugeFree) = HugePages(target, problems);
        var swapTotal = Try("total_swap_pages", () => (ulong)Math.Max(0, (long)KernelMemory.ReadU64(target, Symbol(target, "total_swap_pages"))));
        var info = new MemoryInfo
        {
            TotalRam = total,
            Free = Try("NR_FREE_PAGES", () => GlobalState(target, "vm_zone_stat", "NR_FREE_PAGES")),
            Shared = walk?.Shared,
            Buffers = buffers,
            Cached = Try("NR_FILE_PAGES", () =>
            {
                var file = GlobalState(target, "vm_node_stat", "NR_FILE_PAGES");
                var cached = (long)file - (long)swapCache - (long)(buffers ?? 0);
                return (ulong)Math.Max(0, cached);
            }),
            Slab = walk?.Slab,
            HugeTotal = hugeTotal,
            HugeFree = hugeFree,
            SwapTotal = swapTotal,
            SwapFree = Try("nr_swap_pages", () => (ulong)Math.Max(0, (long)KernelMemory.ReadU64(target, Symbol(target, "nr_swap_pages")))),
            CommitLimit = total is { } t ? Try("commit limit", () => CommitLimitPages(target, t, hugeTotal ?? 0, swapTotal ?? 0)) : null,
            Committed = Try("vm_committed_as", () => (ulong)Math.Max(0, (long)KernelMemory.ReadU64(target, Symbol(target, "vm_committed_as") + KernelMemory.Offset(target, "percpu_counter", "count")))),
            PageSize = 4096,
            Problems = problems,
        };
        return info;
    }

    static ulong Symbol(KernelTarget target, string name) =>
        KernelMemory.SymbolAddress(target, name) ?? throw new KdumpDebugException($"no symbol {name} in this kernel");

    /// <summary>
    /// <c>totalram_pages()</c>: the atomic <c>_totalram_pages</c> since v5.0 (commit ca79b0c211af
    /// "mm: convert totalram_pages and totalhigh_pages variables to atomic"), <c>totalram_pages</c> before.
    /// </summary>
    static ulong TotalRamPages(KernelTarget target) =>
        KernelMemory.ReadU64(target, KernelMemory.SymbolAddress(target, "_totalram_pages") ?? Symbol(target, "totalram_pages"));

    /// <summary>
    /// <c>global_zone_page_state</c>/<c>global_node_page_state</c>: element <paramref name="item"/> of the
    /// atomic_long_t array <paramref name="array"/> (vm_zone_stat, vm_node_stat), negative values read as 0 (include/linux/vmstat.h).
    /// </summary>
    static ulong GlobalState(KernelTarget target, string array, string item)
    {
        var index = KernelMemory.Enumerator(target, item) ?? throw new KdumpDebugException($"no enumerator {item} in the debug info");
        var value = (long)KernelMemory.ReadU64(target, Symbol(target, array) + (ulong)index * 8);
        return (ulong)Math.Max(0, value);
    }

    /// <summary>
    /// <c>nr_blockdev_pages()</c> (block/bdev.c): the page-cache pages of every block device inode on
    /// <c>blockdev_superblock-&gt;s_inodes</c> (<c>inode-&gt;i_mapping-&gt;nrpages</c>).
    /// </summary>
    static ulong BlockDevicePages(KernelTarget target, ICollection<string> problems)
    {
        var sb = KernelMemory.ReadU64(target, Symbol(target, "blockdev_superblock"));
        if (sb == 0) return 0;
        var mapping = KernelMemory.Offset(target, "inode", "i_mapping");
        var nrpages = KernelMemory.Offset(target, "address_space", "nrpages");
        ulong total = 0;
        foreach (var inode in KernelMemory.ListEntries(target, sb + KernelMemory.Offset(target, "super_block", "s_inodes"), "inode", "i_sb_list", 1 << 20, "blockdev_superblock inodes", problems))
        {
            var m = KernelMemory.ReadU64(target, inode + mapping);
            if (m != 0) total += KernelMemory.ReadU64(target, m + nrpages);
        }
        return total;
    }

    /// <summary>
    /// <c>total_swapcache_pages()</c> (mm/swap_state.c): the pages of every <c>swapper_spaces[i]</c>
    /// array of <c>nr_swapper_spaces[i]</c> address spaces; 0 without swap.
    /// </summary>
    static ulong SwapCachePages(KernelTarget target)
    {
        if (target.Objects.TryVariable("swapper_spaces", out var spaces) && target.Objects.TryVariable("nr_swapper_spaces", out var counts))
        {
            var size = KernelMemory.SizeOf(target, "address_space");
            var nrpages = KernelMemory.Offset(target, "address_space", "nrpages");
            ulong total = 0;
            var n = (long)(spaces.UnderlyingType.Count ?? 0);
            for (var i = 0L; i < n; i++)
            {
                var array = spaces.Index(i).ReadUnsigned();
                var count = counts.Index(i).ReadUnsigned();
                if (array == 0 || count > 1 << 20) continue;
                for (ulong j = 0; j < count; j++) total += KernelMemory.ReadU64(target, array + j * size + nrpages);
            }
            return total;
        }
        return 0;
    }

    /// <summary>
    /// Huge pages: for each of the first <c>hugetlb_max_hstate</c> <c>hstates[]</c>, <c>nr_huge_pages</c>
    /// and <c>free_huge_pages</c> times <c>1 &lt;&lt; order</c> (crash's get_hugetlb_total_pages); 0 without CONFIG_HUGETLB_PAGE.
    /// </summary>
    static (ulong? Total, ulong? Free) HugePages(KernelTarget target, ICollection<string> problems)
    {
        if (!target.Objects.TryVariable("hstates", out var hstates)) return (0, 0);
        try
        {
            var max = target.Objects.TryVariable("hugetlb_max_hstate", out var m) ? (long)m.ReadUnsigned() : (long)(hstates.UnderlyingType.Count ?? 0);
            ulong total = 0, free = 0;
            for (var i = 0L; i < Math.Min(max, (long)(hstates.UnderlyingType.Count ?? 0)); i++)
            {
                var h = hstates.Index(i);
                var pages = 1UL << (int)h.Member("order").ReadUnsigned();
                total += h.Member("nr_huge_pages").ReadUnsigned() * pages;
                free += h.Member("free_huge_pages").ReadUnsigned() * pages;
            }
            return (total, free);
        }
        catch (KdumpDebugException e)
        {
            problems.Add($"hstates: {e.Message}");
            return (null, null);
        }
    }

    /// <summary>
    /// <c>vm_commit_limit()</c> (mm/util.c): <c>sysctl_overcommit_kbytes</c> in pages when set, else
    /// <c>(totalram - hugetlb) * sysctl_overcommit_ratio / 100</c>; plus <c>total_swap_pages</c>.
    /// </summary>
    static ulong CommitLimitPages(KernelTarget target, ulong total, ulong huge, ulong swap)
    {
        ulong allowed;
        var kbytes = KernelMemory.SymbolAddress(target, "sysctl_overcommit_kbytes") is { } k ? KernelMemory.ReadU64(target, k) : 0;
        if (kbytes != 0) allowed = kbytes >> 2;
        else
        {
            var ratio = KernelMemory.ReadU32(target, Symbol(target, "sysctl_overcommit_ratio"));
            allowed = (total - Math.Min(total, huge)) * ratio / 100;
        }
        return allowed + swap;
    }

    /// <summary>
    /// crash's SHARED and SLAB (memory.c dump_mem_map GET_ALL): the page frames of every online node's span (<c>node_start_pfn</c>,
    /// <c>node_spanned_pages</c>) whose <c>struct page</c> (at <c>vmemmap_base + pfn * sizeof(struct page)</c>,
    /// SPARSEMEM_VMEMMAP) is not PG_reserved and has <c>_refcount &gt; 1</c>, and those flagged PG_slab. Holes in the span have no
    /// mapped struct pages and are skipped a chunk at a time.
    /// </summary>
    static (ulong Shared, ulong Slab) WalkPages(KernelTarget target)
    {
        var vmemmap = KernelMemory.ReadU64(target, Symbol(target, "vmemmap_base"));
        var pageSize = KernelMemory.SizeOf(target, "page");
        var flagsOffset = KernelMemory.Offset(target, "page", "flags");
        // Since v4.6 (commit 0139aa7b7fa1 "mm: rename _count, field of the struct page, to _refcount").
        var countOffset = KernelMemory.TryOffset(target, "page", "_refcount", out var rc) ? rc : KernelMemory.Offset(target, "page", "_count");
        var reserved = KernelMemory.Enumerator(target, "PG_reserved") ?? throw new KdumpDebugException("no enumerator PG_reserved in the debug info");
        var slabFlag = KernelMemory.Enumerator(target, "PG_slab") ?? throw new KdumpDebugException("no enumerator PG_slab in the debug info");
        const int chunkPages = 64;
        var buffer = new byte[chunkPages * (int)pageSize];
        ulong shared = 0, slab = 0;
        foreach (var (start, span) in NodeSpans(target))
        {
            for (var pfn = start; pfn < start + span; pfn += chunkPages)
            {
                var n = (int)Math.Min(chunkPages, start + span - pfn);
                var bytes = buffer.AsSpan(0, n * (int)pageSize);
                try
                {
                    target.ReadVirtual(vmemmap + pfn * pageSize, bytes);
                }
                catch (KdumpDebugException)
                {
                    continue; // no struct pages there (a hole between memory sections)
                }
                for (var i = 0; i < n; i++)
                {
                    var page = bytes.Slice(i * (int)pageSize, (int)pageSize);
                    var flags = BitConverter.ToUInt64(page[(int)flagsOffset..]);
                    if (((flags >> (int)slabFlag) & 1) != 0) slab++;
                    if (((flags >> (int)reserved) & 1) != 0) continue;
                    if (BitConverter.ToInt32(page[(int)countOffset..]) > 1) shared++;
                }
            }
        }
        return (shared, slab);
    }

    /// <summary>(node_start_pfn, node_spanned_pages) of each node: <c>node_data[]</c> (NUMA) or <c>contig_page_data</c>.</summary>
    static List<(ulong Start, ulong Span)> NodeSpans(KernelTarget target)
    {
        var start = KernelMemory.Offset(target, "pglist_data", "node_start_pfn");
        var spanned = KernelMemory.Offset(target, "pglist_data", "node_spanned_pages");
        var nodes = new List<ulong>();
        if (target.Objects.TryVariable("node_data", out var nodeData))
        {
            var n = (long)(nodeData.UnderlyingType.Count ?? 1);
            for (var i = 0L; i < n; i++)
                if (nodeData.Index(i).ReadUnsigned() is var p and not 0) nodes.Add(p);
        }
        else nodes.Add(Symbol(target, "contig_page_data"));
        const ulong maxPfn = 1UL << 40;
        return nodes.Select(p => (KernelMemory.ReadU64(target, p + start), Math.Min(KernelMemory.ReadU64(target, p + spanned), maxPfn))).ToList();
    }
}
