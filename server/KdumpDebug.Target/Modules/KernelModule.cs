using KdumpDebug.Debuginfo.Elf;
using KdumpDebug.Debuginfo.Lines;

namespace KdumpDebug.Target.Modules;

/// <summary>
/// A loaded kernel module as the crashed kernel recorded it (<c>struct module</c>): name, where
/// its core text/data lives, and its symbols from the module's own kallsyms in memory. When a
/// debug file (.ko with DWARF) was found, <see cref="DebugFile"/> and <see cref="Lines"/> are set.
/// </summary>
public sealed class KernelModule
{
    public KernelModule(string name, ulong structAddress, ulong baseAddress, ulong size, IReadOnlyList<KernelSymbol> symbols)
    {
        Name = name;
        StructAddress = structAddress;
        BaseAddress = baseAddress;
        Size = size;
        Symbols = symbols;
    }

    public string Name { get; }

    /// <summary>Address of the <c>struct module</c> (crash's MODULE column).</summary>
    public ulong StructAddress { get; }

    /// <summary>Start of the module's core allocation (crash's BASE column).</summary>
    public ulong BaseAddress { get; }

    public ulong Size { get; }

    /// <summary>Symbols from kallsyms, sorted by address.</summary>
    public IReadOnlyList<KernelSymbol> Symbols { get; }

    /// <summary>The module's debug file, when one was loaded.</summary>
    public ElfFile? DebugFile { get; internal set; }

    /// <summary>Line table of the debug file, placed at the module's section addresses.</summary>
    public LineTable? Lines { get; internal set; }

    /// <summary>Run-time address of each debug-file section the module placed (by section index).</summary>
    public IReadOnlyDictionary<int, ulong>? SectionAddresses { get; internal set; }

    public bool Contains(ulong address) => address >= BaseAddress && address - BaseAddress < Size;
}
