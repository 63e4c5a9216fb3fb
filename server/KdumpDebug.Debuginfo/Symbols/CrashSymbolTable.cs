using System.Runtime.InteropServices;

namespace KdumpDebug.Debuginfo.Symbols;

/// <summary>
/// The kernel symbol table the way crash 8 builds it from a vmlinux, and crash's address and name
/// searches over it. crash (symbols.c <c>symtab_init</c>) reads every symbol BFD gives for the file
/// (<c>bfd_read_minisymbols</c>: section and file symbols included), sorts them as <c>nm -n</c> does
/// (<c>gnu_qsort</c>: address, then name with <c>strcoll</c> in the C locale; glibc's qsort is a
/// stable merge sort, so equal names keep symbol-table order), and <c>store_symbols</c> keeps what
/// <c>x86_64_verify_symbol</c> accepts, under the name <c>strip_symbol_end</c> gives:
/// <list type="bullet">
/// <item>nothing before the first <c>_text</c> or <c>_stext</c> in that order (absolute symbols such
/// as <c>phys_startup_64</c>, file and debug-section symbols), except, from <c>__per_cpu_start</c>
/// on, the per-cpu variables (names starting "per_cpu", <c>__per_cpu_end</c>, or letter V, d, D);</item>
/// <item>names cut at the first ".isra.", else at the first ".part.", whatever follows
/// (<c>vfs_statfs.part.0.isra.0</c> is <c>vfs_statfs.part.0</c>, <c>rapl_event_update.isra.0.cold</c>
/// is <c>rapl_event_update</c>); ".constprop.N" and ".cold" alone are kept;</item>
/// <item>section symbols under their section's name and nm letter (<c>.data</c> 'd', <c>.bss</c> 'b',
/// <c>.init.text</c> 't', <c>__param</c> 'r'); ".text" sorts before "_text" and is dropped.</item>
/// </list>
/// This is exactly <c>LC_ALL=C nm -n -a vmlinux</c> with those rules applied (crash's <c>sym -l</c>
/// on the fixture kernel: 43,889 lines, all equal). Built once, O(n log n); immutable and
/// thread-safe. Addresses are link-time; see <see cref="MovesWithKaslr"/> for crash's relocation.
/// </summary>
public sealed class CrashSymbolTable
{
    readonly ElfSymbol[] _symbols;
    readonly ulong[] _addresses;
    readonly SymbolNameChains _byName;
    readonly bool _perCpuSymbols;
    readonly ulong _firstKernelSymbol;
    readonly ulong _relocatedStart;
    readonly ulong _relocatedEnd;

    CrashSymbolTable(ElfSymbol[] symbols, bool perCpuSymbols, ulong firstKernelSymbol, ulong relocatedStart, ulong relocatedEnd)
    {
        _symbols = symbols;
        _perCpuSymbols = perCpuSymbols;
        _firstKernelSymbol = firstKernelSymbol;
        _relocatedStart = relocatedStart;
        _relocatedEnd = relocatedEnd;
        _addresses = new ulong[symbols.Length];
        for (var i = 0; i < symbols.Length; i++) _addresses[i] = symbols[i].Address;
        _byName = new SymbolNameChains(symbols);
    }

    /// <summary>
    /// Builds crash's table from a kernel image's symbols (<paramref name="symbolTableOrder"/>: every
    /// defined symbol in symbol-table index order, section symbols named after their section, names
    /// unstripped). Null when no <c>_text</c>/<c>_stext</c> is found: not a kernel image, and crash's
    /// rules would keep nothing. <paramref name="allocatedStart"/>..<paramref name="allocatedEnd"/> is
    /// the span of the allocated sections with a non-zero address (crash's first_section_start and
    /// last_section_end).
    /// </summary>
    public static CrashSymbolTable? Build(IReadOnlyList<ElfSymbol> symbolTableOrder, ulong allocatedStart, ulong allocatedEnd)
    {
        ArgumentNullException.ThrowIfNull(symbolTableOrder);
        // gnu_qsort (numeric_forward, then non_numeric_forward), stable like glibc's merge sort.
        return Build(symbolTableOrder, NmOrder.Sort(symbolTableOrder), allocatedStart, allocatedEnd);
    }

    /// <summary>As <see cref="Build(IReadOnlyList{ElfSymbol}, ulong, ulong)"/>, with <paramref name="order"/> from <see cref="NmOrder.Sort"/>.</summary>
    internal static CrashSymbolTable? Build(IReadOnlyList<ElfSymbol> symbolTableOrder, int[] order, ulong allocatedStart, ulong allocatedEnd)
    {
        var kept = new List<ElfSymbol>(order.Length);
        var started = false;
        var perCpu = false;
        ulong firstKernelSymbol = 0;
        foreach (var index in order)
        {
            var symbol = symbolTableOrder[index];
            var name = StripSymbolEnd(symbol.Name);
            if (name.Length == 0) continue;
            if (!started)
            {
                // x86_64_verify_symbol(): kernel symbols start at _text/_stext.
                if (name is "_text" or "_stext")
                {
                    started = true;
                    firstKernelSymbol = symbol.Address;
                }
                else if (name == "__per_cpu_start")
                {
                    perCpu = true;
                }
                else if (!perCpu || !(name.StartsWith("per_cpu", StringComparison.Ordinal) || name == "__per_cpu_end"
                    || symbol.NmType is 'V' or 'd' or 'D'))
                {
                    continue;
                }
            }
            kept.Add(ReferenceEquals(name, symbol.Name) ? symbol : symbol with { Name = name });
        }
        if (!started) return null;
        return new CrashSymbolTable(kept.ToArray(), perCpu, firstKernelSymbol, allocatedStart, allocatedEnd);
    }

