namespace KdumpDebug.Core.Collections;

/// <summary>
/// Sorting by a 64-bit key (an address) as a permutation, for tables of 100k+ entries built at
/// start-up (the symbol table, the CFI index): a stable LSD radix sort, 11 bits a pass, that skips
/// the passes where every key has the same digit. Stable, so equal keys keep their index order.
/// <para>
/// Why not <c>Array.Sort(keys, items)</c>: its generic instantiations over our key and payload
/// types are not precompiled in the framework, so a command-line run pays for them in the JIT's
/// first tier (10-20 ms for a distribution kernel's 117k symbols, against ~2 ms here), and moving
/// 48-byte entries with references through the sort costs a GC write barrier per move.
/// </para>
/// </summary>
public static class KeyOrder
{
    const int Bits = 11;
    const int Mask = (1 << Bits) - 1;

    /// <summary>The indexes of <paramref name="keys"/> in ascending key order, equal keys by index.</summary>
    public static int[] Ascending(ReadOnlySpan<ulong> keys)
    {
        var n = keys.Length;
        var order = new int[n];
        for (var i = 0; i < n; i++) order[i] = i;
        if (n < 2) return order;
        var k = keys.ToArray();
        var k2 = new ulong[n];
        var o2 = new int[n];
        var counts = new int[1 << Bits];
        for (var shift = 0; shift < 64; shift += Bits)
        {
            Array.Clear(counts);
            foreach (var x in k) counts[(int)(x >> shift) & Mask]++;
            if (counts[(int)(k[0] >> shift) & Mask] == n) continue; // every key has this digit
            var sum = 0;
            for (var i = 0; i < counts.Length; i++)
            {
                var c = counts[i];
                counts[i] = sum;
                sum += c;
            }
            for (var i = 0; i < n; i++)
            {
                var to = counts[(int)(k[i] >> shift) & Mask]++;
                k2[to] = k[i];
                o2[to] = order[i];
            }
            (k, k2) = (k2, k);
            (order, o2) = (o2, order);
        }
        return order;
    }
}
