using System.Buffers;

namespace KdumpDebug.Dump.Kdump;

/// <summary>
/// Least-recently-used cache of decompressed pages keyed by PFN, with a fixed number of slots (an
/// array-backed doubly linked list plus a dictionary: no allocation per hit or per eviction). Page
/// buffers come from <see cref="ArrayPool{T}.Shared"/>; the cache owns a buffer once it is added and
/// returns it to the pool on eviction or <see cref="Dispose"/>. One lock guards everything, and bytes
/// are copied out under it, so an evicted buffer is never read after it went back to the pool;
/// decompression happens outside the lock (see KdumpPhysicalMemory). Thread-safe.
/// </summary>
internal sealed class PageCache : IDisposable
{
    readonly object _lock = new();
    readonly int _capacity;
    readonly Dictionary<ulong, int> _slotOf;
    readonly ulong[] _pfn;
    readonly byte[]?[] _data;
    readonly int[] _prev;
    readonly int[] _next;
    int _head = -1; // most recently used
    int _tail = -1; // least recently used
    int _count;

    public long Hits { get; private set; }
    public long Misses { get; private set; }

    public PageCache(int capacity)
    {
        _capacity = Math.Max(1, capacity);
        _slotOf = new Dictionary<ulong, int>(_capacity);
        _pfn = new ulong[_capacity];
        _data = new byte[_capacity][];
        _prev = new int[_capacity];
        _next = new int[_capacity];
    }

    /// <summary>Copies bytes [offset, offset + destination.Length) of a cached page; false on a miss.</summary>
    public bool TryCopy(ulong pfn, int offset, Span<byte> destination)
    {
        lock (_lock)
        {
            if (!_slotOf.TryGetValue(pfn, out var slot)) { Misses++; return false; }
            Hits++;
            MoveToFront(slot);
            _data[slot].AsSpan(offset, destination.Length).CopyTo(destination);
            return true;
        }
    }

    /// <summary>
    /// Adds a decompressed page. The cache takes ownership of <paramref name="buffer"/> (rented from
    /// ArrayPool.Shared); if another thread added the same PFN first, the buffer goes back to the pool.
    /// </summary>
    public void Add(ulong pfn, byte[] buffer)
    {
        byte[]? evicted = null;
        lock (_lock)
        {
            if (_slotOf.ContainsKey(pfn))
            {
                evicted = buffer;
            }
            else
            {
                int slot;
                if (_count < _capacity)
                {
                    slot = _count++;
                }
                else
                {
                    slot = _tail;
                    Unlink(slot);
                    _slotOf.Remove(_pfn[slot]);
                    evicted = _data[slot];
                }
                _pfn[slot] = pfn;
                _data[slot] = buffer;
                _slotOf[pfn] = slot;
                LinkFront(slot);
            }
        }
        if (evicted is not null) ArrayPool<byte>.Shared.Return(evicted);
    }

    void MoveToFront(int slot)
    {
        if (_head == slot) return;
        Unlink(slot);
        LinkFront(slot);
    }

    void Unlink(int slot)
    {
        var p = _prev[slot];
        var n = _next[slot];
        if (p >= 0) _next[p] = n; else _head = n;
        if (n >= 0) _prev[n] = p; else _tail = p;
    }

    void LinkFront(int slot)
    {
        _prev[slot] = -1;
        _next[slot] = _head;
        if (_head >= 0) _prev[_head] = slot;
        _head = slot;
        if (_tail < 0) _tail = slot;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            for (var i = 0; i < _count; i++)
            {
                if (_data[i] is { } b) ArrayPool<byte>.Shared.Return(b);
                _data[i] = null;
            }
            _slotOf.Clear();
            _count = 0;
            _head = _tail = -1;
        }
    }
}
