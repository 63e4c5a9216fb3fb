using System.Buffers.Binary;
using System.Text;

namespace KdumpDebug.Dump.Kdump;

/// <summary>
/// <c>struct disk_dump_header</c> of a kdump-compressed file (makedumpfile's diskdump_mod.h), 64-bit
/// little-endian layout: signature[8] @0, header_version @8, utsname (6 x 65 bytes) @12, 6 bytes of
/// padding, timestamp (struct timeval: tv_sec, tv_usec) @408, status @424, block_size @428,
/// sub_hdr_size @432 (in blocks), bitmap_blocks @436, max_mapnr @440 (32-bit, obsolete since header
/// version 6: see max_mapnr_64), total_ram_blocks @444, device_blocks @448, written_blocks @452,
/// current_cpu @456, nr_cpus @460; 464 bytes. The header occupies block 0.
/// </summary>
internal readonly record struct DiskDumpHeader(
    string Signature, int HeaderVersion, string SysName, string NodeName, string Release, string Version,
    string Machine, string DomainName, long TimestampSeconds, long TimestampMicroseconds, uint Status,
    int BlockSize, int SubHeaderBlocks, uint BitmapBlocks, uint MaxMapnr, uint TotalRamBlocks,
    uint DeviceBlocks, uint WrittenBlocks, uint CurrentCpu, int NrCpus)
{
    public const int Size = 464;
    /// <summary>KDUMP_SIGNATURE.</summary>
    public static ReadOnlySpan<byte> KdumpSignature => "KDUMP   "u8;
    /// <summary>DISK_DUMP_SIGNATURE (the older diskdump, whose sub header is architecture-specific).</summary>
    public static ReadOnlySpan<byte> DiskDumpSignature => "DISKDUMP"u8;

    public static bool HasSignature(ReadOnlySpan<byte> head) =>
        head.Length >= 8 && (head[..8].SequenceEqual(KdumpSignature) || head[..8].SequenceEqual(DiskDumpSignature));

    public bool IsKdump => Signature == "KDUMP   ";

    public static DiskDumpHeader Parse(ReadOnlySpan<byte> b)
    {
        static string Uts(ReadOnlySpan<byte> b, int i)
        {
            var s = b.Slice(12 + 65 * i, 65);
            var nul = s.IndexOf((byte)0);
            return Encoding.ASCII.GetString(nul >= 0 ? s[..nul] : s);
        }
        return new(
            Encoding.ASCII.GetString(b[..8]),
            BinaryPrimitives.ReadInt32LittleEndian(b[8..]),
            Uts(b, 0), Uts(b, 1), Uts(b, 2), Uts(b, 3), Uts(b, 4), Uts(b, 5),
            BinaryPrimitives.ReadInt64LittleEndian(b[408..]),
            BinaryPrimitives.ReadInt64LittleEndian(b[416..]),
            BinaryPrimitives.ReadUInt32LittleEndian(b[424..]),
            BinaryPrimitives.ReadInt32LittleEndian(b[428..]),
            BinaryPrimitives.ReadInt32LittleEndian(b[432..]),
            BinaryPrimitives.ReadUInt32LittleEndian(b[436..]),
            BinaryPrimitives.ReadUInt32LittleEndian(b[440..]),
            BinaryPrimitives.ReadUInt32LittleEndian(b[444..]),
            BinaryPrimitives.ReadUInt32LittleEndian(b[448..]),
            BinaryPrimitives.ReadUInt32LittleEndian(b[452..]),
            BinaryPrimitives.ReadUInt32LittleEndian(b[456..]),
            BinaryPrimitives.ReadInt32LittleEndian(b[460..]));
    }

    /// <summary>File offsets of the fields, for error messages.</summary>
    public static class Offsets
    {
        public const int HeaderVersion = 8, Status = 424, BlockSize = 428, SubHdrSize = 432, BitmapBlocks = 436,
            MaxMapnr = 440, NrCpus = 460;
    }
}
