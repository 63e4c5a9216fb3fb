using System.Buffers.Binary;
using System.IO.Compression;
using KdumpDebug.Core.Errors;

namespace KdumpDebug.Debuginfo.Elf;

/// <summary>
/// Inflates SHF_COMPRESSED sections (gABI "Section Compression"): an <c>Elf64_Chdr</c>
/// (ch_type, ch_reserved, ch_size, ch_addralign) followed by a zlib (ELFCOMPRESS_ZLIB) or zstd
/// (ELFCOMPRESS_ZSTD) stream. Cost: one allocation of ch_size bytes and a full decompression; the
/// caller caches the result.
/// </summary>
internal static class SectionDecompressor
{
    public static byte[] Decompress(ElfFile elf, ElfSection section)
    {
        var raw = elf.GetRawSectionBytes(section);
        var where = $"section {section.Index} ({section.Name})";
        var offset = (long)section.FileOffset;
        if (raw.Length < ElfConstants.Elf64CompressionHeaderSize)
            throw new DumpFormatException(elf.Path, offset, $"{where} Elf64_Chdr",
                $"SHF_COMPRESSED section of {raw.Length} bytes is too short for a compression header (24 bytes)");
        var header = raw.Span;
        var type = BinaryPrimitives.ReadUInt32LittleEndian(header);
        var size = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
        if (size > ElfLimits.MaxDecompressedSection)
            throw new DumpFormatException(elf.Path, offset + 8, $"{where} ch_size",
                $"0x{size:x} bytes is more than the limit (0x{ElfLimits.MaxDecompressedSection:x})");
        var payload = raw[ElfConstants.Elf64CompressionHeaderSize..];
        var output = new byte[size];
        int written;
        try
        {
            written = type switch
            {
                ElfConstants.ElfcompressZlib => Inflate(payload, output),
                ElfConstants.ElfcompressZstd => Unzstd(payload, output),
                _ => throw new DumpFormatException(elf.Path, offset, $"{where} ch_type",
                    $"is {type}, expected ELFCOMPRESS_ZLIB (1) or ELFCOMPRESS_ZSTD (2)"),
            };
        }
        catch (Exception e) when (e is InvalidDataException or ZstdSharp.ZstdException or IOException)
        {
            throw new DumpFormatException(elf.Path, offset + ElfConstants.Elf64CompressionHeaderSize, $"{where} compressed data",
                $"corrupt {(type == ElfConstants.ElfcompressZlib ? "zlib" : "zstd")} stream ({e.Message})");
        }
        if ((ulong)written != size)
            throw new DumpFormatException(elf.Path, offset + 8, $"{where} ch_size",
                $"header says 0x{size:x} bytes but the stream inflates to 0x{written:x}");
        return output;
    }

    static int Inflate(ReadOnlyMemory<byte> payload, byte[] output)
    {
        using var input = new ReadOnlyMemoryStream(payload);
        using var zlib = new ZLibStream(input, CompressionMode.Decompress);
        var total = 0;
        while (total < output.Length)
        {
            var n = zlib.Read(output, total, output.Length - total);
            if (n == 0) break;
            total += n;
        }
        // Anything left over means ch_size was too small.
        if (total == output.Length && zlib.Read(new byte[1], 0, 1) != 0) total++;
        return total;
    }

    static int Unzstd(ReadOnlyMemory<byte> payload, byte[] output)
    {
        using var decompressor = new ZstdSharp.Decompressor();
        // ch_size bounds the output; a frame that claims more fails with "Destination buffer is too small".
        return decompressor.Unwrap(payload.Span, output.AsSpan());
    }
}
