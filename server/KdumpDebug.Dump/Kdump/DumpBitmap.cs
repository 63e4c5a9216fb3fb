using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using KdumpDebug.Dump.IO;

namespace KdumpDebug.Dump.Kdump;

/// <summary>
/// One of a kdump file's page bitmaps (bit n of byte n/8 = PFN n, least significant bit first), held as
/// 64-bit words, with a rank index: the number of set bits before each 512-bit block, so
/// <see cref="Rank"/> (set bits below a PFN, which is the page_desc index for the 2nd bitmap) costs one
/// table read plus at most eight popcounts. Memory: the bitmap plus 1/64 of it for the index. Immutable
/// after construction; thread-safe.
/// </summary>
internal sealed class DumpBitmap
{
    const int WordsPerBlock = 8;
    readonly ulong[] _words;
    readonly long[] _blockRank;

    /// <summary>Number of PFNs the bitmap covers.</summary>
    public ulong Bits { get; }

    /// <summary>Number of set bits.</summary>
    public long Count { get; }

    /// <summary>
    /// Reads a bitmap of <paramref name="bits"/> bits stored at <paramref name="offset"/> (the caller
    /// has checked that ceil(bits / 64) * 8 bytes lie inside the file) and builds the rank index.
    /// </summary>
    public static DumpBitmap Load(IByteSource source, long offset, ulong bits, string field)
    {
        var words = new ulong[(bits + 63) / 64];
        source.Read(offset, MemoryMarshal.AsBytes(words.AsSpan()), field);
        if (!BitConverter.IsLittleEndian)
            for (var i = 0; i < words.Length; i++) words[i] = BinaryPrimitives.ReverseEndianness(words[i]);
        return new DumpBitmap(words, bits);
    }

    /// <summary>Takes ownership of <paramref name="words"/> and builds the rank index.</summary>
    public DumpBitmap(ulong[] words, ulong bits)
    {
        if ((ulong)words.Length * 64 < bits) throw new ArgumentException("too few words for the bit count", nameof(words));
        Bits = bits;
        _words = words;
        // Bits past the end (the bitmap is padded to a block) are not pages.
        if (bits % 64 != 0) _words[bits / 64] &= (1UL << (int)(bits % 64)) - 1;
        for (var w = (bits + 63) / 64; w < (ulong)_words.Length; w++) _words[w] = 0;

        var count = _words.Length;
        _blockRank = new long[(count + WordsPerBlock - 1) / WordsPerBlock + 1];
        long total = 0;
        for (var w = 0; w < count; w++)
        {
            if (w % WordsPerBlock == 0) _blockRank[w / WordsPerBlock] = total;
            total += BitOperations.PopCount(_words[w]);
        }
        _blockRank[^1] = total;
        Count = total;
    }

    public bool this[ulong pfn] => pfn < Bits && (_words[pfn >> 6] & (1UL << (int)(pfn & 63))) != 0;

    /// <summary>Number of set bits at positions below <paramref name="pfn"/> (clamped to <see cref="Bits"/>).</summary>
    public long Rank(ulong pfn)
    {
        if (pfn >= Bits) return Count;
        var word = (int)(pfn >> 6);
        var block = word / WordsPerBlock;
        var rank = _blockRank[block];
        for (var w = block * WordsPerBlock; w < word; w++) rank += BitOperations.PopCount(_words[w]);
        return rank + BitOperations.PopCount(_words[word] & ((1UL << (int)(pfn & 63)) - 1));
    }

    /// <summary>The set bits in [from, to), ascending.</summary>
    public IEnumerable<ulong> EnumerateSet(ulong from, ulong to)
    {
        to = Math.Min(to, Bits);
        if (from >= to) yield break;
        var word = (int)(from >> 6);
        var bits = _words[word] & ~((1UL << (int)(from & 63)) - 1);
        while (true)
        {
            while (bits != 0)
            {
                var pfn = ((ulong)word << 6) + (ulong)BitOperations.TrailingZeroCount(bits);
                if (pfn >= to) yield break;
                yield return pfn;
                bits &= bits - 1;
            }
            if (++word >= _words.Length) yield break;
            bits = _words[word];
        }
    }
}
