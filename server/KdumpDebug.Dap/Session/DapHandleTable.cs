using System.Collections.Concurrent;

namespace KdumpDebug.Dap.Session;

/// <summary>
/// Numbers the objects a session shows the client (tasks as thread ids, frames as frame ids):
/// the same key always gets the same id, ids start at 1 and are never reused. A dump never
/// resumes, so ids stay valid for the whole session (DAP allows them to expire at the next stop).
/// Thread-safe; costs two dictionary entries per key.
/// </summary>
public sealed class DapHandleTable<TKey> where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, int> _ids = new();
    private readonly ConcurrentDictionary<int, TKey> _keys = new();
    private readonly Lock _lock = new();
    private int _next;

    /// <summary>The id of <paramref name="key"/>, assigned on first use.</summary>
    public int IdOf(TKey key)
    {
        if (_ids.TryGetValue(key, out var id)) return id;
        lock (_lock)
        {
            if (_ids.TryGetValue(key, out id)) return id;
            id = ++_next;
            _keys[id] = key;
            _ids[key] = id;
            return id;
        }
    }

    /// <summary>The key of <paramref name="id"/>; false for an id this table never gave out.</summary>
    public bool TryGetKey(int id, out TKey key) => _keys.TryGetValue(id, out key!);

    /// <summary>How many ids were given out.</summary>
    public int Count => _keys.Count;
}
