using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel.Memory;

/// <summary>
/// Where the SLUB allocator keeps its data, found by name in the vmlinux's DWARF once per target
/// (<see cref="For"/>): <c>struct kmem_cache</c>, <c>kmem_cache_cpu</c>, <c>kmem_cache_node</c>
/// and the slab descriptor. Since Linux kernel commit d122019bf061 ("mm: Split slab into its own
/// type") (in v5.17) a slab is a <c>struct slab</c> overlaying its head <c>struct page</c>; before,
/// the same fields (<c>slab_cache</c>, <c>freelist</c>, the <c>inuse:16 objects:15 frozen:1</c>
/// bitfields, <c>next</c>, <c>slab_list</c>/<c>lru</c>) are members of <c>struct page</c>. Which
/// one is detected from the DWARF (a <c>struct slab</c> with a <c>slab_cache</c> member), never
/// from the release. Thread-safe, immutable.
/// </summary>
public sealed class SlubLayout
{
    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<KernelTarget, SlubLayout> Instances = new();

    SlubLayout(KernelTarget target)
    {
        var layouts = target.TypeLayouts;
        if (!KernelMemory.HasMember(layouts, "kmem_cache", "cpu_slab") || !KernelMemory.HasMember(layouts, "kmem_cache_node", "nr_partial"))
            throw new KdumpDebugException("the kernel does not use the SLUB allocator (no kmem_cache.cpu_slab in the debug info); only SLUB is supported");
        SlabStruct = KernelMemory.HasMember(layouts, "slab", "slab_cache") ? "slab" : "page";
        SlabCache = KernelMemory.Offset(layouts, SlabStruct, "slab_cache");
        SlabFreelist = KernelMemory.Offset(layouts, SlabStruct, "freelist");
        // CONFIG_SLUB_CPU_PARTIAL: the per-CPU partial slabs are chained through slab->next.
        SlabNext = layouts.TryGetMemberOffset(SlabStruct, "next", out var next) ? next : null;
        // slab_list since v4.20 (commit 916ac0527837 "slub: use slab_list instead of lru"), lru before.
        SlabList = layouts.TryGetMemberOffset(SlabStruct, "slab_list", out var list) ? list : KernelMemory.Offset(layouts, SlabStruct, "lru");
        (InUseBit, InUseBits) = BitField(target, SlabStruct, "inuse");
        (ObjectsBit, ObjectsBits) = BitField(target, SlabStruct, "objects");

        CacheName = KernelMemory.Offset(layouts, "kmem_cache", "name");
        CacheList = KernelMemory.Offset(layouts, "kmem_cache", "list");
        CacheSize = KernelMemory.Offset(layouts, "kmem_cache", "size");
        // object_size since v3.8 (commit 3b0efdfa1e71 "mm, sl[aou]b: Extract common fields from struct kmem_cache"), objsize before.
        CacheObjectSize = layouts.TryGetMemberOffset("kmem_cache", "object_size", out var os) ? os : KernelMemory.Offset(layouts, "kmem_cache", "objsize");
        CacheOffset = KernelMemory.Offset(layouts, "kmem_cache", "offset");
        CacheOo = KernelMemory.Offset(layouts, "kmem_cache", "oo");
        CacheFlags = KernelMemory.Offset(layouts, "kmem_cache", "flags");
        CacheCpuSlab = KernelMemory.Offset(layouts, "kmem_cache", "cpu_slab");
        // CONFIG_SLAB_FREELIST_HARDENED (v4.14, commit 2482ddec670f "mm: add SLUB free list pointer obfuscation").
        CacheRandom = layouts.TryGetMemberOffset("kmem_cache", "random", out var random) ? random : null;
        CacheRedLeftPad = layouts.TryGetMemberOffset("kmem_cache", "red_left_pad", out var pad) ? pad : null;
        // node[MAX_NUMNODES] since v2.6.22's NUMA-less "local_node" was removed (v3.1); older non-NUMA kernels embed local_node.
        CacheNode = layouts.TryGetMemberOffset("kmem_cache", "node", out var node) ? node : null;
        CacheLocalNode = CacheNode is null ? KernelMemory.Offset(layouts, "kmem_cache", "local_node") : null;

        CpuFreelist = KernelMemory.Offset(layouts, "kmem_cache_cpu", "freelist");
        // kmem_cache_cpu.slab since v5.17 (commit bb192ed9aa71 "mm/slub: Convert most struct page to struct slab by spatch"), .page before.
        CpuSlab = layouts.TryGetMemberOffset("kmem_cache_cpu", "slab", out var cs) ? cs : KernelMemory.Offset(layouts, "kmem_cache_cpu", "page");
        CpuPartial = layouts.TryGetMemberOffset("kmem_cache_cpu", "partial", out var cp) ? cp : null;

        NodeNrPartial = KernelMemory.Offset(layouts, "kmem_cache_node", "nr_partial");
        NodePartial = KernelMemory.Offset(layouts, "kmem_cache_node", "partial");
        // CONFIG_SLUB_DEBUG keeps the node counters and the full list.
        NodeNrSlabs = layouts.TryGetMemberOffset("kmem_cache_node", "nr_slabs", out var ns) ? ns : null;
        NodeTotalObjects = layouts.TryGetMemberOffset("kmem_cache_node", "total_objects", out var to) ? to : null;
        NodeFull = layouts.TryGetMemberOffset("kmem_cache_node", "full", out var full) ? full : null;
    }

