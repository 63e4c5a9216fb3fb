using KdumpDebug.Dap.Session;

namespace KdumpDebug.Dap.Tests;

/// <summary>The session's handle tables: stable ids per key, never reused, safe under concurrent use.</summary>
public sealed class DapHandleTableTests
{
    [Fact]
    public void TheSameKeyKeepsItsIdAndIdsStartAtOne()
    {
        var table = new DapHandleTable<(ulong Task, int Index)>();
        Assert.Equal(1, table.IdOf((0xffff1000, 0)));
        Assert.Equal(2, table.IdOf((0xffff1000, 1)));
        Assert.Equal(1, table.IdOf((0xffff1000, 0)));
        Assert.True(table.TryGetKey(2, out var key));
        Assert.Equal((0xffff1000UL, 1), key);
        Assert.False(table.TryGetKey(0, out _));
        Assert.False(table.TryGetKey(3, out _));
        Assert.False(table.TryGetKey(-1, out _));
        Assert.Equal(2, table.Count);
    }

    [Fact]
    public void ConcurrentCallersGetOneIdPerKey()
    {
        var table = new DapHandleTable<string>();
        var ids = new System.Collections.Concurrent.ConcurrentBag<(string, int)>();
        Parallel.For(0, 4000, i =>
        {
            var key = $"k{i % 1000}";
            ids.Add((key, table.IdOf(key)));
        });
        Assert.Equal(1000, table.Count);
        Assert.All(ids.GroupBy(p => p.Item1), g => Assert.Single(g.Select(p => p.Item2).Distinct()));
        Assert.Equal(Enumerable.Range(1, 1000), ids.Select(p => p.Item2).Distinct().Order());
    }
}