    /// <summary>
    /// crash's strip_symbol_end(): a GCC clone suffix is cut from the first ".isra." (checked
    /// first, anywhere in the name), else from the first ".part.", to the end of the name.
    /// </summary>
    public static string StripSymbolEnd(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var at = name.IndexOf(".isra.", StringComparison.Ordinal);
        if (at < 0) at = name.IndexOf(".part.", StringComparison.Ordinal);
        return at < 0 ? name : name[..at];
    }

    /// <summary>Number of symbols (crash's st->symcnt).</summary>
    public int Count => _symbols.Length;

    /// <summary>The table in crash's order (<c>sym -l</c>): by address, equal addresses by full name.</summary>
    public IReadOnlyList<ElfSymbol> SortedByAddress => _symbols;

    /// <summary>
    /// The link-time address of the first <c>_text</c>/<c>_stext</c> (crash's st->first_ksymbol).
    /// Note that crash compares run-time values with this link-time value (see <see cref="InRange"/>).
    /// </summary>
    public ulong FirstKernelSymbol => _firstKernelSymbol;

    /// <summary>
    /// crash's relocate() on x86-64: a symbol moves with the KASLR slide when its link-time value is
    /// inside the allocated sections' span (bounds included), whatever its type: the absolute
    /// <c>init_per_cpu__*</c> symbols move, per-cpu offsets (linked at 0) do not.
    /// </summary>
    public bool MovesWithKaslr(ulong linkAddress) => linkAddress >= _relocatedStart && linkAddress <= _relocatedEnd;

    /// <summary>
    /// crash's in_ksymbol_range() for the kernel image: from the first to the last symbol's value,
    /// except below <see cref="FirstKernelSymbol"/> when the image has per-cpu symbols.
    /// </summary>
    public bool InRange(ulong address) =>
        _symbols.Length > 0 && address >= _addresses[0] && address <= _addresses[^1]
        && !(_perCpuSymbols && address < _firstKernelSymbol);

    /// <summary>
    /// crash's value_search() on the kernel image: the symbol at or below <paramref name="address"/>
    /// and the offset from it. No size or section bounds: padding between sections belongs to the
    /// symbol before it (<c>_etext+1348942</c>), anywhere in <see cref="InRange"/>.
    /// <list type="bullet">
    /// <item>Inside: the last symbol at the highest address below (table order).</item>
    /// <item>On an address: the first symbol there, then one step each, when the next symbol has
    /// the same address: past a name starting ".text.", past a "SyS_"/"compat_SyS_" alias, past a
    /// name containing "_text_start" (<c>__sched_text_start</c> gives way to the function).</item>
    /// </list>
    /// crash caches the last hit per hash bucket (symval_hash_search), so after a search inside a
    /// symbol, an exact search for an address holding several symbols can return the last of them;
    /// this search is stateless and always answers as from a fresh cache. Cost: one binary search.
    /// </summary>
    public bool TryFindByAddress(ulong address, out ElfSymbol symbol, out ulong offset)
    {
        symbol = default;
        offset = 0;
        if (!InRange(address)) return false;
        var i = LowerBound(address);
        if (i < _addresses.Length && _addresses[i] == address)
        {
            if (_symbols[i].Name.StartsWith(".text.", StringComparison.Ordinal) && SameAddressNext(i)) i++;
            if ((_symbols[i].Name.StartsWith("SyS_", StringComparison.Ordinal)
                 || _symbols[i].Name.StartsWith("compat_SyS_", StringComparison.Ordinal)) && SameAddressNext(i)) i++;
            if (_symbols[i].Name.Contains("_text_start", StringComparison.Ordinal) && SameAddressNext(i)) i++;
            symbol = _symbols[i];
            return true;
        }
        symbol = _symbols[i - 1];
        offset = address - symbol.Address;
        return true;
    }

    bool SameAddressNext(int i) => i + 1 < _addresses.Length && _addresses[i + 1] == _addresses[i];

    /// <summary>crash's symbol_search(): the first symbol named <paramref name="name"/> in table order.</summary>
    public bool TryLookup(string name, out ElfSymbol symbol)
    {
        ArgumentNullException.ThrowIfNull(name);
        var i = _byName.First(name);
        if (i >= 0)
        {
            symbol = _symbols[i];
            return true;
        }
        symbol = default;
        return false;
    }

    /// <summary>
    /// Every symbol named <paramref name="name"/> in table order, as <c>sym NAME</c> prints them
    /// (symbol_search, then symbol_search_next); empty when none.
    /// </summary>
    public IReadOnlyList<ElfSymbol> LookupAll(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var result = new List<ElfSymbol>();
        for (var j = _byName.First(name); j >= 0; j = _byName.Next(j)) result.Add(_symbols[j]);
        return result;
    }

    int LowerBound(ulong address)
    {
        int lo = 0, hi = _addresses.Length;
        while (lo < hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            if (_addresses[mid] < address) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
