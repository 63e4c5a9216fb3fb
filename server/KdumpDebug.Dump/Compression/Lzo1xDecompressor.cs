using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KdumpDebug.Dump.Compression;

/// <summary>
/// LZO1X decompression with every read and write bounds-checked (the equivalent of liblzo's
/// lzo1x_decompress_safe), for pages makedumpfile -l compressed with lzo1x_1_compress. Written from
/// the stream description in the Linux kernel's Documentation/staging/lzo.rst ("LZO stream format as
/// understood by Linux's LZO decompressor"); only the original bitstream (version 0) is accepted, not
/// the LZO-RLE extension that zram uses.
///
/// The stream is a sequence of instructions. After each one, a "state" remembers how many literals it
/// copied (0, 1-3, or 4 for a long run), and the meaning of the next instruction byte below 16
/// depends on it. Matches copy from the output already written (distance back from the current end);
/// when the distance is smaller than the length the copy overlaps itself and repeats a pattern.
///
/// Cost: linear in the output; no allocation; works on spans (a page at a time in practice). Short
/// copies move 8 bytes at once when the buffers have room, so output bytes past the returned length
/// may be overwritten. Every access is checked against the span lengths first. Thread-safe (no state
/// outside the call).
/// </summary>
public static class Lzo1xDecompressor
{
    /// <summary>
    /// Decompresses <paramref name="input"/> into <paramref name="output"/>; returns the number of bytes
    /// written. Throws <see cref="InvalidDataException"/> naming the problem and the input offset.
    /// </summary>
    public static int Decompress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var result = TryDecompress(input, output, out var written, out var at);
        if (result != Lzo1xResult.Ok)
            throw new InvalidDataException($"LZO1X: {Describe(result)} at input offset {at} (output {written} bytes)");
        return written;
    }

    /// <summary>A short English description of a result code.</summary>
    public static string Describe(Lzo1xResult result) => result switch
    {
        Lzo1xResult.Ok => "ok",
        Lzo1xResult.InputOverrun => "input ends inside an instruction or before the end marker",
        Lzo1xResult.OutputOverrun => "output does not fit the buffer",
        Lzo1xResult.LookbehindOverrun => "match distance reaches before the start of the output",
        Lzo1xResult.InputNotConsumed => "data follows the end marker",
        _ => result.ToString(),
    };

    /// <summary>
    /// Decompresses without throwing. <paramref name="written"/> is the output produced so far and
    /// <paramref name="inputOffset"/> the input position where decoding stopped.
    /// </summary>
    public static Lzo1xResult TryDecompress(ReadOnlySpan<byte> input, Span<byte> output, out int written, out int inputOffset)
    {
        var ip = 0;
        var op = 0;
        var result = Run(input, output, ref ip, ref op);
        written = op;
        inputOffset = ip;
        return result;
    }

    static Lzo1xResult Run(ReadOnlySpan<byte> src, Span<byte> dst, ref int ip, ref int op)
    {
        if (src.Length < 3) return Lzo1xResult.InputOverrun; // the end marker alone is 3 bytes
        int state;

        // First byte: 18..255 is a literal run of (byte - 17) bytes with no instruction before it
        // (lzo.rst "First byte encoding"); 0..17 is an ordinary instruction.
        if (src[0] > 17)
        {
            var n = src[0] - 17;
            ip = 1;
            var r = CopyLiterals(src, dst, ref ip, ref op, n);
            if (r != Lzo1xResult.Ok) return r;
            state = n < 4 ? n : 4;
        }
        else
        {
            state = 0;
        }

        while (true)
        {
            if (ip >= src.Length) return Lzo1xResult.InputOverrun;
            int t = src[ip++];
            int length, distance, next;

            if (t < 16)
            {
                if (state == 0)
                {
                    // 0000LLLL after a match that copied no literals: a run of 4 or more literals.
                    length = t;
                    if (length == 0)
                    {
                        var r0 = ReadLengthExtension(src, ref ip, 15, dst.Length, out length);
                        if (r0 != Lzo1xResult.Ok) return r0;
                    }
                    var r = CopyLiterals(src, dst, ref ip, ref op, length + 3);
                    if (r != Lzo1xResult.Ok) return r;
                    state = 4;
                    continue;
                }
                if (ip >= src.Length) return Lzo1xResult.InputOverrun;
                var h = src[ip++];
                if (state == 4)
                {
                    // 0000DDSS after a literal run: 3 bytes from 2049..3072 back.
                    length = 3;
                    distance = (h << 2) + (t >> 2) + 2049;
                }
                else
                {
                    // 0000DDSS after 1..3 literals: 2 bytes from 1..1024 back.
                    length = 2;
                    distance = (h << 2) + (t >> 2) + 1;
                }
                next = t & 3;
            }
            else if (t >= 64)
            {
                // 01LDDDSS / 1LLDDDSS: 3..8 bytes from up to 2 KiB back.
                if (ip >= src.Length) return Lzo1xResult.InputOverrun;
                length = (t >> 5) + 1;
                distance = (src[ip++] << 3) + ((t >> 2) & 7) + 1;
                next = t & 3;
            }
            else if (t >= 32)
            {
                // 001LLLLL + LE16 (DDDDDDDD DDDDDDSS): up to 16 KiB back.
                length = t & 31;
                if (length == 0)
                {
                    var r0 = ReadLengthExtension(src, ref ip, 31, dst.Length, out length);
                    if (r0 != Lzo1xResult.Ok) return r0;
                }
                length += 2;
                if (src.Length - ip < 2) return Lzo1xResult.InputOverrun;
                var le = src[ip] | (src[ip + 1] << 8);
                ip += 2;
                distance = (le >> 2) + 1;
                next = le & 3;
            }
            else
            {
                // 0001HLLL + LE16: 16..48 KiB back; distance 16384 exactly is the end of the stream.
                length = t & 7;
                if (length == 0)
                {
                    var r0 = ReadLengthExtension(src, ref ip, 7, dst.Length, out length);
                    if (r0 != Lzo1xResult.Ok) return r0;
                }
                length += 2;
                if (src.Length - ip < 2) return Lzo1xResult.InputOverrun;
                var le = src[ip] | (src[ip + 1] << 8);
                ip += 2;
                distance = ((t & 8) << 11) + (le >> 2);
                if (distance == 0)
                    return ip == src.Length ? Lzo1xResult.Ok : Lzo1xResult.InputNotConsumed;
                distance += 16384;
                next = le & 3;
            }

            var rm = CopyMatch(dst, ref op, distance, length);
            if (rm != Lzo1xResult.Ok) return rm;
            // The low two bits of the instruction (or of its distance operand) are 0..3 literals
            // that follow the match without an instruction of their own.
            state = next;
            if (next > 0)
            {
                var r = CopyLiterals(src, dst, ref ip, ref op, next);
                if (r != Lzo1xResult.Ok) return r;
            }
        }
    }

    /// <summary>
    /// A length that did not fit its instruction bits: each zero byte adds 255, the first non-zero byte
    /// adds itself (lzo.rst "length = ((1 &lt;&lt; #bits) - 1) + 255 * zeros + non_zero_byte"). Stops as
    /// soon as the length exceeds the output, so a run of zeros cannot overflow an int.
    /// </summary>
    static Lzo1xResult ReadLengthExtension(ReadOnlySpan<byte> src, ref int ip, int baseLength, int outputSize, out int length)
    {
        length = baseLength;
        while (true)
        {
            if (ip >= src.Length) return Lzo1xResult.InputOverrun;
            var b = src[ip++];
            if (b != 0) { length += b; return length > outputSize + 255 ? Lzo1xResult.OutputOverrun : Lzo1xResult.Ok; }
            length += 255;
            if (length > outputSize + 255) return Lzo1xResult.OutputOverrun;
        }
    }

    static Lzo1xResult CopyLiterals(ReadOnlySpan<byte> src, Span<byte> dst, ref int ip, ref int op, int count)
    {
        if (count > src.Length - ip) return Lzo1xResult.InputOverrun;
        if (count > dst.Length - op) return Lzo1xResult.OutputOverrun;
        if (count <= 8 && src.Length - ip >= 8 && dst.Length - op >= 8)
        {
            // Most literal runs are short: one 8-byte move (the bytes past 'count' are
            // overwritten by what follows) instead of a memmove call.
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref MemoryMarshal.GetReference(dst), op),
                Unsafe.ReadUnaligned<ulong>(in Unsafe.Add(ref MemoryMarshal.GetReference(src), ip)));
        }
        else
        {
            src.Slice(ip, count).CopyTo(dst[op..]);
        }
        ip += count;
        op += count;
        return Lzo1xResult.Ok;
    }

    static Lzo1xResult CopyMatch(Span<byte> dst, ref int op, int distance, int length)
    {
        if (distance > op) return Lzo1xResult.LookbehindOverrun;
        if (length > dst.Length - op) return Lzo1xResult.OutputOverrun;
        var from = op - distance;
        if (distance >= 8 && dst.Length - op >= length + 8)
        {
            // 8 bytes at a time: each read lies wholly before the bytes it writes (distance >= 8),
            // so overlapping matches come out right; up to 7 bytes past the match are scratch.
            ref var d = ref MemoryMarshal.GetReference(dst);
            for (var done = 0; done < length; done += 8)
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref d, op + done), Unsafe.ReadUnaligned<ulong>(in Unsafe.Add(ref d, from + done)));
        }
        else if (distance >= length)
        {
            dst.Slice(from, length).CopyTo(dst[op..]);
        }
        else if (distance == 1)
        {
            dst.Slice(op, length).Fill(dst[from]);
        }
        else
        {
            // Overlapping: the output from 'from' on repeats with period 'distance', so copy the
            // longest prefix that does not overlap its destination, which doubles each round.
            var done = 0;
            while (done < length)
            {
                var n = Math.Min(length - done, op + done - from);
                dst.Slice(from, n).CopyTo(dst[(op + done)..]);
                done += n;
            }
        }
        op += length;
        return Lzo1xResult.Ok;
    }
}
