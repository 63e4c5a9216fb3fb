using KdumpDebug.Core.Collections;

namespace KdumpDebug.Debuginfo.Symbols;

/// <summary>
/// The order <c>nm -n</c> prints symbols in (binutils nm.c numeric_forward, then
/// non_numeric_forward with strcoll under the kernel build's LC_COLLATE=C), which is also crash's
/// gnu_qsort order and System.map's: address, then name in byte order, equal names in their
/// symbol-table order (glibc's qsort is a stable merge sort).
/// </summary>
static class NmOrder
{
    /// <summary>
    /// The indexes of <paramref name="symbols"/> in nm -n order: a stable sort of the addresses
    /// (<see cref="KeyOrder"/>), then each run of one address (9k <c>__kstrtabns_*</c> share one in
    /// a distribution kernel) put in name order.
    /// </summary>
    public static int[] Sort(IReadOnlyList<ElfSymbol> symbols)
    {
        var keys = new ulong[symbols.Count];
        for (var i = 0; i < keys.Length; i++) keys[i] = symbols[i].Address;
        var order = KeyOrder.Ascending(keys);
        Comparison<int> byNameThenIndex = (a, b) =>
        {
            var c = string.CompareOrdinal(symbols[a].Name, symbols[b].Name);
            return c != 0 ? c : a.CompareTo(b);
        };
        for (var start = 0; start < order.Length;)
        {
            var end = start + 1;
            while (end < order.Length && keys[order[end]] == keys[order[start]]) end++;
            if (end - start > 1) order.AsSpan(start, end - start).Sort(byNameThenIndex);
            start = end;
        }
        return order;
    }

    /// <summary><paramref name="symbols"/> in nm -n order, as a new array.</summary>
    public static ElfSymbol[] Sorted(IReadOnlyList<ElfSymbol> symbols)
    {
        var order = Sort(symbols);
        var result = new ElfSymbol[order.Length];
        for (var i = 0; i < order.Length; i++) result[i] = symbols[order[i]];
        return result;
    }
}
