using System.Buffers.Binary;
using KdumpDebug.Core.Errors;
using KdumpDebug.Kernel.Memory;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Kernel.Tests;

/// <summary>
/// The SLUB helpers: freelists plain and hardened (both obfuscations), loops and holes in them,
/// and bad slab / cache input on the real dump giving one line each. Command-level equality with
/// crash is in the Commands tests (KmemSlabTests).
/// </summary>
public sealed class SlubTests
{
    const ulong SlabMemory = 0xffff_8880_0100_0000UL;
    const uint Stride = 64;

    static SlubCache Cache(ulong? random) => new(0xffff_8880_0000_1000UL, "test-64", 64, Stride, 32, 0, 64, 0, random, 0, 0);

    static SlubSlab Slab() => new(0xffff_ea00_0004_0000UL, SlabMemory, 0, 64, 61, 0, 0);

    /// <summary>Maps a freelist through <paramref name="objects"/>, each link stored as <paramref name="encode"/> makes it.</summary>
    static MockTarget Freelist(SlubCache cache, ulong[] objects, Func<ulong, ulong, ulong> encode)
    {
        var mock = new MockTarget();
        mock.MapVirtual(SlabMemory, new byte[4096]);
        var word = new byte[8];
        for (var i = 0; i < objects.Length; i++)
        {
            var at = objects[i] + cache.FreePointerOffset;
            var next = i + 1 < objects.Length ? objects[i + 1] : 0;
            BinaryPrimitives.WriteUInt64LittleEndian(word, encode(next, at));
            mock.MapVirtual(at, word);
        }
        return mock;
    }

    static readonly ulong[] ThreeObjects = [SlabMemory + 5 * Stride, SlabMemory + 2 * Stride, SlabMemory + 60 * Stride];

    [Fact]
    public void APlainFreelistIsFollowedToNull()
    {
        var cache = Cache(null);
        var walk = SlubFreelist.Walk(Freelist(cache, ThreeObjects, (next, _) => next), cache, Slab(), ThreeObjects[0]);
        Assert.Null(walk.Problem);
        Assert.Equal(ThreeObjects, walk.Objects);
    }

    /// <summary>freelist_ptr() since v5.7: ptr ^ s->random ^ swab(ptr_addr).</summary>
    [Fact]
    public void AHardenedFreelistWithSwabIsDecoded()
    {
        const ulong random = 0x5a5a_1234_dead_beefUL;
        var cache = Cache(random);
        var walk = SlubFreelist.Walk(Freelist(cache, ThreeObjects, (next, at) => next ^ random ^ BinaryPrimitives.ReverseEndianness(at)), cache, Slab(), ThreeObjects[0]);
        Assert.Null(walk.Problem);
        Assert.Equal(ThreeObjects, walk.Objects);
    }

    /// <summary>freelist_ptr() from v4.14 to v5.6: ptr ^ s->random ^ ptr_addr.</summary>
    [Fact]
    public void AHardenedFreelistWithoutSwabIsDecoded()
    {
        const ulong random = 0x0123_4567_89ab_cdefUL;
        var cache = Cache(random);
        var walk = SlubFreelist.Walk(Freelist(cache, ThreeObjects, (next, at) => next ^ random ^ at), cache, Slab(), ThreeObjects[0]);
        Assert.Null(walk.Problem);
        Assert.Equal(ThreeObjects, walk.Objects);
    }

    [Fact]
    public void ALoopingFreelistStopsWithOneLine()
    {
        var cache = Cache(null);
        ulong[] loop = [ThreeObjects[0], ThreeObjects[1], ThreeObjects[0]];
        var mock = Freelist(cache, loop[..2], (next, _) => next == 0 ? loop[0] : next);
        var walk = SlubFreelist.Walk(mock, cache, Slab(), loop[0]);
        Assert.Equal([loop[0], loop[1]], walk.Objects);
        Assert.Equal($"test-64: slab: ffffea0000040000 duplicate freelist object: {loop[0]:x}", walk.Problem);
    }

    [Fact]
    public void AFreelistIntoUnmappedMemoryStopsWithOneLine()
    {
        var cache = Cache(null);
        const ulong hole = 0xffff_8880_0900_0000UL;
        var mock = Freelist(cache, ThreeObjects[..1], (_, _) => hole);
        var walk = SlubFreelist.Walk(mock, cache, Slab(), ThreeObjects[0]);
        Assert.Equal([ThreeObjects[0], hole], walk.Objects);
        Assert.Equal($"test-64: slab: ffffea0000040000 invalid freepointer: {hole + 32:x}", walk.Problem);
    }

    /// <summary>The fixture kernel (v6.1) describes slabs with struct slab; its caches come in slab_caches order.</summary>
    [FixtureFact]
    public void TheFixtureKernelUsesStructSlab()
    {
        var target = FixtureKernels.Open("sysrq");
        var slub = SlubAllocator.For(target);
        Assert.Equal("slab", slub.Layout.SlabStruct);
        Assert.Null(slub.Layout.CacheRandom); // CONFIG_SLAB_FREELIST_HARDENED is off in ../shared/fixtures/kernel/config
        Assert.Empty(slub.Problems);
        Assert.Equal(80, slub.CacheAddresses.Count);
        Assert.Equal("kmem_cache", slub.ReadCache(slub.CacheAddresses[^1]).Name);
        Assert.Equal("bio-96", slub.ReadCache(slub.CacheAddresses[0]).Name);
    }

    [FixtureFact]
    public void BadSlabAndCacheGiveOneLine()
    {
        var target = FixtureKernels.Open("sysrq");
        var slub = SlubAllocator.For(target);
        var bad = Assert.ThrowsAny<KdumpDebugException>(() => slub.ReadSlab(0xffffd46e0002a681));
        Assert.Equal("invalid slab address: ffffd46e0002a681", bad.Message);
        // A cache whose per-CPU pointer is garbage: the counts fail with one line.
        var cache = slub.ReadCache(slub.CacheAddresses[^1]) with { CpuSlab = 0x1234_5678_0000UL };
        var e = Assert.ThrowsAny<KdumpDebugException>(() => SlubUsage.Compute(target, slub, cache));
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(slub.TryFindSlab(0xffffc90000000000, out _, out _));
    }
}
