using System.Runtime.CompilerServices;

namespace KdumpDebug.Debuginfo.Dwarf.Index;

/// <summary>
/// An open-addressing hash table from a two-word key to the lowest DIE offset seen for it: the
/// de-duplication set of the indexing pass. Linear probing, power-of-two capacity, grown at 50%
/// load; value 0 marks an empty slot (no DIE is at offset 0, where the first unit header is).
/// Allocation-free except when growing. Not thread-safe: one per worker.
/// </summary>
internal sealed class DedupTable
{
    ulong[] _k1;
    ulong[] _k2;
    uint[] _v;
    int _count;
    int _shift;

    public DedupTable(int capacityLog2 = 14)
    {
        _k1 = new ulong[1 << capacityLog2];
        _k2 = new ulong[1 << capacityLog2];
        _v = new uint[1 << capacityLog2];
        _shift = 64 - capacityLog2;
    }

    public int Count => _count;

    /// <summary>Records <paramref name="value"/> for the key unless a lower value is already recorded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddMin(ulong k1, ulong k2, uint value)
    {
        var mask = _v.Length - 1;
        var i = (int)(((k1 ^ (k2 * 0x9E3779B97F4A7C15)) * 0xBF58476D1CE4E5B9) >> _shift);
        while (true)
        {
            var v = _v[i];
            if (v == 0)
            {
                _k1[i] = k1;
                _k2[i] = k2;
                _v[i] = value;
                if (++_count * 2 > _v.Length) Grow();
                return;
            }
            if (_k1[i] == k1 && _k2[i] == k2)
            {
                if (value < v) _v[i] = value;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /// <summary>Every (key, value) pair, in table order.</summary>
    public IEnumerable<(ulong K1, ulong K2, uint Value)> Entries
    {
        get
        {
            for (var i = 0; i < _v.Length; i++)
                if (_v[i] != 0) yield return (_k1[i], _k2[i], _v[i]);
        }
    }

    void Grow()
    {
        var k1 = _k1;
        var k2 = _k2;
        var v = _v;
        _k1 = new ulong[k1.Length * 2];
        _k2 = new ulong[k1.Length * 2];
        _v = new uint[k1.Length * 2];
        _shift--;
        _count = 0;
        for (var i = 0; i < v.Length; i++)
            if (v[i] != 0) AddMin(k1[i], k2[i], v[i]);
    }
}
