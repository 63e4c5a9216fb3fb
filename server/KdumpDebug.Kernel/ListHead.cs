using KdumpDebug.Core.Errors;

namespace KdumpDebug.Kernel;

/// <summary>
/// <c>list_for_each_entry</c> over a <c>struct list_head</c> ring in dump memory, made safe for
/// corrupt data: it stops at the head, at a node seen before (a loop that does not pass through
/// the head), after <paramref name="limit"/> entries, or at a next pointer that cannot be read,
/// and says which in one line. Cost: one 8-byte read per node plus a hash-set entry.
/// </summary>
public static class ListHead
{
    /// <summary>
    /// The entries of the list at <paramref name="head"/>: each node address minus
    /// <paramref name="nodeOffset"/> (container_of). <paramref name="readNext"/> reads a node's
    /// <c>next</c> (throwing a KdumpDebugException for an unreadable one). <paramref name="problem"/>
    /// is null when the walk got back to the head.
    /// </summary>
    public static List<ulong> ListForEachEntry(Func<ulong, ulong> readNext, ulong head, ulong nodeOffset, int limit, string what, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(readNext);
        problem = null;
        var entries = new List<ulong>();
        var seen = new HashSet<ulong> { head };
        var node = head;
        while (true)
        {
            ulong next;
            try
            {
                next = readNext(node);
            }
            catch (KdumpDebugException e)
            {
                problem = $"{what}: cannot read the next pointer at {node:x}: {e.Message}";
                break;
            }
            if (next == head) break;
            if (!seen.Add(next))
            {
                problem = $"{what}: the list loops back to {next:x} after {entries.Count} entries; stopped there";
                break;
            }
            if (entries.Count >= limit)
            {
                problem = $"{what}: more than {limit} entries; stopped there";
                break;
            }
            entries.Add(next - nodeOffset);
            node = next;
        }
        return entries;
    }
}
