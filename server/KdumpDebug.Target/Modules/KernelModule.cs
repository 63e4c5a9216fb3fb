using KdumpDebug.Debuginfo.Elf;
using KdumpDebug.Debuginfo.Lines;

namespace KdumpDebug.Target.Modules;

/// <summary>
/// A loaded kernel module as the crashed kernel recorded it (<c>struct module</c>): name, where
/// its core text/data lives, and its symbols from the module's own kallsyms in memory. When a
/// debug file (.ko with DWARF) was found, <see cref="DebugFile"/>, <see cref="Lines"/> and
/// <see cref="DebugInfo"/> are set.
/// A debug file can be attached after the target is opened (crash's <c>mod -s</c>): the attach
/// happens under <see cref="SyncRoot"/> and publishes <see cref="DebugFile"/> last, so a reader that
/// sees it also sees the section addresses and lines.
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

    /// <summary>The module's debug file, when one was loaded (set last by an attach).</summary>
    public ElfFile? DebugFile
    {
        get => Volatile.Read(ref _debugFile);
        internal set => Volatile.Write(ref _debugFile, value);
    }

    ElfFile? _debugFile;

    /// <summary>The path the debug file was loaded from, as given (crash's OBJECT FILE column); null when none is.</summary>
    public string? DebugFilePath { get; internal set; }

    /// <summary>Debug files a later attach replaced, disposed with the target (readers may still hold them).</summary>
    internal List<ElfFile> RetiredDebugFiles { get; } = [];

    /// <summary>Serialises attaching a debug file.</summary>
    internal object SyncRoot { get; } = new();

    /// <summary>Line table of the debug file, placed at the module's section addresses.</summary>
    public LineTable? Lines { get; internal set; }

    /// <summary>Run-time address of each debug-file section the module placed (by section index).</summary>
    public IReadOnlyDictionary<int, ulong>? SectionAddresses { get; internal set; }

    /// <summary>The debug file's DWARF and types at the module's run-time addresses; null without a debug file.</summary>
    public ModuleDebugInfo? DebugInfo { get; internal set; }

    public bool Contains(ulong address) => address >= BaseAddress && address - BaseAddress < Size;
}
