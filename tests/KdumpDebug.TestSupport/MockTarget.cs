using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.TestSupport;

/// <summary>
/// An <see cref="IKernelTarget"/> built in code for command tests: virtual and physical memory as
/// 4 KiB pages filled by <see cref="MapVirtual"/>/<see cref="MapPhysical"/>, pages marked excluded
/// (as makedumpfile filters them), a symbol list and a source-line list. Reads behave like the real
/// target: an unmapped byte throws <see cref="FaultException"/> at that byte's address, an excluded
/// page throws <see cref="PageExcludedException"/> with the virtual address. Symbol lookup by address
/// is crash's <c>value_search</c>: the nearest symbol at or below the address, sizes ignored. Not
/// thread-safe while being filled.
/// </summary>
public sealed class MockTarget : IKernelTarget
{
    public const int PageSize = 4096;

    readonly Dictionary<ulong, byte[]> _virtualPages = new();
    readonly Dictionary<ulong, byte[]> _physicalPages = new();
    readonly Dictionary<ulong, (ulong Pfn, int DumpLevel)> _excludedVirtualPages = new();
    readonly Dictionary<ulong, int> _excludedPhysicalPages = new();
    readonly Dictionary<ulong, ulong> _translations = new();
    readonly List<KernelSymbol> _symbols = new();
    readonly List<(ulong Start, ulong End, string File, int Line)> _lines = new();
    KernelSymbol[]? _sorted;

    public MockTarget(TargetSummary? summary = null)
    {
        Summary = summary ?? DefaultSummary();
    }

    public TargetSummary Summary { get; set; }

    /// <summary>A summary with every optional fact unknown and 4-level paging.</summary>
    public static TargetSummary DefaultSummary() => new(
        VmlinuxPath: "vmlinux", DumpPath: "vmcore", DumpDescription: "mock", IsPartialDump: false,
        Cpus: null, Date: null, NodeName: null, Release: null, Version: null, Machine: null,
        MemoryBytes: null, PanicMessage: null, KaslrOffset: 0, PagingLevels: 4);

    /// <summary>Maps <paramref name="bytes"/> at a kernel virtual address (optionally backed by a physical address for TryTranslate).</summary>
    public MockTarget MapVirtual(ulong address, ReadOnlySpan<byte> bytes, ulong? physicalAddress = null)
    {
        Store(_virtualPages, address, bytes);
        if (physicalAddress is ulong pa)
        {
            for (ulong page = address & ~(ulong)(PageSize - 1); page < address + (ulong)bytes.Length; page += PageSize)
                _translations[page] = (pa & ~(ulong)(PageSize - 1)) + (page - (address & ~(ulong)(PageSize - 1)));
        }
        return this;
    }

    /// <summary>Maps <paramref name="bytes"/> at a physical address.</summary>
    public MockTarget MapPhysical(ulong address, ReadOnlySpan<byte> bytes)
    {
        Store(_physicalPages, address, bytes);
        return this;
    }

    /// <summary>Marks the virtual page holding <paramref name="address"/> as excluded by makedumpfile (PFN and dump level for the message).</summary>
    public MockTarget ExcludeVirtualPage(ulong address, ulong pfn, int dumpLevel = 31)
    {
        _excludedVirtualPages[address & ~(ulong)(PageSize - 1)] = (pfn, dumpLevel);
        return this;
    }

    /// <summary>Marks the physical page holding <paramref name="address"/> as excluded.</summary>
    public MockTarget ExcludePhysicalPage(ulong address, int dumpLevel = 31)
    {
        _excludedPhysicalPages[address & ~(ulong)(PageSize - 1)] = dumpLevel;
        return this;
    }

    public MockTarget AddSymbol(string name, ulong address, char nmType = 't', ulong size = 0, string? module = null)
    {
        _symbols.Add(new KernelSymbol(name, address, size, nmType, module));
        _sorted = null;
        return this;
    }

    /// <summary>Says that addresses in [start, end) come from <paramref name="file"/>:<paramref name="line"/>.</summary>
    public MockTarget AddSourceLine(ulong start, ulong end, string file, int line)
    {
        _lines.Add((start, end, file, line));
        return this;
    }

