using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel.Memory;

/// <summary>One CPU's view of a cache (<c>struct kmem_cache_cpu</c>).</summary>
/// <param name="Address">The CPU's kmem_cache_cpu (<c>per_cpu_ptr(s-&gt;cpu_slab, cpu)</c>).</param>
/// <param name="Slab">The slab the CPU allocates from (0: none).</param>
/// <param name="Freelist">The CPU's lockless freelist (objects of <paramref name="Slab"/>).</param>
/// <param name="Partial">The first of the CPU's partial slabs (0: none, or no CONFIG_SLUB_CPU_PARTIAL).</param>
public sealed record SlubCpuCache(int Cpu, ulong Address, ulong Slab, ulong Freelist, ulong Partial);

/// <summary>One node's view of a cache (<c>struct kmem_cache_node</c>).</summary>
/// <param name="NrSlabs"><c>nr_slabs</c> (CONFIG_SLUB_DEBUG), null without it.</param>
/// <param name="TotalObjects"><c>total_objects</c> (CONFIG_SLUB_DEBUG), null without it.</param>
public sealed record SlubNodeCache(int Node, ulong Address, ulong NrPartial, ulong? NrSlabs, ulong? TotalObjects);

/// <summary>
/// The SLUB allocator of a dump (mm/slub.c): the <c>slab_caches</c> list in list order, each
/// cache's per-CPU and per-node state, the slabs of the node partial/full lists and of the CPU
/// partial lists, and which slab holds an address. Reads the dump on every call except the cache
/// list (walked once, with the loop and length guards of <see cref="ListHead"/>). Thread-safe.
/// </summary>
public sealed class SlubAllocator
{
    /// <summary>More caches than any kernel creates; a longer list is corrupt.</summary>
    public const int MaxCaches = 100_000;

    /// <summary>Longest partial/full list walked before it is called corrupt.</summary>
    public const int MaxListSlabs = 10_000_000;

    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<KernelTarget, SlubAllocator> Instances = new();

    readonly KernelTarget _target;
    readonly List<string> _problems = [];

    SlubAllocator(KernelTarget target)
    {
        _target = target;
        Layout = SlubLayout.For(target);
        var head = KernelMemory.SymbolAddress(target, "slab_caches") ?? throw new KdumpDebugException("no slab_caches list in this kernel");
        CacheAddresses = KernelMemory.ListEntries(target, head, "kmem_cache", "list", MaxCaches, "slab_caches", _problems);
        var possible = PerCpu.ForEachPossibleCpu(target);
        Cpus = possible.Count > 0 ? Enumerable.Range(0, possible.Max() + 1).ToArray() : [0];
    }

    /// <summary>The allocator of <paramref name="target"/>; throws one line when the kernel is not SLUB.</summary>
    public static SlubAllocator For(KernelTarget target) => Instances.GetValue(target, t => new SlubAllocator(t));

    public SlubLayout Layout { get; }

    /// <summary>Every kmem_cache on <c>slab_caches</c>, in list order (newest first, as crash lists them).</summary>
    public IReadOnlyList<ulong> CacheAddresses { get; }

    /// <summary>Why the cache list walk stopped early (one line each), if it did.</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>The CPUs crash visits: 0 up to the highest possible CPU.</summary>
    public IReadOnlyList<int> Cpus { get; }

    public SlubCache ReadCache(ulong address) => SlubCache.Read(_target, Layout, address);

    public SlubSlab ReadSlab(ulong address) => SlubSlab.Read(_target, Layout, address);

    /// <summary>CPU <paramref name="cpu"/>'s kmem_cache_cpu of <paramref name="cache"/>.</summary>
    public SlubCpuCache ReadCpu(SlubCache cache, int cpu)
    {
        var address = unchecked(cache.CpuSlab + PerCpu.PerCpuOffset(_target, cpu));
        return new SlubCpuCache(
            cpu,
            address,
            KernelMemory.ReadU64(_target, address + Layout.CpuSlab),
            KernelMemory.ReadU64(_target, address + Layout.CpuFreelist),
            Layout.CpuPartial is ulong p ? KernelMemory.ReadU64(_target, address + p) : 0);
    }

    /// <summary>The kmem_cache_node of each memory node (in node order; NULL entries included as address 0).</summary>
    public IReadOnlyList<(int Node, ulong Address)> NodePointers(SlubCache cache)
    {
        var result = new List<(int, ulong)>();
        foreach (var node in MemoryNodes.For(_target).Nodes)
        {
            if (Layout.CacheNode is ulong array) result.Add((node.Id, KernelMemory.ReadU64(_target, cache.Address + array + (ulong)node.Id * 8)));
            else
            {
                result.Add((node.Id, cache.Address + Layout.CacheLocalNode!.Value));
                break;
            }
        }
        return result;
    }

