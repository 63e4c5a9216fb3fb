using System.Buffers.Binary;
using KdumpDebug.Core.Errors;
using KdumpDebug.Dump;

namespace KdumpDebug.Target.Arch.X86_64;

/// <summary>One entry the walk read: level name (crash's PGD/P4D/PUD/PMD/PTE), where it is, its value.</summary>
public readonly record struct PageTableStep(string Level, ulong EntryPhysicalAddress, ulong Entry);

/// <summary>
/// x86-64 4- and 5-level page-table walk (Intel SDM vol. 3A §4.5) over the dump's physical memory,
/// with 1 GiB and 2 MiB large pages. Stateless apart from the root; reads entries through
/// <see cref="IPhysicalMemory"/> (which caches pages), so it is thread-safe and allocation-free
/// for <see cref="TryTranslate"/>.
/// </summary>
public sealed class PageTableWalker
{
    /// <summary>Bits 12..51 of an entry: the next table's or the page's physical address.</summary>
    const ulong AddressMask = 0x000f_ffff_ffff_f000UL;
    const ulong Present = 1UL << 0;
    const ulong PageSizeBit = 1UL << 7;

    static readonly string[] LevelNames5 = ["PGD", "P4D", "PUD", "PMD", "PTE"];
    static readonly string[] LevelNames4 = ["PGD", "PUD", "PMD", "PTE"];

    readonly IPhysicalMemory _memory;

    /// <param name="memory">The dump's physical memory.</param>
    /// <param name="rootPhysicalAddress">Physical address of the top table (init_top_pgt / a CR3).</param>
    /// <param name="levels">4, or 5 when LA57 was on (VMCOREINFO NUMBER(pgtable_l5_enabled)).</param>
    public PageTableWalker(IPhysicalMemory memory, ulong rootPhysicalAddress, int levels)
    {
        if (levels is not (4 or 5)) throw new ArgumentOutOfRangeException(nameof(levels));
        _memory = memory;
        RootPhysicalAddress = rootPhysicalAddress & AddressMask;
        Levels = levels;
    }

    public ulong RootPhysicalAddress { get; }
    public int Levels { get; }

    /// <summary>
    /// True when <paramref name="va"/> is canonical: bits above the top translated bit (47, or 56
    /// with 5 levels) are copies of it.
    /// </summary>
    public bool IsCanonical(ulong va)
    {
        var topBit = Levels == 5 ? 56 : 47;
        var upper = (long)va >> topBit;
        return upper == 0 || upper == -1;
    }

    /// <summary>
    /// Translates a virtual address. False when it is not canonical or a level is not present.
    /// Excluded page-table pages surface as the dump's PageExcludedException.
    /// </summary>
    public bool TryTranslate(ulong va, out ulong physicalAddress, out ulong pageSize)
    {
        physicalAddress = 0;
        pageSize = 0;
        if (!IsCanonical(va)) return false;
        var table = RootPhysicalAddress;
        Span<byte> entryBytes = stackalloc byte[8];
        for (var level = Levels; level >= 1; level--)
        {
            var shift = 12 + 9 * (level - 1);
            var index = (va >> shift) & 0x1ff;
            _memory.Read(table + index * 8, entryBytes);
            var entry = BinaryPrimitives.ReadUInt64LittleEndian(entryBytes);
            if ((entry & Present) == 0) return false;
            // PS in a PUD (level 3) or PMD (level 2) entry maps a 1 GiB or 2 MiB page directly.
            if (level is 2 or 3 && (entry & PageSizeBit) != 0)
            {
                pageSize = 1UL << shift;
                physicalAddress = (entry & AddressMask & ~(pageSize - 1)) | (va & (pageSize - 1));
                return true;
            }
            table = entry & AddressMask;
        }
        pageSize = 4096;
        physicalAddress = table | (va & 0xfff);
        return true;
    }

    /// <summary>
    /// Every mapped page between <paramref name="start"/> and <paramref name="end"/> (inclusive),
    /// in address order: (virtual address, physical address, size of the mapping: 4 KiB, 2 MiB or
    /// 1 GiB), clipped to the range. Absent entries skip their whole span, so a sparse address space
    /// costs one read per present table entry. A table page the dump left out skips its span too.
    /// </summary>
    public IEnumerable<(ulong Virtual, ulong Physical, ulong Size)> Mappings(ulong start, ulong end)
    {
        // Canonical halves: 0 .. 2^(bits-1)-1 and the sign-extended upper half.
        var bits = Levels == 5 ? 57 : 48;
        foreach (var (lo, hi) in new[] { (0UL, (1UL << (bits - 1)) - 1), (~0UL << (bits - 1), ulong.MaxValue) })
        {
            var from = Math.Max(lo, start);
            var to = Math.Min(hi, end);
            if (from > to) continue;
            foreach (var m in Mappings(RootPhysicalAddress, Levels, ~0UL << bits & lo, from, to)) yield return m;
        }
    }

    IEnumerable<(ulong, ulong, ulong)> Mappings(ulong table, int level, ulong tableBase, ulong from, ulong to)
    {
        var shift = 12 + 9 * (level - 1);
        var span = 1UL << shift;
        var entries = new byte[4096];
        try
        {
            _memory.Read(table, entries);
        }
        catch (KdumpDebugException)
        {
            yield break;
        }
        var first = (int)(((from - tableBase) >> shift) & 0x1ff);
        var last = (int)(((to - tableBase) >> shift) & 0x1ff);
        for (var i = first; i <= last; i++)
        {
            var entry = BinaryPrimitives.ReadUInt64LittleEndian(entries.AsSpan(i * 8, 8));
            if ((entry & Present) == 0) continue;
            var va = tableBase + (ulong)i * span;
            if (level == 1 || (level is 2 or 3 && (entry & PageSizeBit) != 0))
            {
                var lo = Math.Max(va, from);
                var hi = Math.Min(va + span - 1, to);
                var physical = (entry & AddressMask & ~(span - 1)) + (lo - va);
                yield return (lo, physical, hi - lo + 1);
                continue;
            }
            foreach (var m in Mappings(entry & AddressMask, level - 1, va, Math.Max(va, from), Math.Min(va + span - 1, to))) yield return m;
        }
    }

    /// <summary>
    /// The entries a walk visits, top level first, for `vtop`-style output. Stops after the first
    /// non-present entry or a large page.
    /// </summary>
    public IReadOnlyList<PageTableStep> Walk(ulong va)
    {
        var steps = new List<PageTableStep>(Levels);
        if (!IsCanonical(va)) return steps;
        var names = Levels == 5 ? LevelNames5 : LevelNames4;
        var table = RootPhysicalAddress;
        Span<byte> entryBytes = stackalloc byte[8];
        for (var level = Levels; level >= 1; level--)
        {
            var shift = 12 + 9 * (level - 1);
            var entryAddress = table + ((va >> shift) & 0x1ff) * 8;
            _memory.Read(entryAddress, entryBytes);
            var entry = BinaryPrimitives.ReadUInt64LittleEndian(entryBytes);
            steps.Add(new PageTableStep(names[Levels - level], entryAddress, entry));
            if ((entry & Present) == 0) break;
            if (level is 2 or 3 && (entry & PageSizeBit) != 0) break;
            table = entry & AddressMask;
        }
        return steps;
    }
}
