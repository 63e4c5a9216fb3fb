namespace KdumpDebug.Target;

/// <summary>
/// A crashed kernel opened for reading: virtual and physical memory, symbols at their run-time
/// addresses, source lines. What commands and front ends see; <see cref="KernelTarget"/> is the
/// real implementation over a vmcore and a vmlinux. Thread-safe for reads.
/// </summary>
public interface IKernelTarget
{
    TargetSummary Summary { get; }

    /// <summary>
    /// Reads kernel virtual memory. Throws FaultException for an unmapped address and
    /// PageExcludedException (with the virtual address) for a page makedumpfile filtered.
    /// </summary>
    void ReadVirtual(ulong address, Span<byte> buffer);

    /// <summary>Reads physical memory (crash's `rd -p`).</summary>
    void ReadPhysical(ulong address, Span<byte> buffer);

    /// <summary>Virtual to physical through the kernel page tables (direct map and kernel text shortcuts included).</summary>
    bool TryTranslate(ulong virtualAddress, out ulong physicalAddress);

    /// <summary>
    /// Every kernel symbol named exactly <paramref name="name"/>, in crash's table order (crash's
    /// symbol_search/symbol_search_next; clone suffixes stripped as crash does), relocated; empty
    /// when none. Module symbols are not included.
    /// </summary>
    IReadOnlyList<KernelSymbol> LookupSymbols(string name);

    /// <summary>A symbol by exact name, relocated.</summary>
    bool TryLookupSymbol(string name, out KernelSymbol symbol);

    /// <summary>
    /// <see cref="TryLookupSymbol"/> in the kernel's own symbols only: never walks the module list
    /// (which reads every module's symbol table from the dump on first use).
    /// </summary>
    bool TryLookupKernelSymbol(string name, out KernelSymbol symbol) => TryLookupSymbol(name, out symbol);

    /// <summary>The symbol crash would name for an address (symbol+offset), relocated.</summary>
    bool TryFindSymbol(ulong address, out KernelSymbol symbol, out ulong offset);

    /// <summary>All symbols sorted by run-time address (crash's `sym -l`).</summary>
    IReadOnlyList<KernelSymbol> SymbolsByAddress { get; }

    /// <summary>
    /// The loaded modules' symbols (kallsyms in the dump), module by module in address order,
    /// each with <see cref="KernelSymbol.Module"/> set. Reading them walks the module list with
    /// DWARF layouts, so callers touch this only when a kernel symbol does not answer.
    /// </summary>
    IReadOnlyList<KernelSymbol> ModuleSymbolsByAddress { get; }

    /// <summary>Source file and line of a run-time address, paths as crash prints them ("./drivers/tty/sysrq.c").</summary>
    bool TryFindSourceLine(ulong address, out string file, out int line);
}