    public void ReadVirtual(ulong address, Span<byte> buffer)
    {
        for (var done = 0; done < buffer.Length;)
        {
            var at = address + (ulong)done;
            var page = at & ~(ulong)(PageSize - 1);
            if (_excludedVirtualPages.TryGetValue(page, out var ex))
                throw new PageExcludedException(ex.Pfn, ex.DumpLevel, at);
            if (!_virtualPages.TryGetValue(page, out var bytes))
                throw new FaultException(at, AddressSpaceKind.Virtual);
            done += CopyOut(bytes, at, buffer[done..]);
        }
    }

    public void ReadPhysical(ulong address, Span<byte> buffer)
    {
        for (var done = 0; done < buffer.Length;)
        {
            var at = address + (ulong)done;
            var page = at & ~(ulong)(PageSize - 1);
            if (_excludedPhysicalPages.TryGetValue(page, out var level))
                throw new PageExcludedException(page / PageSize, level);
            if (!_physicalPages.TryGetValue(page, out var bytes))
                throw new FaultException(at, AddressSpaceKind.Physical);
            done += CopyOut(bytes, at, buffer[done..]);
        }
    }

    public bool TryTranslate(ulong virtualAddress, out ulong physicalAddress)
    {
        var page = virtualAddress & ~(ulong)(PageSize - 1);
        if (_translations.TryGetValue(page, out var pa))
        {
            physicalAddress = pa + (virtualAddress - page);
            return true;
        }
        physicalAddress = 0;
        return false;
    }

    public bool TryLookupSymbol(string name, out KernelSymbol symbol)
    {
        foreach (var s in _symbols)
        {
            if (s.Name == name)
            {
                symbol = s;
                return true;
            }
        }
        symbol = default;
        return false;
    }

    public bool TryFindSymbol(ulong address, out KernelSymbol symbol, out ulong offset)
    {
        var sorted = Sorted();
        var lo = 0;
        var hi = sorted.Length - 1;
        var found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            if (sorted[mid].Address <= address)
            {
                found = mid;
                lo = mid + 1;
            }
            else hi = mid - 1;
        }
        if (found < 0)
        {
            symbol = default;
            offset = 0;
            return false;
        }
        // Several symbols at one address: the first one added wins, as the stable sort keeps it first.
        while (found > 0 && sorted[found - 1].Address == sorted[found].Address) found--;
        symbol = sorted[found];
        offset = address - symbol.Address;
        return true;
    }

    public IReadOnlyList<KernelSymbol> SymbolsByAddress => Sorted().Where(s => s.Module is null).ToList();

    public IReadOnlyList<KernelSymbol> LookupSymbols(string name) => SymbolsByAddress.Where(s => s.Name == name).ToList();

    public IReadOnlyList<KernelSymbol> ModuleSymbolsByAddress => Sorted().Where(s => s.Module is not null).ToList();

    public bool TryFindSourceLine(ulong address, out string file, out int line)
    {
        foreach (var l in _lines)
        {
            if (address >= l.Start && address < l.End)
            {
                file = l.File;
                line = l.Line;
                return true;
            }
        }
        file = "";
        line = 0;
        return false;
    }

    KernelSymbol[] Sorted() => _sorted ??= _symbols.OrderBy(s => s.Address).ToArray();

    static void Store(Dictionary<ulong, byte[]> pages, ulong address, ReadOnlySpan<byte> bytes)
    {
        for (var done = 0; done < bytes.Length;)
        {
            var at = address + (ulong)done;
            var page = at & ~(ulong)(PageSize - 1);
            if (!pages.TryGetValue(page, out var storage)) pages[page] = storage = new byte[PageSize];
            var inPage = (int)(at - page);
            var n = Math.Min(PageSize - inPage, bytes.Length - done);
            bytes.Slice(done, n).CopyTo(storage.AsSpan(inPage));
            done += n;
        }
    }

    static int CopyOut(byte[] page, ulong at, Span<byte> destination)
    {
        var inPage = (int)(at & (PageSize - 1));
        var n = Math.Min(PageSize - inPage, destination.Length);
        page.AsSpan(inPage, n).CopyTo(destination);
        return n;
    }
}
