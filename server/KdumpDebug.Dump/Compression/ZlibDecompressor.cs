using System.IO.Compression;

namespace KdumpDebug.Dump.Compression;

/// <summary>
/// zlib-format (RFC 1950) decompression of one page, as makedumpfile -c writes it with compress2().
/// Uses the runtime's zlib (System.IO.Compression.ZLibStream, zlib-ng since .NET 9) over a per-thread
/// <see cref="PointerReadStream"/>: no copy of the input. ZLibStream cannot be reset to a new input,
/// so each page costs one ZLibStream (about 250 bytes of short-lived objects, measured) plus the
/// native inflate state; the output goes straight into the caller's buffer. Thread-safe.
/// </summary>
internal static unsafe class ZlibDecompressor
{
    [ThreadStatic] static PointerReadStream? t_input;

    /// <summary>
    /// Decompresses <paramref name="input"/> into <paramref name="output"/> and returns the byte count.
    /// Throws <see cref="InvalidDataException"/> for corrupt data or when the data is longer than the
    /// output (so a page that inflates to more than a block is an error, as with uncompress()).
    /// </summary>
    public static int Decompress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var stream = t_input ??= new PointerReadStream();
        fixed (byte* p = input)
        {
            stream.Reset(p, input.Length);
            try
            {
                using var zlib = new ZLibStream(stream, CompressionMode.Decompress, leaveOpen: true);
                var total = 0;
                while (total < output.Length)
                {
                    var n = zlib.Read(output[total..]);
                    if (n == 0) return total;
                    total += n;
                }
                Span<byte> probe = stackalloc byte[1];
                if (zlib.Read(probe) != 0)
                    throw new InvalidDataException($"zlib data inflates to more than {output.Length} bytes");
                return total;
            }
            finally
            {
                stream.Clear();
            }
        }
    }
}
