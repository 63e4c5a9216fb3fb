using System.Buffers;
using System.Diagnostics;

namespace KdumpDebug.Dump;

/// <summary>
/// Reads every page a dump holds, in PFN order: the bulk path behind the page-read benchmark (compared
/// with libkdumpfile) and any whole-dump scan. Uses the readers' uncached path, so a sweep neither
/// fills nor evicts the kdump page cache; one pooled page buffer, no allocation per page except
/// zlib's (see ZlibDecompressor). Single-threaded.
/// </summary>
public static class DumpPageReader
{
    /// <summary>
    /// Reads (decompressing as needed) every page of <see cref="IPhysicalMemory.EnumeratePresentPfns"/>
    /// and passes each to <paramref name="visitor"/> when given. A page an ELF segment covers only in
    /// part is passed with the bytes it has. Stops at the first unreadable page with its
    /// <see cref="KdumpDebug.Core.Errors.KdumpDebugException"/>.
    /// </summary>
    public static PageReadTotals ReadAllPresentPages(IDumpFile dump, PageVisitor? visitor = null)
    {
        var memory = dump.Memory;
        var pageSize = memory.PageSize;
        var fast = memory as IUncachedPageReader;
        var buffer = ArrayPool<byte>.Shared.Rent(pageSize);
        var timer = Stopwatch.StartNew();
        long pages = 0, bytes = 0;
        try
        {
            foreach (var pfn in memory.EnumeratePresentPfns())
            {
                int n;
                if (fast is not null)
                {
                    n = fast.ReadPresentPage(pfn, buffer);
                }
                else
                {
                    memory.Read(pfn * (ulong)pageSize, buffer.AsSpan(0, pageSize));
                    n = pageSize;
                }
                pages++;
                bytes += n;
                visitor?.Invoke(pfn, buffer.AsSpan(0, n));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return new PageReadTotals(pages, bytes, timer.Elapsed);
    }
}
