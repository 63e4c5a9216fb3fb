namespace KdumpDebug.Target;

/// <summary>
/// The banner facts known as soon as a dump is open, before any kernel data structure is walked
/// (crash prints them at start-up and in `sys`). Null members are unknown for this dump.
/// </summary>
public sealed record TargetSummary(
    string VmlinuxPath,
    string DumpPath,
    string DumpDescription,
    bool IsPartialDump,
    int? Cpus,
    DateTimeOffset? Date,
    string? NodeName,
    string? Release,
    string? Version,
    string? Machine,
    ulong? MemoryBytes,
    string? PanicMessage,
    ulong KaslrOffset,
    int PagingLevels);
