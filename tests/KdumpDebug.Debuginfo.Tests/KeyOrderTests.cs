using KdumpDebug.Core.Collections;

namespace KdumpDebug.Debuginfo.Tests;

/// <summary>The radix permutation the symbol table and the CFI index sort with.</summary>
public class KeyOrderTests
{
    [Fact]
    public void Orders_like_a_stable_sort_with_kernel_like_keys()
    {
        var random = new Random(7);
        // Kernel addresses (shared top bits), per-cpu offsets near 0, absolute values, and runs of equal keys.
        var keys = new ulong[20_000];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = (i % 4) switch
            {
                0 => 0xffffffff81000000UL + (ulong)random.Next(0, 1 << 20),
                1 => (ulong)random.Next(0, 0x40000),
                2 => (ulong)random.NextInt64(),
                _ => 0xffffffff8240ef43UL,
            };
        }
        var expected = Enumerable.Range(0, keys.Length).OrderBy(i => keys[i]).ToArray(); // LINQ's OrderBy is stable

        Assert.Equal(expected, KeyOrder.Ascending(keys));
    }

    [Theory]
    [InlineData(new ulong[0], new int[0])]
    [InlineData(new ulong[] { 5 }, new[] { 0 })]
    [InlineData(new ulong[] { 3, 3, 3 }, new[] { 0, 1, 2 })]
    [InlineData(new ulong[] { ulong.MaxValue, 0, ulong.MaxValue, 1UL << 63 }, new[] { 1, 3, 0, 2 })]
    public void Small_inputs(ulong[] keys, int[] expected) => Assert.Equal(expected, KeyOrder.Ascending(keys));
}
