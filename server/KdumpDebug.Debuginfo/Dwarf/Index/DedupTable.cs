using System.Runtime.CompilerServices;

namespace KdumpDebug.Debuginfo.Dwarf.Index;

/// <summary>
/// An open-addressing hash table from a two-word key to the lowest DIE offset seen for it: the
/// de-duplication set of the indexing pass. Linear probing, power-of-two capacity, grown at 50%
/// load; value 0 marks an empty slot (no DIE is at offset 0, where the first unit header is).
/// One array of 24-byte slots (key, key, value together), so a probe touches one cache line, not
/// three: the table outgrows the CPU caches on a distribution kernel and the pass calls
/// <see cref="AddMin"/> millions of times. Allocation-free except when growing. Not thread-safe:
/// one per worker.
/// </summary>
internal sealed class DedupTable
{
    internal struct Slot
    {
        public ulong K1;
        public ulong K2;
        public uint Value;
    }

    Slot[] _slots;
    int _count;
    int _shift;

    /// <summary>A table of 2^<paramref name="capacityLog2"/> slots (it holds half that before growing).</summary>
    public DedupTable(int capacityLog2 = 14)
    {
        _slots = new Slot[1 << capacityLog2];
        _shift = 64 - capacityLog2;
    }

    public int Count => _count;

    /// <summary>Records <paramref name="value"/> for the key unless a lower value is already recorded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddMin(ulong k1, ulong k2, uint value)
    {
        var slots = _slots;
        var mask = slots.Length - 1;
        var i = (int)(((k1 ^ (k2 * 0x9E3779B97F4A7C15)) * 0xBF58476D1CE4E5B9) >> _shift);
        while (true)
        {
            ref var s = ref slots[i];
            if (s.Value == 0)
            {
                s.K1 = k1;
                s.K2 = k2;
                s.Value = value;
                if (++_count * 2 > slots.Length) Grow();
                return;
            }
            if (s.K1 == k1 && s.K2 == k2)
            {
                if (value < s.Value) s.Value = value;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /// <summary>Every slot, used or not (a used one has a non-zero value), in table order.</summary>
    internal ReadOnlySpan<Slot> Slots => _slots;

    /// <summary>Every (key, value) pair, in table order.</summary>
    public IEnumerable<(ulong K1, ulong K2, uint Value)> Entries
    {
        get
        {
            for (var i = 0; i < _slots.Length; i++)
                if (_slots[i].Value != 0) yield return (_slots[i].K1, _slots[i].K2, _slots[i].Value);
        }
    }

    /// <summary>Adds every entry of <paramref name="other"/> (the lower value wins, as in <see cref="AddMin"/>).</summary>
    public void AddAll(DedupTable other)
    {
        foreach (ref readonly var s in other.Slots)
            if (s.Value != 0) AddMin(s.K1, s.K2, s.Value);
    }

    void Grow()
    {
        var old = _slots;
        _slots = new Slot[old.Length * 2];
        _shift--;
        _count = 0;
        foreach (ref readonly var s in old.AsSpan())
            if (s.Value != 0) AddMin(s.K1, s.K2, s.Value);
    }
}
