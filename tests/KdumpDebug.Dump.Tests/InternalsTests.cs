using KdumpDebug.Dump.IO;
using KdumpDebug.Dump.Kdump;

namespace KdumpDebug.Dump.Tests;

/// <summary>The small data structures behind the readers: overlap resolution, rank bitmap, LRU.</summary>
public class InternalsTests
{
    [Fact]
    public void Resolver_gives_each_byte_to_the_highest_priority_claim()
    {
        var claims = new ClaimedRange[]
        {
            new(0, 100, 0, 0),     // low priority background
            new(50, 150, 1, 1),    // beats item 0 on [50, 100)
            new(120, 130, 2, 2),   // beats item 1 inside it
            new(200, 210, 0, 3),   // disjoint
        };
        var pieces = IntervalResolver.Resolve(claims);
        Assert.Equal(
            [new(0, 50, 0), new(50, 120, 1), new(120, 130, 2), new(130, 150, 1), new ResolvedRange(200, 210, 3)],
            pieces);
    }

    [Fact]
    public void Resolver_breaks_ties_by_item_number_and_ignores_empty_claims()
    {
        var pieces = IntervalResolver.Resolve([new(0, 10, 5, 1), new(0, 10, 5, 7), new(3, 3, 9, 8)]);
        Assert.Equal([new ResolvedRange(0, 10, 7)], pieces);
    }

    [Fact]
    public void Resolver_is_not_quadratic_on_many_overlaps()
    {
        var claims = Enumerable.Range(0, 200_000).Select(i => new ClaimedRange(0, (ulong)(1_000_000 - i), i % 3, i)).ToArray();
        var timer = System.Diagnostics.Stopwatch.StartNew();
        var pieces = IntervalResolver.Resolve(claims);
        Assert.True(timer.Elapsed < TimeSpan.FromSeconds(10), timer.Elapsed.ToString());
        Assert.Equal(0UL, pieces[0].Start);
        Assert.Equal(1_000_000UL, pieces[^1].End);
    }

    [Fact]
    public void Bitmap_rank_counts_set_bits_below_a_pfn()
    {
        var random = new Random(7);
        const ulong bits = 5000;
        var words = new ulong[(bits + 63) / 64 + 1];
        var set = new bool[bits];
        for (var i = 0; i < (int)bits; i++)
        {
            if (random.Next(3) != 0) continue;
            set[i] = true;
            words[i / 64] |= 1UL << (i % 64);
        }
        words[^1] = ulong.MaxValue; // padding past the end is ignored
        var bitmap = new DumpBitmap(words, bits);
        long expected = 0;
        for (ulong pfn = 0; pfn < bits; pfn++)
        {
            Assert.Equal(expected, bitmap.Rank(pfn));
            Assert.Equal(set[pfn], bitmap[pfn]);
            if (set[pfn]) expected++;
        }
        Assert.Equal(expected, bitmap.Count);
        Assert.Equal(expected, bitmap.Rank(bits + 100));
        Assert.False(bitmap[bits + 1]);
        Assert.Equal(Enumerable.Range(0, (int)bits).Where(i => set[i]).Select(i => (ulong)i), bitmap.EnumerateSet(0, bits));
        Assert.Equal(Enumerable.Range(100, 1000).Where(i => set[i]).Select(i => (ulong)i), bitmap.EnumerateSet(100, 1100));
    }

    [Fact]
    public void Page_cache_evicts_the_least_recently_used_page()
    {
        using var cache = new PageCache(2);
        byte[] Page(byte v) { var b = System.Buffers.ArrayPool<byte>.Shared.Rent(16); b.AsSpan().Fill(v); return b; }
        cache.Add(1, Page(1));
        cache.Add(2, Page(2));
        var one = new byte[1];
        Assert.True(cache.TryCopy(1, 3, one)); // 1 is now the most recent
        Assert.Equal(1, one[0]);
        cache.Add(3, Page(3));                 // evicts 2
        Assert.False(cache.TryCopy(2, 0, one));
        Assert.True(cache.TryCopy(1, 0, one));
        Assert.True(cache.TryCopy(3, 0, one));
        Assert.Equal(3, one[0]);
        cache.Add(3, Page(9));                 // already there: the new buffer is returned, the old kept
        Assert.True(cache.TryCopy(3, 0, one));
        Assert.Equal(3, one[0]);
        Assert.Equal((4L, 1L), (cache.Hits, cache.Misses));
    }
}
