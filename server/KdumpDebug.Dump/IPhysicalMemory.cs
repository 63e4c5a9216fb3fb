namespace KdumpDebug.Dump;

/// <summary>What the dump says about one page frame.</summary>
public enum PageStatus
{
    /// <summary>The page's bytes are in the dump.</summary>
    Present,
    /// <summary>The page existed but makedumpfile filtered it out (dump level).</summary>
    Excluded,
    /// <summary>No RAM there, or outside every range the dump covers.</summary>
    NotInDump,
}

/// <summary>
/// The crashed machine's physical memory as one dump file records it. Implementations are
/// thread-safe; reads may cross page boundaries.
/// </summary>
public interface IPhysicalMemory
{
    /// <summary>Page size of the dumped machine (4096 on x86-64).</summary>
    int PageSize { get; }

    /// <summary>One past the highest PFN the dump describes.</summary>
    ulong MaxPfn { get; }

    /// <summary>
    /// Fills <paramref name="buffer"/> with the bytes at physical address <paramref name="address"/>.
    /// Throws <see cref="KdumpDebug.Core.Errors.PageExcludedException"/> for a filtered page,
    /// <see cref="KdumpDebug.Core.Errors.FaultException"/> for an address the dump does not cover, and
    /// <see cref="KdumpDebug.Core.Errors.DumpFormatException"/> when the file itself is broken there.
    /// </summary>
    void Read(ulong address, Span<byte> buffer);

    /// <summary>Whether a page is in the dump, filtered, or absent. Cheap (no decompression).</summary>
    PageStatus GetPageStatus(ulong pfn);

    /// <summary>Every PFN whose bytes are in the dump, ascending.</summary>
    IEnumerable<ulong> EnumeratePresentPfns();
}
