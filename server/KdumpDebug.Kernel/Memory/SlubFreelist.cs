using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel.Memory;

/// <summary>
/// A SLUB freelist walked the way mm/slub.c's get_freepointer() follows it: each free object keeps
/// the next one's address at <c>object + s-&gt;offset</c>. With CONFIG_SLAB_FREELIST_HARDENED
/// (<c>kmem_cache.random</c> exists) the stored value is <c>ptr ^ s-&gt;random ^ swab(ptr_addr)</c>
/// (freelist_ptr(); the swab since v5.7, commit 1ad53d9fa3f6 "slub: improve bit diffusion for
/// freelist ptr obfuscation"; plain <c>ptr_addr</c> before). No DWARF tells the two apart, so
/// each link is decoded both ways and the one that lands in the slab (or is NULL) is kept.
/// The walk stops at NULL, at a value with bit 0 set (crash's PAGE_MAPPING_ANON end marker of
/// old kernels), at a repeated object (a loop), at an unreadable link, or after
/// <see cref="MaxObjects"/>; the reason is in <see cref="Problem"/>. One 8-byte read per object.
/// </summary>
public sealed class SlubFreelist
{
    /// <summary>No slab holds more objects than <c>objects:15</c> can count.</summary>
    public const int MaxObjects = 1 << 15;

    SlubFreelist(List<ulong> objects, string? problem)
    {
        Objects = objects;
        Problem = problem;
    }

    /// <summary>The free objects in list order.</summary>
    public IReadOnlyList<ulong> Objects { get; }

    /// <summary>Why the walk stopped early (crash's "duplicate freelist object" / "invalid freepointer"), or null.</summary>
    public string? Problem { get; }

    /// <summary>
    /// Walks from <paramref name="head"/> (an object address, already decoded: slab-&gt;freelist and
    /// kmem_cache_cpu.freelist are stored plain). <paramref name="slab"/> bounds the decoding check.
    /// </summary>
    public static SlubFreelist Walk(IKernelTarget target, SlubCache cache, SlubSlab? slab, ulong head)
    {
        var objects = new List<ulong>();
        var seen = new HashSet<ulong>();
        string? problem = null;
        var start = slab?.Memory ?? 0;
        var end = slab is null ? ulong.MaxValue : slab.Memory + cache.SlabBytes;
        for (var q = head; q != 0; )
        {
            if ((q & 1) != 0) break;
            if (!seen.Add(q))
            {
                problem = $"{cache.Name}: slab: {slab?.Address ?? 0:x} duplicate freelist object: {q:x}";
                break;
            }
            if (objects.Count >= MaxObjects)
            {
                problem = $"{cache.Name}: slab: {slab?.Address ?? 0:x} freelist longer than {MaxObjects} objects";
                break;
            }
            objects.Add(q);
            var at = unchecked(q + cache.FreePointerOffset);
            ulong stored;
            try
            {
                stored = KernelMemory.ReadU64(target, at);
            }
            catch (KdumpDebugException)
            {
                problem = $"{cache.Name}: slab: {slab?.Address ?? 0:x} invalid freepointer: {at:x}";
                break;
            }
            q = Decode(cache, stored, at, start, end);
        }
        return new SlubFreelist(objects, problem);
    }

    /// <summary>freelist_ptr(): the next object from the value stored at <paramref name="storedAt"/>.</summary>
    public static ulong Decode(SlubCache cache, ulong stored, ulong storedAt, ulong slabStart, ulong slabEnd)
    {
        if (cache.Random is not ulong random) return stored;
        var swabbed = stored ^ random ^ System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(storedAt);
        if (swabbed == 0 || (swabbed >= slabStart && swabbed < slabEnd)) return swabbed;
        var plain = stored ^ random ^ storedAt;
        return plain == 0 || (plain >= slabStart && plain < slabEnd) ? plain : swabbed;
    }
}
