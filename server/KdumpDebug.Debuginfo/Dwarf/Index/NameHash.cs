using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;

namespace KdumpDebug.Debuginfo.Dwarf.Index;

/// <summary>
/// The 64-bit hash the name index keys names by: 8 bytes at a time, multiply-xorshift mixed,
/// length folded in. Stable across processes and machines (the on-disk index depends on it), and
/// allocation-free. Not cryptographic; a lookup verifies the name against the DIE anyway.
/// </summary>
public static class NameHash
{
    const ulong K0 = 0x9E3779B97F4A7C15, K1 = 0xBF58476D1CE4E5B9, K2 = 0x94D049BB133111EB;

    /// <summary>The hash of UTF-8 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Of(ReadOnlySpan<byte> name)
    {
        var h = K0 ^ (ulong)name.Length * K1;
        var i = 0;
        for (; i + 8 <= name.Length; i += 8)
            h = BitOperations.RotateLeft((h ^ BinaryPrimitives.ReadUInt64LittleEndian(name.Slice(i, 8))) * K1, 29);
        if (i < name.Length)
        {
            ulong tail = 0;
            for (var j = name.Length - 1; j >= i; j--) tail = tail << 8 | name[j];
            h = BitOperations.RotateLeft((h ^ tail) * K1, 29);
        }
        h ^= h >> 31;
        h *= K2;
        h ^= h >> 29;
        return h;
    }

    /// <summary>The hash of a string's UTF-8 encoding.</summary>
    public static ulong Of(string name)
    {
        var max = Encoding.UTF8.GetMaxByteCount(name.Length);
        Span<byte> buffer = max <= 512 ? stackalloc byte[max] : new byte[max];
        var n = Encoding.UTF8.GetBytes(name, buffer);
        return Of(buffer[..n]);
    }
}
