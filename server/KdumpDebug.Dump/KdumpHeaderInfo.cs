namespace KdumpDebug.Dump;

/// <summary>
/// The fields of a kdump-compressed file's disk_dump_header and kdump_sub_header that a user may
/// see (makedumpfile's diskdump_mod.h). Absent for ELF dumps. <see cref="Signature"/> is without its
/// padding ("KDUMP", "DISKDUMP"); <see cref="Compression"/> is "zlib", "lzo", "snappy", "zstd" or
/// "uncompressed" (from the header's status bits); <see cref="DumpLevel"/> is 0 for a DISKDUMP file.
/// </summary>
public sealed record KdumpHeaderInfo(
    string Signature,
    int HeaderVersion,
    string SysName,
    string NodeName,
    string Release,
    string Version,
    string Machine,
    string DomainName,
    DateTimeOffset Timestamp,
    uint Status,
    int BlockSize,
    int NrCpus,
    int DumpLevel,
    string Compression)
{
    /// <summary>kdump_sub_header.phys_base: where the kernel image was loaded, as the capture saw it.</summary>
    public ulong PhysBase { get; init; }

    /// <summary>Number of page frames the bitmaps describe (max_mapnr_64, or max_mapnr before header version 6).</summary>
    public ulong MaxMapnr { get; init; }
}
