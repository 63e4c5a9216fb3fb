namespace KdumpDebug.Dump;

/// <summary>What <see cref="DumpPageReader.ReadAllPresentPages"/> read: pages, bytes of page data, time taken.</summary>
public readonly record struct PageReadTotals(long Pages, long Bytes, TimeSpan Elapsed)
{
    /// <summary>Throughput in MB/s (10^6 bytes) of page data.</summary>
    public double MegabytesPerSecond => Elapsed.TotalSeconds > 0 ? Bytes / 1e6 / Elapsed.TotalSeconds : 0;
}
