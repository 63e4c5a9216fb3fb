using KdumpDebug.Target;

namespace KdumpDebug.Commands.Parsing;

/// <summary>
/// crash's view of the session's symbols for the commands: which values look like kernel symbol
/// addresses, as crash's <c>in_ksymbol_range()</c> decides before printing a value symbolically
/// (rd -s) or translating it (sym ADDR): from the lowest to the highest kernel-space symbol of the
/// vmlinux, or inside a module's symbols (per-CPU offsets and absolute symbols below kernel space
/// do not count); and crash's name search (symbol_search) over the same table. Built once per
/// session from <see cref="IKernelTarget.SymbolsByAddress"/> (crash's table, in its order): one
/// pass for the bounds; name searches go to the target's own index (IKernelTarget.LookupSymbols).
/// </summary>
sealed class KernelSymbolBounds
{
    readonly IKernelTarget _target;
    readonly ulong _lowest;
    readonly ulong _highest;
    // Module ranges are read on first need: the module list costs a DWARF index.
    readonly Lazy<(ulong Start, ulong End)[]> _modules;

    public KernelSymbolBounds(IKernelTarget target)
    {
        _target = target;
        KernelSpaceStart = KernelSpaceStartFor(target.Summary.PagingLevels);
        _lowest = ulong.MaxValue;
        _highest = 0;
        foreach (var s in target.SymbolsByAddress)
        {
            if (s.Address < KernelSpaceStart) continue;
            _lowest = Math.Min(_lowest, s.Address);
            _highest = Math.Max(_highest, s.Address);
        }
        _modules = new Lazy<(ulong Start, ulong End)[]>(() => ModuleRanges(target));
    }

    static (ulong Start, ulong End)[] ModuleRanges(IKernelTarget target)
    {
        var modules = new Dictionary<string, (ulong Start, ulong End)>(StringComparer.Ordinal);
        foreach (var s in target.ModuleSymbolsByAddress)
        {
            var m = s.Module ?? "";
            var end = s.Address + Math.Max(s.Size, 1);
            modules[m] = modules.TryGetValue(m, out var r) ? (Math.Min(r.Start, s.Address), Math.Max(r.End, end)) : (s.Address, end);
        }
        return modules.Values.ToArray();
    }

    /// <summary>
    /// First kernel virtual address: the bottom of the upper canonical half, 0xffff800000000000
    /// with 4-level paging, 0xff00000000000000 with 5-level (Documentation/x86/x86_64/mm.rst).
    /// Below it crash treats an address as a user address (UVADDR).
    /// </summary>
    public ulong KernelSpaceStart { get; }

    public static ulong KernelSpaceStartFor(int pagingLevels) =>
        pagingLevels >= 5 ? 0xff00_0000_0000_0000UL : 0xffff_8000_0000_0000UL;

    public bool IsKernelAddress(ulong address) => address >= KernelSpaceStart;

    /// <summary>crash's in_ksymbol_range().</summary>
    public bool InSymbolRange(ulong value)
    {
        if (value >= _lowest && value <= _highest) return true;
        // Only values above the kernel image can be module addresses (MODULES_VADDR follows it).
        if (value <= _highest) return false;
        foreach (var (start, end) in _modules.Value)
        {
            if (value >= start && value < end) return true;
        }
        return false;
    }

    /// <summary>
    /// crash's symbol_search() and symbol_search_next(): every symbol named exactly
    /// <paramref name="name"/>, in table order (the first is the one crash uses for an address
    /// argument; <c>sym NAME</c> prints them all). Names are crash's: "foo.isra.0" is found as
    /// "foo". A name the table lacks is still found when the target resolves it to a module
    /// symbol (module symbols need not be in the table). Empty when none.
    /// </summary>
    public IReadOnlyList<KernelSymbol> LookupAll(string name)
    {
        // The target's own name index (crash's table): no second dictionary over every symbol here.
        var found = _target.LookupSymbols(name);
        if (found.Count > 0) return found;
        return _target.TryLookupSymbol(name, out var symbol) && symbol.Module is not null ? [symbol] : [];
    }

    /// <summary>
    /// crash's value_to_symstr() with decimal offsets: "name" or "name+off" for a value in symbol
    /// range, false otherwise.
    /// </summary>
    public bool TryFormatSymbol(ulong value, out string text)
    {
        if (InSymbolRange(value) && _target.TryFindSymbol(value, out var symbol, out var offset))
        {
            text = offset == 0 ? symbol.Name : $"{symbol.Name}+{offset}";
            return true;
        }
        text = "";
        return false;
    }
}
