using KdumpDebug.Dump.Kdump;
using ZstdSharp;

namespace KdumpDebug.Dump.Compression;

/// <summary>
/// Decompresses one kdump page according to the compression bit of its page_desc.flags:
/// zlib (<see cref="ZlibDecompressor"/>), LZO1X (<see cref="Lzo1xDecompressor"/>), snappy (Snappier,
/// raw snappy as makedumpfile's snappy_compress writes it) or zstd (ZstdSharp, one frame per page as
/// ZSTD_compressCCtx writes it). Output goes into the caller's buffer; the only per-call allocations are
/// zlib's (see there). The zstd context is per thread. Thread-safe.
/// </summary>
internal static class PageDecompressor
{
    [ThreadStatic] static Decompressor? t_zstd;

    /// <summary>Name of the compression a page_desc flag value selects ("zlib", ...), or null if unknown.</summary>
    public static string? Name(uint flags) => (KdumpStatus)flags switch
    {
        KdumpStatus.CompressedZlib => "zlib",
        KdumpStatus.CompressedLzo => "lzo",
        KdumpStatus.CompressedSnappy => "snappy",
        KdumpStatus.CompressedZstd => "zstd",
        _ => null,
    };

    /// <summary>
    /// Decompresses <paramref name="input"/> with the method <paramref name="flags"/> names (exactly one
    /// of the compression bits). Returns the bytes written. Throws <see cref="InvalidDataException"/>
    /// for corrupt input and <see cref="NotSupportedException"/> for an unknown flag.
    /// </summary>
    public static int Decompress(uint flags, ReadOnlySpan<byte> input, Span<byte> output)
    {
        switch ((KdumpStatus)flags)
        {
            case KdumpStatus.CompressedZlib:
                return ZlibDecompressor.Decompress(input, output);
            case KdumpStatus.CompressedLzo:
                return Lzo1xDecompressor.Decompress(input, output);
            case KdumpStatus.CompressedSnappy:
            {
                var length = Snappier.Snappy.GetUncompressedLength(input);
                if (length != output.Length)
                    throw new InvalidDataException($"snappy data says it inflates to {length} bytes, expected {output.Length}");
                return Snappier.Snappy.Decompress(input, output);
            }
            case KdumpStatus.CompressedZstd:
            {
                var zstd = t_zstd ??= new Decompressor();
                return zstd.Unwrap(input, output);
            }
            default:
                throw new NotSupportedException($"unknown compression flags 0x{flags:x}");
        }
    }
}
