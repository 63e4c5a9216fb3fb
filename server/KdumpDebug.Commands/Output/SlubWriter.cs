using KdumpDebug.Core.Errors;
using KdumpDebug.Kernel.Memory;
using KdumpDebug.Target;

namespace KdumpDebug.Commands.Output;

/// <summary>
/// crash's SLUB displays (memory.c dump_kmem_cache_slub, do_kmem_cache_slub, do_slab_slub):
/// the CACHE line of <c>kmem -s</c>, the per-CPU / per-node detail of <c>kmem -S</c>, and a slab
/// with its objects marked free or <c>[allocated]</c>. Column layouts are crash's on x86-64
/// (VADDR_PRLEN 16). A slab or list that cannot be read gives one <c>kmem:</c> line and the
/// display goes on with the next one.
/// </summary>
sealed class SlubWriter(KernelTarget target, TextWriter output)
{
    public const string CacheHeader = "CACHE             OBJSIZE  ALLOCATED     TOTAL  SLABS  SSIZE  NAME\n";
    const string SlabHeader = "SLAB              MEMORY            NODE  TOTAL  ALLOCATED  FREE\n";
    const string FreeInUseHeader = "FREE / [ALLOCATED]\n";

    readonly SlubAllocator _slub = SlubAllocator.For(target);

    public SlubAllocator Allocator => _slub;

    /// <summary>Writes <paramref name="text"/> as is.</summary>
    public void Write(string text) => output.Write(text);

    /// <summary>
    /// dump_kmem_cache_info: "ffffa0f7c0161400     5128         49        54      9    32k  task_struct".
    /// False (after crash's "cannot gather relevant slab data" line and a row of '?') when the counts cannot be read.
    /// </summary>
    public bool WriteCacheLine(SlubCache cache)
    {
        SlubUsage? usage = null;
        string? problem = null;
        try
        {
            usage = SlubUsage.Compute(target, _slub, cache);
        }
        catch (KdumpDebugException e)
        {
            problem = e.Message;
        }
        var address = CrashColumns.MkString(cache.Address.ToString("x"), CrashColumns.VaddrWidth, Justify.Left);
        var size = $"{cache.SlabBytes / 1024,4}k  {cache.Name}\n";
        if (usage is null)
        {
            output.Write($"kmem: {cache.Name}: cannot gather relevant slab data ({problem})\n");
            output.Write($"{address} {cache.ObjectSize,8}  {"?",9}  {"?",8}  {"?",5}  {size}");
            return false;
        }
        output.Write($"{address} {cache.ObjectSize,8}  {usage.Allocated,9}  {usage.Total,8}  {usage.Slabs,5}  {size}");
        return true;
    }

    /// <summary>do_kmem_cache_slub: each CPU's kmem_cache_cpu, slab and partial slabs, then each node's lists, then a blank line.</summary>
    public void WriteCacheDetail(SlubCache cache)
    {
        var perNode = new Dictionary<int, long>();
        foreach (var cpuNumber in _slub.Cpus)
        {
            // crash prints "CPU N [OFFLINE]" only after "set offline hide"; by default offline CPUs
            // (e.g. the ones the panic stopped) are shown like the others.
            SlubCpuCache cpu;
            try
            {
                cpu = _slub.ReadCpu(cache, cpuNumber);
            }
            catch (KdumpDebugException e)
            {
                output.Write($"kmem: {cache.Name}: cpu {cpuNumber}: {e.Message}\n");
                continue;
            }
            output.Write($"CPU {cpuNumber} KMEM_CACHE_CPU:\n  {cpu.Address:x}\n");
            output.Write($"CPU {cpuNumber} SLAB:\n{(cpu.Slab == 0 ? "  (empty)\n" : "")}");
            if (cpu.Slab != 0)
            {
                var node = MemoryNodes.For(target).NodeOf(PageMap.For(target).TryPhysicalOf(cpu.Slab, out var p) ? p : 0);
                if (node >= 0) perNode[node] = perNode.GetValueOrDefault(node) + 1;
                if (!WriteSlab(cache, cpu.Slab, verbose: true, null, allObjects: true)) continue;
            }
            if (_slub.Layout.CpuPartial is null) continue;
            output.Write($"CPU {cpuNumber} PARTIAL:\n{(cpu.Partial == 0 ? "  (empty)\n" : "")}");
            var problems = new List<string>();
            foreach (var slab in _slub.CpuPartialSlabs(cache, cpu, problems))
                if (!WriteSlab(cache, slab, verbose: true, null, allObjects: true)) break;
            foreach (var problem in problems) output.Write($"kmem: {problem}\n");
        }
        foreach (var (node, address) in _slub.NodePointers(cache))
        {
            SlubNodeCache counts;
            try
            {
                counts = address == 0 ? new SlubNodeCache(node, 0, 0, 0, 0) : _slub.ReadNode(node, address);
            }
            catch (KdumpDebugException e)
            {
                output.Write($"kmem: {cache.Name}: kmem_cache_node {address:x}: {e.Message}\n");
                break;
            }
            output.Write("KMEM_CACHE_NODE   NODE  SLABS  PARTIAL  PER-CPU\n");
            output.Write($"{address:x}  {node,4}  {counts.NrSlabs ?? 0,5}  {counts.NrPartial,7}  {perNode.GetValueOrDefault(node),7}\n");
            if (address != 0) WriteNodeLists(cache, node, address);
        }
        output.Write("\n");
    }

