using KdumpDebug.Target;

namespace KdumpDebug.Commands.Parsing;

/// <summary>
/// Which values look like kernel symbol addresses, as crash's <c>in_ksymbol_range()</c> decides
/// before printing a value symbolically (rd -s) or translating it (sym ADDR): from the lowest to
/// the highest kernel-space symbol of the vmlinux, or inside a module's symbols. Per-CPU offsets
/// and absolute symbols below kernel space do not count. Built once per session from
/// <see cref="IKernelTarget.SymbolsByAddress"/> (one pass).
/// </summary>
sealed class KernelSymbolBounds
{
    readonly IKernelTarget _target;
    readonly ulong _lowest;
    readonly ulong _highest;
    readonly (ulong Start, ulong End)[] _modules;

    public KernelSymbolBounds(IKernelTarget target)
    {
        _target = target;
        KernelSpaceStart = KernelSpaceStartFor(target.Summary.PagingLevels);
        _lowest = ulong.MaxValue;
        _highest = 0;
        var modules = new Dictionary<string, (ulong Start, ulong End)>(StringComparer.Ordinal);
        foreach (var s in target.SymbolsByAddress)
        {
            if (s.Address < KernelSpaceStart) continue;
            if (s.Module is string m)
            {
                var end = s.Address + Math.Max(s.Size, 1);
                modules[m] = modules.TryGetValue(m, out var r) ? (Math.Min(r.Start, s.Address), Math.Max(r.End, end)) : (s.Address, end);
                continue;
            }
            _lowest = Math.Min(_lowest, s.Address);
            _highest = Math.Max(_highest, s.Address);
        }
        _modules = modules.Values.ToArray();
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
        foreach (var (start, end) in _modules)
        {
            if (value >= start && value < end) return true;
        }
        return false;
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
