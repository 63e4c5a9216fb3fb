namespace KdumpDebug.Dump.Kdump;

/// <summary>
/// Bits of disk_dump_header.status and of page_desc.flags (makedumpfile's diskdump_mod.h,
/// DUMP_DH_*). In the header they say which compressions the file uses; in a page descriptor exactly
/// one compression bit, or none for a raw page.
/// </summary>
[Flags]
internal enum KdumpStatus : uint
{
    None = 0,
    /// <summary>DUMP_DH_COMPRESSED_ZLIB: zlib (compress2).</summary>
    CompressedZlib = 0x1,
    /// <summary>DUMP_DH_COMPRESSED_LZO: LZO1X-1.</summary>
    CompressedLzo = 0x2,
    /// <summary>DUMP_DH_COMPRESSED_SNAPPY: snappy (raw format, no framing).</summary>
    CompressedSnappy = 0x4,
    /// <summary>DUMP_DH_COMPRESSED_INCOMPLETE: makedumpfile ran out of space; trailing pages are missing.</summary>
    Incomplete = 0x8,
    /// <summary>DUMP_DH_EXCLUDED_VMEMMAP: unused vmemmap pages were excluded (-e).</summary>
    ExcludedVmemmap = 0x10,
    /// <summary>DUMP_DH_COMPRESSED_ZSTD: zstd frame.</summary>
    CompressedZstd = 0x20,

    /// <summary>Every compression bit.</summary>
    CompressionMask = CompressedZlib | CompressedLzo | CompressedSnappy | CompressedZstd,
}
