using System.Buffers;
using System.Numerics;
using KdumpDebug.Core.Errors;
using KdumpDebug.Dump.Compression;
using KdumpDebug.Dump.IO;

namespace KdumpDebug.Dump.Kdump;

/// <summary>
/// Physical memory of a kdump-compressed file (plain or flattened, through <see cref="IByteSource"/>).
/// A PFN's status comes from the two bitmaps: set in the 2nd (dumpable) bitmap = present; set only in
/// the 1st (RAM) bitmap = excluded by the dump level; neither = not RAM. A present page's page_desc
/// is entry Rank2(pfn) of the array after the bitmaps (<see cref="DumpBitmap.Rank"/>: O(1)); its data
/// is raw when size == block_size and flags == 0, otherwise compressed with the method its flags name.
///
/// Costs: a raw page is copied straight from the mapping; a compressed page is decompressed into a
/// pooled buffer and kept in a <see cref="PageCache"/> (LRU by PFN), so later small reads of the same
/// page (page-table walks, structure reads) cost a lock and a copy. Decompression runs outside the
/// lock; two threads missing on the same page both decompress it and one copy is kept.
///
/// Errors are found when a page is read, not at open: a page_desc or page data past the end of the
/// file (truncated dump), a size or flag out of range, or data that does not decompress to exactly
/// one block all throw <see cref="DumpFormatException"/> naming the PFN and the file offset.
/// Thread-safe.
/// </summary>
internal sealed class KdumpPhysicalMemory : IPhysicalMemory, IUncachedPageReader, IDisposable
{
    /// <summary>Pages the LRU keeps (8 MiB of 4 KiB pages).</summary>
    public const int DefaultCachePages = 2048;

    readonly IByteSource _source;
    readonly DumpBitmap _ram;
    readonly DumpBitmap _dumpable;
    readonly long _descBase;
    readonly ulong _firstPfn;
    readonly ulong _endPfn;
    readonly long _rankBase;
    readonly int? _dumpLevel;
    readonly bool _incomplete;
    readonly PageCache _cache;

    public int PageSize { get; }
    public ulong MaxPfn { get; }

    /// <summary>Number of page descriptors this file holds (dumpable pages in its PFN range).</summary>
    public long DescriptorCount { get; }

    /// <summary>Cache statistics, for diagnostics.</summary>
    public (long Hits, long Misses) CacheStatistics => (_cache.Hits, _cache.Misses);

    /// <param name="source">The file.</param>
    /// <param name="blockSize">block_size (= page size).</param>
    /// <param name="maxPfn">max_mapnr.</param>
    /// <param name="ram">1st bitmap.</param>
    /// <param name="dumpable">2nd bitmap.</param>
    /// <param name="descBase">File offset of page_desc[0].</param>
    /// <param name="firstPfn">First PFN this file holds (start_pfn of a split dump, else 0).</param>
    /// <param name="endPfn">One past the last PFN this file holds.</param>
    /// <param name="dumpLevel">For <see cref="PageExcludedException"/>.</param>
    /// <param name="incomplete">Header status has DUMP_DH_COMPRESSED_INCOMPLETE (used in messages).</param>
    /// <param name="cachePages">LRU capacity.</param>
    public KdumpPhysicalMemory(IByteSource source, int blockSize, ulong maxPfn, DumpBitmap ram, DumpBitmap dumpable,
        long descBase, ulong firstPfn, ulong endPfn, int? dumpLevel, bool incomplete, int cachePages = DefaultCachePages)
    {
        _source = source;
        PageSize = blockSize;
        MaxPfn = maxPfn;
        _ram = ram;
        _dumpable = dumpable;
        _descBase = descBase;
        _firstPfn = firstPfn;
        _endPfn = endPfn;
        _rankBase = dumpable.Rank(firstPfn);
        DescriptorCount = dumpable.Rank(endPfn) - _rankBase;
        _dumpLevel = dumpLevel;
        _incomplete = incomplete;
        _cache = new PageCache(cachePages);
    }

    public PageStatus GetPageStatus(ulong pfn)
    {
        if (pfn >= MaxPfn) return PageStatus.NotInDump;
        if (_dumpable[pfn]) return pfn >= _firstPfn && pfn < _endPfn ? PageStatus.Present : PageStatus.NotInDump;
        return _ram[pfn] ? PageStatus.Excluded : PageStatus.NotInDump;
    }

    public IEnumerable<ulong> EnumeratePresentPfns() => _dumpable.EnumerateSet(_firstPfn, _endPfn);

    public void Read(ulong address, Span<byte> buffer)
    {
        var ps = (ulong)PageSize;
        while (!buffer.IsEmpty)
        {
            var pfn = address / ps;
            var offset = (int)(address % ps);
            var n = Math.Min(buffer.Length, PageSize - offset);
            ReadFromPage(address, pfn, offset, buffer[..n]);
            buffer = buffer[n..];
            address += (ulong)n;
        }
    }

    void ThrowIfAbsent(ulong address, ulong pfn)
    {
        switch (GetPageStatus(pfn))
        {
            case PageStatus.Present:
                return;
            case PageStatus.Excluded:
                throw new PageExcludedException(pfn, _dumpLevel);
            default:
                if (pfn < MaxPfn && _dumpable[pfn])
                    throw new FaultException(address, AddressSpaceKind.Physical, "in another file of a split dump");
                throw new FaultException(address, AddressSpaceKind.Physical);
        }
    }

