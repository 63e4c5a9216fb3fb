namespace KdumpDebug.Target.Disassembly;

/// <summary>
/// The code range of the function that holds an address, as crash's <c>dis</c> bounds a routine:
/// a vmlinux symbol from its address for its ELF size (st_size), or up to the next higher symbol
/// when the size is 0 (assembly labels); a module symbol up to the next higher symbol of the
/// module (crash does not use kallsyms sizes there, so a module routine includes its padding),
/// or the module's end. Costs two binary searches over the sorted symbol tables.
/// </summary>
/// <param name="Symbol">The symbol the range starts at.</param>
/// <param name="Start">First byte (the symbol's address).</param>
/// <param name="End">One past the last byte.</param>
public readonly record struct FunctionExtent(KernelSymbol Symbol, ulong Start, ulong End)
{
    /// <summary>Largest routine accepted; a bigger extent means a missing next symbol, so it is cut here.</summary>
    public const ulong MaxFunctionBytes = 1 << 20;

    /// <summary>The extent of the symbol holding <paramref name="address"/>; false when no symbol does.</summary>
    public static bool TryFind(IKernelTarget target, ulong address, out FunctionExtent extent)
    {
        extent = default;
        if (!target.TryFindSymbol(address, out var symbol, out _)) return false;
        var start = symbol.Address;
        ulong end;
        if (symbol.Module is null)
        {
            end = symbol.Size > 0 ? start + symbol.Size : NextAddress(target.SymbolsByAddress, start) ?? start + 1;
            // An address past a sized symbol's end (padding before the next one) still belongs to it for crash.
            if (address >= end) end = NextAddress(target.SymbolsByAddress, start) ?? address + 1;
        }
        else
        {
            var module = target.ModuleSymbolsByAddress.Where(s => s.Module == symbol.Module).ToList();
            end = NextAddress(module, start) ?? start + 1;
        }
        if (end <= start || end - start > MaxFunctionBytes) end = start + Math.Min(MaxFunctionBytes, Math.Max(1, end - start));
        extent = new FunctionExtent(symbol, start, end);
        return true;
    }

    /// <summary>The first symbol address above <paramref name="address"/> in a list sorted by address.</summary>
    static ulong? NextAddress(IReadOnlyList<KernelSymbol> sorted, ulong address)
    {
        int lo = 0, hi = sorted.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid].Address <= address) lo = mid + 1; else hi = mid;
        }
        return lo < sorted.Count ? sorted[lo].Address : null;
    }
}