    /// <summary>The layout of <paramref name="target"/>; throws one line when the kernel is not SLUB.</summary>
    public static SlubLayout For(KernelTarget target) => Instances.GetValue(target, t => new SlubLayout(t));

    /// <summary>"slab" (v5.17+) or "page": the struct that describes a slab.</summary>
    public string SlabStruct { get; }
    public ulong SlabCache { get; }
    public ulong SlabFreelist { get; }
    public ulong? SlabNext { get; }
    public ulong SlabList { get; }
    /// <summary>Bit position and width of <c>inuse</c> / <c>objects</c> from the start of the slab struct.</summary>
    public ulong InUseBit { get; }
    public uint InUseBits { get; }
    public ulong ObjectsBit { get; }
    public uint ObjectsBits { get; }

    public ulong CacheName { get; }
    public ulong CacheList { get; }
    public ulong CacheSize { get; }
    public ulong CacheObjectSize { get; }
    public ulong CacheOffset { get; }
    public ulong CacheOo { get; }
    public ulong CacheFlags { get; }
    public ulong CacheCpuSlab { get; }
    public ulong? CacheRandom { get; }
    public ulong? CacheRedLeftPad { get; }
    public ulong? CacheNode { get; }
    public ulong? CacheLocalNode { get; }

    public ulong CpuFreelist { get; }
    public ulong CpuSlab { get; }
    public ulong? CpuPartial { get; }

    public ulong NodeNrPartial { get; }
    public ulong NodePartial { get; }
    public ulong? NodeNrSlabs { get; }
    public ulong? NodeTotalObjects { get; }
    public ulong? NodeFull { get; }

    /// <summary>Reads the unsigned bit field at <paramref name="bit"/> (from <paramref name="address"/>), <paramref name="bits"/> wide.</summary>
    public static ulong ReadBits(IKernelTarget target, ulong address, ulong bit, uint bits)
    {
        var word = KernelMemory.ReadU64(target, address + bit / 64 * 8);
        var shift = (int)(bit % 64);
        var value = word >> shift;
        if (shift + (int)bits > 64) value |= KernelMemory.ReadU64(target, address + bit / 64 * 8 + 8) << (64 - shift);
        return bits >= 64 ? value : value & ((1UL << (int)bits) - 1);
    }

    static (ulong Bit, uint Bits) BitField(KernelTarget target, string structName, string member)
    {
        if (target.Objects.Types.TryFindType("struct " + structName, out var type) && type.TryFindMember(member, out var lookup))
            return (lookup.BitOffset, lookup.Member.BitSize != 0 ? lookup.Member.BitSize : (uint)((lookup.Type.StripTypedefs().Size ?? 4) * 8));
        throw new KdumpDebugException($"struct {structName}: no member {member} in the vmlinux debug info");
    }
}