    /// <summary>do_node_lists_slub: the node's partial slabs, then its full slabs when SLAB_STORE_USER keeps them.</summary>
    void WriteNodeLists(SlubCache cache, int node, ulong address)
    {
        foreach (var full in new[] { false, true })
        {
            var name = full ? "FULL" : "PARTIAL";
            if (full && (_slub.Layout.NodeFull is null || (cache.Flags & SlubCache.SlabStoreUser) == 0))
            {
                output.Write($"NODE {node} FULL:\n  (not tracked)\n");
                return;
            }
            var problems = new List<string>();
            List<ulong> slabs;
            try
            {
                slabs = _slub.NodeSlabs(cache, address, full, problems);
            }
            catch (KdumpDebugException e)
            {
                output.Write($"kmem: {cache.Name}: node {node} {name.ToLowerInvariant()} list: {e.Message}\n");
                return;
            }
            output.Write($"NODE {node} {name}:\n{(slabs.Count == 0 && problems.Count == 0 ? "  (empty)\n" : "")}");
            if (slabs.Count > 0) output.Write("  " + SlabHeader);
            var ok = true;
            foreach (var slab in slabs)
                if (!(ok = WriteSlab(cache, slab, verbose: false, null, allObjects: false))) break;
            foreach (var problem in problems) output.Write($"kmem: {problem}\n");
            if (!ok || problems.Count > 0) return;
        }
    }

    /// <summary>
    /// do_slab_slub: the slab's line; with <paramref name="verbose"/> its header before it and its
    /// objects after it ("[addr]" allocated, " addr  " free, "(cpu N cache)" on a CPU's freelist),
    /// all of them or (<paramref name="allObjects"/> false) only the one holding <paramref name="address"/>.
    /// False after a <c>kmem:</c> line when the slab cannot be read.
    /// </summary>
    public bool WriteSlab(SlubCache cache, ulong slabAddress, bool verbose, ulong? address, bool allObjects)
    {
        SlubSlab slab;
        try
        {
            slab = _slub.ReadSlab(slabAddress);
        }
        catch (KdumpDebugException e)
        {
            output.Write($"kmem: {cache.Name}: {e.Message}\n");
            return false;
        }
        if (verbose) output.Write("  " + SlabHeader);
        if (slab.Objects == 0)
        {
            output.Write($"kmem: {cache.Name}: slab: {slab.Address:x} invalid slab.objects: 0\n");
            return false;
        }
        var inuse = slab.InUse;
        if (!verbose)
        {
            WriteSlabLine(slab, inuse);
            return true;
        }
        SlubCpuCache? owner = null;
        foreach (var cpuNumber in _slub.Cpus)
        {
            try
            {
                var cpu = _slub.ReadCpu(cache, cpuNumber);
                if (cpu.Slab == slab.Address)
                {
                    owner = cpu;
                    break;
                }
            }
            catch (KdumpDebugException)
            {
            }
        }
        var slabFree = SlubFreelist.Walk(target, cache, slab, slab.Freelist);
        var cpuFree = owner is null ? null : SlubFreelist.Walk(target, cache, slab, owner.Freelist);
        if (cpuFree is not null)
        {
            // A CPU's slab counts every object in use; its free ones are on the CPU freelist, and
            // objects freed by other CPUs on the slab's own list (crash: "objects - inuse").
            var free = cpuFree.Objects.Count + (slab.Freelist != 0 ? slab.Objects - slab.InUse : 0);
            inuse = slab.Objects - free;
        }
        WriteSlabLine(slab, inuse);
        output.Write("  " + FreeInUseHeader);
        var problem = slabFree.Problem ?? cpuFree?.Problem;
        if (problem is not null)
        {
            output.Write($"kmem: {problem}\n");
            return false;
        }
        var freeSet = new HashSet<ulong>(slabFree.Objects);
        if (cpuFree is not null) freeSet.UnionWith(cpuFree.Objects);
        foreach (var slot in slab.ObjectSlots(cache))
        {
            if (!allObjects && address is ulong a && (a < slot || a - slot >= cache.Size)) continue;
            var start = slot + cache.RedLeftPad;
            var isFree = freeSet.Contains(start);
            output.Write(isFree ? $"   {start:x}  {(owner is not null ? $"(cpu {owner.Cpu} cache)" : "")}\n" : $"  [{start:x}]\n");
        }
        return true;
    }

    void WriteSlabLine(SlubSlab slab, int inuse)
    {
        var s = CrashColumns.MkString(slab.Address.ToString("x"), CrashColumns.VaddrWidth, Justify.Left);
        var m = CrashColumns.MkString(slab.Memory.ToString("x"), CrashColumns.VaddrWidth, Justify.Left);
        output.Write($"  {s}  {m}  {slab.Node,4}  {slab.Objects,5}  {inuse,9}  {slab.Objects - inuse,4}\n");
    }
}
