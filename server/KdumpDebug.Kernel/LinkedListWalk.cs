using KdumpDebug.Core.Errors;

namespace KdumpDebug.Kernel;

/// <summary>How <see cref="LinkedListWalk"/> follows a list (crash's <c>list</c> modes).</summary>
public enum LinkedListKind
{
    /// <summary>
    /// A singly linked list of structures: the pointer at <c>entry + offset</c> is the next
    /// structure's address. The start is the first entry; the walk ends at NULL, at the start, or
    /// at the given end value.
    /// </summary>
    NextPointer,

    /// <summary>
    /// A <c>list_head</c> ring embedded at <c>offset</c> in each structure, the start being a
    /// structure of the list (crash's <c>-h</c>): the start is the first entry, the walk ends when it
    /// gets back to the start's list_head.
    /// </summary>
    EmbeddedHead,

    /// <summary>
    /// A <c>list_head</c> ring whose head is a standalone <c>LIST_HEAD</c> at the start address
    /// (crash's <c>-H</c>): the head is not an entry; each entry is its node minus <c>offset</c>.
    /// </summary>
    StandaloneHead,
}

/// <summary>
/// crash's list walker (tools.c do_list) over dump memory, made safe for corrupt data: every entry
/// address in order, stopping at the list's natural end, at an entry seen before (a loop), after
/// <c>limit</c> entries, or at a pointer that cannot be read, with one line saying which in
/// <see cref="Problem"/>. For list_head rings, <c>reverse</c> follows <c>prev</c> (the second
/// pointer of struct list_head) instead of <c>next</c>. Cost: one 8-byte read per entry plus a
/// hash-set entry.
/// </summary>
public sealed class LinkedListWalk
{
    LinkedListWalk(List<ulong> entries, string? problem)
    {
        Entries = entries;
        Problem = problem;
    }

    public IReadOnlyList<ulong> Entries { get; }

    /// <summary>Why the walk stopped early, or null when the list ended normally.</summary>
    public string? Problem { get; }

    /// <summary>
    /// Walks from <paramref name="start"/>. <paramref name="readPointer"/> reads 8 bytes of dump
    /// memory (throwing a KdumpDebugException for memory the dump lacks); <paramref name="end"/> is an
    /// extra terminating value for <see cref="LinkedListKind.NextPointer"/> lists (0 for none).
    /// </summary>
    public static LinkedListWalk Walk(Func<ulong, ulong> readPointer, LinkedListKind kind, ulong start, ulong offset, ulong end, bool reverse, int limit)
    {
        ArgumentNullException.ThrowIfNull(readPointer);
        var entries = new List<ulong>();
        string? problem = null;
        var link = reverse ? 8UL : 0UL;
        if (kind == LinkedListKind.NextPointer)
        {
            var seen = new HashSet<ulong>();
            var entry = start;
            while (entry != 0)
            {
                if (entries.Count > 0 && (entry == start || (end != 0 && entry == end))) break;
                if (!seen.Add(entry))
                {
                    problem = $"the list loops back to {entry:x} after {entries.Count} entries; stopped there";
                    break;
                }
                if (entries.Count >= limit)
                {
                    problem = $"more than {limit} entries; stopped there";
                    break;
                }
                ulong next;
                try
                {
                    next = readPointer(unchecked(entry + offset));
                }
                catch (KdumpDebugException e)
                {
                    // crash reads the first entry before showing it ("first list entry"), later ones after.
                    if (entries.Count > 0) entries.Add(entry);
                    problem = $"cannot read the next pointer of {entry:x}: {e.Message}";
                    break;
                }
                entries.Add(entry);
                entry = next;
            }
            return new LinkedListWalk(entries, problem);
        }

        var head = kind == LinkedListKind.EmbeddedHead ? unchecked(start + offset) : start;
        if (kind == LinkedListKind.EmbeddedHead) entries.Add(start);
        var nodes = ListHead.ListForEachEntry(node => readPointer(unchecked(node + link)), head, offset, limit, "list", out problem);
        entries.AddRange(nodes);
        if (problem is not null && problem.StartsWith("list: ", StringComparison.Ordinal)) problem = problem["list: ".Length..];
        return new LinkedListWalk(entries, problem);
    }
}