    void ReadFromPage(ulong address, ulong pfn, int offset, Span<byte> destination)
    {
        ThrowIfAbsent(address, pfn);
        if (_cache.TryCopy(pfn, offset, destination)) return;
        var desc = ReadDescriptor(pfn);
        if (desc.Flags == 0)
        {
            // Raw page: as cheap to copy from the file as from the cache, so it is not cached.
            CopyRaw(pfn, desc, offset, destination);
            return;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(PageSize);
        try
        {
            Decompress(pfn, desc, buffer.AsSpan(0, PageSize));
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
        buffer.AsSpan(offset, destination.Length).CopyTo(destination);
        _cache.Add(pfn, buffer);
    }

    public int ReadPresentPage(ulong pfn, Span<byte> destination)
    {
        ThrowIfAbsent(pfn * (ulong)PageSize, pfn);
        var desc = ReadDescriptor(pfn);
        var page = destination[..PageSize];
        if (desc.Flags == 0) CopyRaw(pfn, desc, 0, page);
        else Decompress(pfn, desc, page);
        return PageSize;
    }

    void CopyRaw(ulong pfn, PageDescriptor desc, int offset, Span<byte> destination)
    {
        if (_source.TryGetSpan(desc.Offset + offset, destination.Length, out var span)) span.CopyTo(destination);
        else _source.Read(desc.Offset + offset, destination, PageDataField(pfn, desc)); // flattened: across records
    }

    /// <summary>Reads and checks the page_desc of a present PFN. Allocates only to report an error.</summary>
    PageDescriptor ReadDescriptor(ulong pfn)
    {
        var index = _dumpable.Rank(pfn) - _rankBase;
        var at = _descBase + index * PageDescriptor.EncodedSize;
        string Field() => $"page_desc[{index}] (PFN {pfn:x})";
        if (at > _source.Length - PageDescriptor.EncodedSize)
            throw new DumpFormatException(_source.Path, at, Field(),
                $"past the end of the file at 0x{_source.Length:x}: the dump is {(_incomplete ? "incomplete (makedumpfile ran out of space)" : "truncated")}");
        PageDescriptor desc;
        if (_source.TryGetSpan(at, PageDescriptor.EncodedSize, out var span))
        {
            desc = PageDescriptor.Parse(span);
        }
        else
        {
            Span<byte> raw = stackalloc byte[PageDescriptor.EncodedSize];
            _source.Read(at, raw, Field());
            desc = PageDescriptor.Parse(raw);
        }

        if (desc.Flags != 0 && (PageDecompressor.Name(desc.Flags) is null || BitOperations.PopCount(desc.Flags) != 1))
            throw new DumpFormatException(_source.Path, at + 12, Field() + ".flags",
                $"unknown compression flag 0x{desc.Flags:x} (known: zlib 0x1, lzo 0x2, snappy 0x4, zstd 0x20)");
        if (desc.Size == 0 || desc.Size > (uint)PageSize)
            throw new DumpFormatException(_source.Path, at + 8, Field() + ".size",
                $"{desc.Size} is not between 1 and block_size {PageSize}");
        if (desc.Flags == 0 && desc.Size != (uint)PageSize)
            throw new DumpFormatException(_source.Path, at + 8, Field() + ".size",
                $"an uncompressed page of {desc.Size} bytes, expected block_size {PageSize}");
        if (desc.Offset < 0 || desc.Offset > _source.Length - desc.Size)
            throw new DumpFormatException(_source.Path, at, Field() + ".offset",
                $"page data at 0x{desc.Offset:x}+{desc.Size} is outside the file (size 0x{_source.Length:x}): " +
                (_incomplete ? "the dump is incomplete" : "truncated or corrupt"));
        return desc;
    }

    string PageDataField(ulong pfn, PageDescriptor desc) =>
        $"page data of PFN {pfn:x} ({PageDecompressor.Name(desc.Flags) ?? "raw"})";

    void Decompress(ulong pfn, PageDescriptor desc, Span<byte> page)
    {
        byte[]? scratch = null;
        try
        {
            if (!_source.TryGetSpan(desc.Offset, (int)desc.Size, out var input))
            {
                // Flattened file and the data spans two records: gather it.
                scratch = ArrayPool<byte>.Shared.Rent((int)desc.Size);
                _source.Read(desc.Offset, scratch.AsSpan(0, (int)desc.Size), PageDataField(pfn, desc));
                input = scratch.AsSpan(0, (int)desc.Size);
            }
            int n;
            try
            {
                n = PageDecompressor.Decompress(desc.Flags, input, page);
            }
            catch (Exception ex) when (ex is not KdumpDebugException and not OutOfMemoryException)
            {
                // InvalidDataException (zlib, LZO, snappy), ZstdException, or a library's
                // argument check on garbage: all mean the page data is corrupt.
                throw new DumpFormatException(_source.Path, desc.Offset, PageDataField(pfn, desc),
                    $"does not decompress: {ex.Message.ReplaceLineEndings(" ")}");
            }
            if (n != PageSize)
                throw new DumpFormatException(_source.Path, desc.Offset, PageDataField(pfn, desc),
                    $"decompresses to {n} bytes, expected block_size {PageSize}");
        }
        finally
        {
            if (scratch is not null) ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    public void Dispose() => _cache.Dispose();
}