    public SlubNodeCache ReadNode(int node, ulong address) => new(
        node,
        address,
        KernelMemory.ReadU64(_target, address + Layout.NodeNrPartial),
        Layout.NodeNrSlabs is ulong ns ? KernelMemory.ReadU64(_target, address + ns) : null,
        Layout.NodeTotalObjects is ulong to ? KernelMemory.ReadU64(_target, address + to) : null);

    /// <summary>
    /// The slabs of a node's <c>partial</c> list (<paramref name="full"/>: its <c>full</c> list,
    /// kept only with SLAB_STORE_USER), each checked to be a struct page of the memory map (crash's
    /// "invalid partial list slab pointer"); a broken list adds one line to <paramref name="problems"/>.
    /// </summary>
    public List<ulong> NodeSlabs(SlubCache cache, ulong node, bool full, ICollection<string> problems)
    {
        var listOffset = full ? Layout.NodeFull ?? throw new KdumpDebugException("kmem_cache_node has no full list") : Layout.NodePartial;
        var local = new List<string>();
        var entries = ListHead.ListForEachEntry(a => KernelMemory.ReadU64(_target, a), node + listOffset, Layout.SlabList, MaxListSlabs,
            $"{cache.Name}: {(full ? "full" : "partial")} list", out var problem);
        if (problem is not null) local.Add(problem);
        var map = PageMap.For(_target);
        var slabs = new List<ulong>();
        foreach (var slab in entries)
        {
            if (!map.TryPhysicalOf(slab, out _))
            {
                local.Add($"{cache.Name}: invalid {(full ? "full" : "partial")} list slab pointer: {slab:x}");
                break;
            }
            slabs.Add(slab);
        }
        foreach (var p in local) problems.Add(p);
        return slabs;
    }

    /// <summary>A CPU's partial slabs, following <c>slab-&gt;next</c> with a loop guard.</summary>
    public List<ulong> CpuPartialSlabs(SlubCache cache, SlubCpuCache cpu, ICollection<string> problems)
    {
        var slabs = new List<ulong>();
        var seen = new HashSet<ulong>();
        var map = PageMap.For(_target);
        for (var slab = cpu.Partial; slab != 0; )
        {
            if (!map.TryPhysicalOf(slab, out _))
            {
                problems.Add($"{cache.Name}: invalid partial list slab pointer: {slab:x}");
                break;
            }
            if (!seen.Add(slab) || slabs.Count >= MaxListSlabs)
            {
                problems.Add($"{cache.Name}: cpu {cpu.Cpu} partial list loops back to {slab:x}; stopped there");
                break;
            }
            slabs.Add(slab);
            slab = Layout.SlabNext is ulong next ? KernelMemory.ReadU64(_target, slab + next) : 0;
        }
        return slabs;
    }

    /// <summary>
    /// crash's vaddr_to_kmem_cache + vaddr_to_slab: when <paramref name="address"/> is mapped and its
    /// page (or that page's compound head) has PG_slab, the head struct page (the slab) and its
    /// <c>slab_cache</c>; false otherwise.
    /// </summary>
    public bool TryFindSlab(ulong address, out ulong slab, out ulong cache)
    {
        slab = cache = 0;
        if (!_target.TryTranslate(address, out var physical)) return false;
        var map = PageMap.For(_target);
        try
        {
            var page = map.PageAddress(physical);
            var head = map.CompoundHead(page);
            if ((map.FlagsAt(page) & map.SlabFlag) == 0 && (map.FlagsAt(head) & map.SlabFlag) == 0) return false;
            slab = head;
            cache = KernelMemory.ReadU64(_target, head + Layout.SlabCache);
            return true;
        }
        catch (KdumpDebugException)
        {
            return false;
        }
    }

    /// <summary>crash's is_slab_page: <paramref name="page"/> is a struct page with PG_slab; its slab_cache.</summary>
    public bool TryFindSlabPage(ulong page, out ulong cache)
    {
        cache = 0;
        var map = PageMap.For(_target);
        if (!map.TryPhysicalOf(page, out _)) return false;
        try
        {
            if ((map.FlagsAt(page) & map.SlabFlag) == 0) return false;
            cache = KernelMemory.ReadU64(_target, page + Layout.SlabCache);
            return true;
        }
        catch (KdumpDebugException)
        {
            return false;
        }
    }
}
