namespace KdumpDebug.Dump;

/// <summary>
/// The bulk-read path of this project's <see cref="IPhysicalMemory"/> implementations, used by
/// <see cref="DumpPageReader"/>: one page straight into the caller's buffer, bypassing (and not
/// disturbing) the page cache, since a sequential sweep would only evict what interactive reads use.
/// </summary>
internal interface IUncachedPageReader
{
    /// <summary>
    /// Reads the page <paramref name="pfn"/> (which the caller got from EnumeratePresentPfns) into
    /// <paramref name="destination"/> (at least a page long) and returns how many bytes it has: the page
    /// size, or less for a page an ELF segment covers only in part. Throws like IPhysicalMemory.Read.
    /// </summary>
    int ReadPresentPage(ulong pfn, Span<byte> destination);
}
