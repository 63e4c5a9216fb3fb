using KdumpDebug.Target;

namespace KdumpDebug.Kernel.Memory;

/// <summary>
/// One SLUB cache (<c>struct kmem_cache</c>) as read from the dump.
/// </summary>
/// <param name="Address">The kmem_cache.</param>
/// <param name="Name"><c>name</c> ("(unknown)" when unreadable, as crash shows it).</param>
/// <param name="ObjectSize"><c>object_size</c>: the size asked for, crash's OBJSIZE.</param>
/// <param name="Size"><c>size</c>: the stride of objects in a slab, metadata included.</param>
/// <param name="FreePointerOffset"><c>offset</c>: where a free object keeps the next free pointer.</param>
/// <param name="Order"><c>oo</c>'s order: a slab is PAGE_SIZE &lt;&lt; Order bytes.</param>
/// <param name="ObjectsPerSlab"><c>oo</c>'s object count.</param>
/// <param name="Flags"><c>flags</c> (SLAB_RED_ZONE, SLAB_STORE_USER...).</param>
/// <param name="Random"><c>random</c>, the freelist obfuscation key (CONFIG_SLAB_FREELIST_HARDENED), or null.</param>
/// <param name="RedLeftPad"><c>red_left_pad</c> when SLAB_RED_ZONE is set, else 0.</param>
/// <param name="CpuSlab"><c>cpu_slab</c>: the __percpu pointer to each CPU's kmem_cache_cpu.</param>
public sealed record SlubCache(
    ulong Address,
    string Name,
    uint ObjectSize,
    uint Size,
    uint FreePointerOffset,
    int Order,
    int ObjectsPerSlab,
    ulong Flags,
    ulong? Random,
    uint RedLeftPad,
    ulong CpuSlab)
{
    /// <summary>SLAB_RED_ZONE (include/linux/slab.h).</summary>
    public const ulong SlabRedZone = 0x400;

    /// <summary>SLAB_STORE_USER: the node's full list is kept (include/linux/slab.h).</summary>
    public const ulong SlabStoreUser = 0x10000;

    /// <summary>Bytes of one slab: PAGE_SIZE &lt;&lt; order.</summary>
    public ulong SlabBytes => 4096UL << Math.Clamp(Order, 0, 20);

    /// <summary>Reads the kmem_cache at <paramref name="address"/> (a few small reads); throws the read's error.</summary>
    public static SlubCache Read(KernelTarget target, SlubLayout layout, ulong address)
    {
        string name;
        try
        {
            name = KernelMemory.ReadCString(target, KernelMemory.ReadU64(target, address + layout.CacheName), 256);
        }
        catch (Core.Errors.KdumpDebugException)
        {
            name = "(unknown)";
        }
        // struct kmem_cache_order_objects { unsigned int x; }: order in the high 16 bits (mm/slub.c oo_order / oo_objects).
        var oo = KernelMemory.ReadU32(target, address + layout.CacheOo);
        var flags = (ulong)KernelMemory.ReadU32(target, address + layout.CacheFlags);
        uint redLeftPad = 0;
        if (layout.CacheRedLeftPad is ulong pad && (flags & SlabRedZone) != 0) redLeftPad = KernelMemory.ReadU32(target, address + pad);
        return new SlubCache(
            address,
            name,
            KernelMemory.ReadU32(target, address + layout.CacheObjectSize),
            KernelMemory.ReadU32(target, address + layout.CacheSize),
            KernelMemory.ReadU32(target, address + layout.CacheOffset),
            (int)(oo >> 16),
            (int)(oo & 0xffff),
            flags,
            layout.CacheRandom is ulong r ? KernelMemory.ReadU64(target, address + r) : null,
            redLeftPad,
            KernelMemory.ReadU64(target, address + layout.CacheCpuSlab));
    }
}
