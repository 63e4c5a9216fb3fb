using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel.Memory;

/// <summary>
/// One SLUB slab: its descriptor (<c>struct slab</c>, or the head <c>struct page</c> before
/// v5.17, see <see cref="SlubLayout"/>) and the memory its objects live in.
/// </summary>
/// <param name="Address">The struct slab / struct page.</param>
/// <param name="Memory">The direct-map address of the slab's first byte (crash's MEMORY column).</param>
/// <param name="Node">The memory node of its frames (crash's page_to_nid), -1 when unknown.</param>
/// <param name="Objects"><c>objects</c>: how many objects the slab holds.</param>
/// <param name="InUse"><c>inuse</c>: objects not on the slab's own freelist (a CPU's slab counts all as in use).</param>
/// <param name="Freelist"><c>freelist</c>: the first free object, as stored (NULL-terminated, possibly obfuscated links).</param>
/// <param name="Next"><c>next</c>: the next slab of a CPU's partial list (0 at the end, or without CONFIG_SLUB_CPU_PARTIAL).</param>
public sealed record SlubSlab(ulong Address, ulong Memory, int Node, int Objects, int InUse, ulong Freelist, ulong Next)
{
    /// <summary>
    /// Reads the slab described at <paramref name="address"/>; throws a one-line error when it is
    /// not a struct page of the memory map or cannot be read (crash: "invalid slab address").
    /// </summary>
    public static SlubSlab Read(KernelTarget target, SlubLayout layout, ulong address)
    {
        var map = PageMap.For(target);
        if (!map.TryPhysicalOf(address, out var physical)) throw new KdumpDebugException($"invalid slab address: {address:x}");
        var objects = (int)SlubLayout.ReadBits(target, address, layout.ObjectsBit, layout.ObjectsBits);
        var inuse = (int)SlubLayout.ReadBits(target, address, layout.InUseBit, layout.InUseBits);
        var freelist = KernelMemory.ReadU64(target, address + layout.SlabFreelist);
        var next = layout.SlabNext is ulong n ? KernelMemory.ReadU64(target, address + n) : 0;
        return new SlubSlab(address, map.DirectMapBase + physical, MemoryNodes.For(target).NodeOf(physical), objects, inuse, freelist, next);
    }

    /// <summary>The object addresses of the slab, in memory order (red-left padding included in each stride).</summary>
    public IEnumerable<ulong> ObjectSlots(SlubCache cache)
    {
        for (var i = 0; i < Objects; i++) yield return Memory + (ulong)i * cache.Size;
    }
}
