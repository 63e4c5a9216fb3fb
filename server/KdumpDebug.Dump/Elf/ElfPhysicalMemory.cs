using KdumpDebug.Core.Errors;
using KdumpDebug.Dump.IO;

namespace KdumpDebug.Dump.Elf;

/// <summary>
/// Physical memory of an ELF vmcore: the PT_LOAD segments by p_paddr, resolved at open into a sorted,
/// non-overlapping array of ranges (<see cref="IntervalResolver"/>: makedumpfile -E describes the
/// kernel image twice, once at its text mapping and once in the direct map). Each range is either
/// backed by file bytes, or the tail of a segment whose p_filesz &lt; p_memsz.
///
/// What the tail means: makedumpfile -E (write_elf_pages_cyclic in makedumpfile.c) starts a new
/// PT_LOAD after a run of 256 or more pages it excludes (PFN_EXCLUDED), and leaves such a run, and
/// any excluded pages at the end of a segment, out of the file by making p_memsz larger than
/// p_filesz. Those bytes are reported as excluded (<see cref="PageExcludedException"/>, dump level
/// unknown: the ELF header does not record it). Shorter runs of excluded pages ARE written to the
/// file: p_filesz counts them and write_elf_load_segment copies them from /proc/vmcore like any other
/// page (on the fixtures, 1244 pages the kdump file of the same crash excludes are present, non-zero,
/// in sysrq/vmcore.elf). So the ELF format cannot tell an excluded page from a dumped one, or from a
/// zero page, except in the p_memsz tails; such pages read as the data they had.
/// Zero pages are excluded in the ELF (level 1) but kept, pointing at one shared zero page, in a
/// kdump file, so the same page may be excluded here and present (all zeros) there.
///
/// Reads are copies out of the memory-mapped file: a binary search over the ranges with a last-hit
/// shortcut (one field, written without a lock: a stale value only costs the search). No cache, no
/// allocation. Thread-safe.
/// </summary>
internal sealed class ElfPhysicalMemory : IPhysicalMemory, IUncachedPageReader
{
    readonly MappedFile _file;
    readonly ulong[] _start;
    readonly ulong[] _end;
    // File offset of _start[i], or -1 for a range that p_memsz covers but p_filesz does not.
    readonly long[] _fileOffset;
    // Index of the PT_LOAD (among all program headers) that answers range i, for error messages.
    readonly int[] _segment;
    int _lastHit;

    public int PageSize { get; }
    public ulong MaxPfn { get; }

    public ElfPhysicalMemory(MappedFile file, IReadOnlyList<(int Index, ElfProgramHeader64 Header)> loads, int pageSize)
    {
        _file = file;
        PageSize = pageSize;
        // Two claims per segment: the file-backed part beats any tail (priority 1 over 0); among
        // equals the earlier segment in the file wins (higher item number = earlier, see below).
        var claims = new List<ClaimedRange>(loads.Count * 2);
        var owners = new List<(int Load, bool Backed)>(loads.Count * 2);
        for (var i = 0; i < loads.Count; i++)
        {
            var h = loads[i].Header;
            var backedEnd = h.PhysAddr + h.FileSize;
            var end = h.PhysAddr + h.MemSize;
            // Item numbers count down so that, on a tie, the first segment in file order wins.
            if (h.FileSize > 0) { claims.Add(new(h.PhysAddr, backedEnd, 1, int.MaxValue - owners.Count)); owners.Add((i, true)); }
            if (end > backedEnd) { claims.Add(new(backedEnd, end, 0, int.MaxValue - owners.Count)); owners.Add((i, false)); }
        }
        var pieces = IntervalResolver.Resolve(claims);
        _start = new ulong[pieces.Count];
        _end = new ulong[pieces.Count];
        _fileOffset = new long[pieces.Count];
        _segment = new int[pieces.Count];
        ulong maxEnd = 0;
        for (var i = 0; i < pieces.Count; i++)
        {
            var p = pieces[i];
            var (load, backed) = owners[int.MaxValue - p.Item];
            var h = loads[load].Header;
            _start[i] = p.Start;
            _end[i] = p.End;
            _segment[i] = loads[load].Index;
            // p_offset + (address - p_paddr): may lie past the end of a truncated file; checked per read.
            _fileOffset[i] = backed ? (long)(h.Offset + (p.Start - h.PhysAddr)) : -1;
            maxEnd = Math.Max(maxEnd, p.End);
        }
        MaxPfn = (maxEnd + (ulong)pageSize - 1) / (ulong)pageSize;
    }

    /// <summary>Number of resolved ranges (for diagnostics and tests).</summary>
    public int RangeCount => _start.Length;

    int Find(ulong address)
    {
        var last = _lastHit;
        if ((uint)last < (uint)_start.Length && address >= _start[last] && address < _end[last]) return last;
        int lo = 0, hi = _start.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (address < _start[mid]) hi = mid - 1;
            else if (address >= _end[mid]) lo = mid + 1;
            else { _lastHit = mid; return mid; }
        }
        return -1;
    }

    public void Read(ulong address, Span<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var i = Find(address);
            if (i < 0 || _fileOffset[i] < 0) throw NotBacked(address, i);
            var n = (int)Math.Min((ulong)buffer.Length, _end[i] - address);
            CopyOut(i, address, buffer[..n]);
            buffer = buffer[n..];
            address += (ulong)n;
        }
    }

    /// <summary>The error for an address in no range (<paramref name="range"/> &lt; 0) or in a p_memsz tail.</summary>
    KdumpDebugException NotBacked(ulong address, int range) => range < 0
        ? new FaultException(address, AddressSpaceKind.Physical)
        : new PageExcludedException(address / (ulong)PageSize, null);

    void CopyOut(int range, ulong address, Span<byte> destination)
    {
        var offset = _fileOffset[range] + (long)(address - _start[range]);
        if (!_file.TryGetSpan(offset, destination.Length, out var span))
            throw new DumpFormatException(_file.Path, offset, $"PT_LOAD[{_segment[range]}] data for physical address {address:x}",
                $"past the end of the file at 0x{_file.Length:x} (truncated?)");
        span.CopyTo(destination);
    }

    public PageStatus GetPageStatus(ulong pfn)
    {
        if (pfn >= MaxPfn) return PageStatus.NotInDump;
        var i = Find(pfn * (ulong)PageSize);
        if (i < 0) return PageStatus.NotInDump;
        return _fileOffset[i] >= 0 ? PageStatus.Present : PageStatus.Excluded;
    }

    /// <summary>Pages whose first byte is file-backed (a page may be backed only in part at a segment end).</summary>
    public IEnumerable<ulong> EnumeratePresentPfns()
    {
        var ps = (ulong)PageSize;
        for (var i = 0; i < _start.Length; i++)
        {
            if (_fileOffset[i] < 0) continue;
            for (var pfn = (_start[i] + ps - 1) / ps; pfn * ps < _end[i]; pfn++)
                yield return pfn;
        }
    }

    public int ReadPresentPage(ulong pfn, Span<byte> destination)
    {
        var ps = (ulong)PageSize;
        var address = pfn * ps;
        var pageEnd = address + ps;
        var done = 0;
        while (address < pageEnd)
        {
            var i = Find(address);
            if (i < 0 || _fileOffset[i] < 0)
            {
                if (done > 0) break;
                throw NotBacked(address, i);
            }
            var n = (int)(Math.Min(pageEnd, _end[i]) - address);
            CopyOut(i, address, destination.Slice(done, n));
            done += n;
            address += (ulong)n;
        }
        return done;
    }
}
