namespace KdumpDebug.Dump;

/// <summary>
/// The fields of a kdump-compressed file's disk_dump_header and kdump_sub_header that a user may
/// see (makedumpfile's diskdump_mgmt.h). Absent for ELF dumps.
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
    string Compression);
