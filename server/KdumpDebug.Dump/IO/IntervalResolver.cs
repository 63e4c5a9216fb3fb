namespace KdumpDebug.Dump.IO;

/// <summary>One input range for <see cref="IntervalResolver"/>: [Start, End) claimed by item <see cref="Item"/>.</summary>
internal readonly record struct ClaimedRange(ulong Start, ulong End, int Priority, int Item);

/// <summary>A piece of the resolved map: [Start, End) answered by input item <see cref="Item"/>.</summary>
internal readonly record struct ResolvedRange(ulong Start, ulong End, int Item);

/// <summary>
/// Turns ranges that may overlap into a sorted, non-overlapping map in which the claim with the
/// highest priority wins each byte (ties: the higher item number). Used where one address or offset is
/// described twice: makedumpfile -E writes the kernel-text PT_LOAD and the direct-map PT_LOAD over the
/// same physical pages, and a flattened stream may rewrite a region (the later record wins, as when
/// makedumpfile -R replays it). A sweep with a heap: O(n log n), so a hostile file with a million
/// overlapping ranges costs seconds at worst, never quadratic time.
/// </summary>
internal static class IntervalResolver
{
    public static List<ResolvedRange> Resolve(IReadOnlyList<ClaimedRange> claims)
    {
        var result = new List<ResolvedRange>();
        if (claims.Count == 0) return result;

        var order = new int[claims.Count];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, (a, b) => claims[a].Start.CompareTo(claims[b].Start));

        // Fast path: already disjoint (the usual case) needs no heap.
        var disjoint = true;
        for (var i = 1; i < order.Length && disjoint; i++)
            disjoint = claims[order[i - 1]].End <= claims[order[i]].Start;
        if (disjoint)
        {
            foreach (var i in order)
                if (claims[i].End > claims[i].Start) result.Add(new(claims[i].Start, claims[i].End, claims[i].Item));
            return result;
        }

        var bounds = new ulong[claims.Count * 2];
        for (var i = 0; i < claims.Count; i++) { bounds[2 * i] = claims[i].Start; bounds[2 * i + 1] = claims[i].End; }
        Array.Sort(bounds);

        // Max-heap by (priority, item): PriorityQueue is a min-heap, so negate.
        var active = new PriorityQueue<int, (long, long)>();
        var next = 0;
        for (var b = 0; b + 1 < bounds.Length; b++)
        {
            var from = bounds[b];
            var to = bounds[b + 1];
            if (from == to) continue;
            while (next < order.Length && claims[order[next]].Start <= from)
            {
                var c = claims[order[next]];
                if (c.End > c.Start) active.Enqueue(order[next], (-(long)c.Priority, -(long)c.Item));
                next++;
            }
            while (active.Count > 0 && claims[active.Peek()].End <= from) active.Dequeue();
            if (active.Count == 0) continue;
            var winner = claims[active.Peek()].Item;
            if (result.Count > 0 && result[^1].Item == winner && result[^1].End == from)
                result[^1] = result[^1] with { End = to };
            else
                result.Add(new(from, to, winner));
        }
        return result;
    }
}
