using KdumpDebug.Target;

namespace KdumpDebug.Kernel;

/// <summary>
/// A code address as the kernel prints it in an oops (lib/vsprintf.c <c>%pS</c>/<c>%pB</c> through
/// kernel/kallsyms.c sprint_symbol): <c>function+0xoff/0xsize [module]</c>, where the size is
/// kallsyms' idea of it, the distance to the next symbol with a higher address
/// (get_symbol_pos for the vmlinux, find_kallsyms_symbol for a module), not the ELF st_size:
/// a function padded to 16 bytes prints its padded size. An address no symbol covers prints as
/// <c>0x...</c>. Cost: a binary search in the target's sorted symbol list.
/// </summary>
public static class KallsymsAddress
{
    /// <summary>"function+0xoff/0xsize [module]" for <paramref name="symbol"/> at <paramref name="offset"/>, or "0xPC".</summary>
    public static string Format(IKernelTarget target, KernelSymbol? symbol, ulong offset, ulong pc)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (symbol is not KernelSymbol s) return $"0x{pc:x}";
        return $"{s.Name}+0x{offset:x}/0x{Size(target, s):x}{(s.Module is string m ? $" [{m}]" : "")}";
    }

    /// <summary>
    /// kallsyms' size of <paramref name="symbol"/>: the next higher symbol address (of the same
    /// module for a module symbol) minus its own; the ELF size when no symbol follows.
    /// </summary>
    public static ulong Size(IKernelTarget target, KernelSymbol symbol)
    {
        ArgumentNullException.ThrowIfNull(target);
        var list = symbol.Module is null ? target.SymbolsByAddress : target.ModuleSymbolsByAddress;
        int lo = 0, hi = list.Count;
        // First index whose address is above the symbol's (the list is sorted by address).
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (list[mid].Address <= symbol.Address) lo = mid + 1;
            else hi = mid;
        }
        // kallsyms names text and data alike; a non-code neighbour still bounds the function.
        return lo < list.Count && list[lo].Module == symbol.Module ? list[lo].Address - symbol.Address : symbol.Size;
    }
}
