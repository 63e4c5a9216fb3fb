using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel.Memory;

/// <summary>
/// A cache's object and slab counts as crash's <c>kmem -s</c> computes them (memory.c
/// get_kmem_cache_slub_data, which emulates slub.c's sysfs slab_objects()): the total from the
/// nodes' <c>total_objects</c> (CONFIG_SLUB_DEBUG), the free objects counted by hand — each CPU
/// slab's <c>objects - inuse</c> plus its CPU freelist, each CPU partial slab's and each node
/// partial slab's <c>objects - inuse</c> — and the slabs from the nodes' <c>nr_slabs</c>
/// (CPU slabs + node partial slabs + the rest, which are full). Objects freed to a CPU slab by
/// another CPU sit on that slab's own freelist and are counted as allocated, as crash counts them.
/// Cost: a few reads per CPU and per partial slab, one per free object of each CPU freelist.
/// </summary>
/// <param name="Allocated">crash's ALLOCATED: total minus free.</param>
/// <param name="Total">crash's TOTAL: allocated plus free.</param>
/// <param name="Slabs">crash's SLABS.</param>
public sealed record SlubUsage(ulong Allocated, ulong Total, ulong Slabs)
{
    /// <summary>
    /// Counts <paramref name="cache"/>. Throws a one-line error (crash's "cannot gather relevant
    /// slab data") when a slab or list cannot be read or the kernel lacks the CONFIG_SLUB_DEBUG counters.
    /// </summary>
    public static SlubUsage Compute(KernelTarget target, SlubAllocator slub, SlubCache cache)
    {
        if (slub.Layout.NodeNrSlabs is null)
            throw new KdumpDebugException("option requires kmem_cache_node.nr_slabs member! (the kernel must be built with CONFIG_SLUB_DEBUG)");
        var problems = new List<string>();
        var perCpuSlabs = new Dictionary<int, long>();
        long slabs = 0, free = 0, total = 0, totalFromSlabs = 0;
        var nodeTotals = slub.Layout.NodeTotalObjects is not null;
        foreach (var cpuNumber in slub.Cpus)
        {
            var cpu = slub.ReadCpu(cache, cpuNumber);
            if (cpu.Slab == 0) continue;
            var slab = slub.ReadSlab(cpu.Slab);
            if (slab.Node < 0) throw new KdumpDebugException($"page_to_nid: cannot determine node for pages: {cpu.Slab:x}");
            if (slab.Objects == 0) throw new KdumpDebugException($"{cache.Name}: slab: {slab.Address:x} invalid slab.objects: 0");
            free += slab.Objects - slab.InUse;
            var freelist = SlubFreelist.Walk(target, cache, slab, cpu.Freelist);
            free += freelist.Objects.Count;
            free += CpuPartialFree(slub, cache, cpu);
            if (!nodeTotals) totalFromSlabs += slab.InUse;
            slabs++;
            perCpuSlabs[slab.Node] = perCpuSlabs.GetValueOrDefault(slab.Node) + 1;
        }
        foreach (var (nodeId, address) in slub.NodePointers(cache))
        {
            if (address == 0) continue;
            var node = slub.ReadNode(nodeId, address);
            var partial = slub.NodeSlabs(cache, address, full: false, problems);
            if (problems.Count > 0) throw new KdumpDebugException(problems[0]);
            long partialInUse = 0;
            foreach (var s in partial)
            {
                var slab = slub.ReadSlab(s);
                if (slab.Objects == 0) throw new KdumpDebugException($"{cache.Name}: slab: {slab.Address:x} invalid slab.objects: 0");
                partialInUse += slab.InUse;
                free += slab.Objects - slab.InUse;
            }
            if (!nodeTotals) totalFromSlabs += partialInUse;
            slabs += (long)node.NrPartial;
            var fullSlabs = (long)node.NrSlabs!.Value - perCpuSlabs.GetValueOrDefault(nodeId) - (long)node.NrPartial;
            if (nodeTotals) total += (long)node.TotalObjects!.Value;
            else totalFromSlabs += fullSlabs * cache.ObjectsPerSlab;
            slabs += fullSlabs;
        }
        ulong allocated, freeCount;
        if (nodeTotals)
        {
            allocated = unchecked((ulong)(total - free));
            freeCount = unchecked((ulong)free);
        }
        else
        {
            allocated = unchecked((ulong)totalFromSlabs);
            freeCount = unchecked((ulong)(slabs * cache.ObjectsPerSlab) - allocated);
        }
        return new SlubUsage(allocated, unchecked(allocated + freeCount), unchecked((ulong)slabs));
    }

    /// <summary>crash's count_cpu_partial: the free objects of a CPU's partial slabs (0 when the list is broken).</summary>
    static long CpuPartialFree(SlubAllocator slub, SlubCache cache, SlubCpuCache cpu)
    {
        var problems = new List<string>();
        long free = 0;
        foreach (var s in slub.CpuPartialSlabs(cache, cpu, problems))
        {
            var slab = slub.ReadSlab(s);
            if (slab.Objects == 0) return 0;
            free += slab.Objects - slab.InUse;
        }
        return problems.Count > 0 ? 0 : free;
    }
}
