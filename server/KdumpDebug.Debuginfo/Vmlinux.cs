using System.Text;
using KdumpDebug.Debuginfo.Dwarf;
using KdumpDebug.Debuginfo.Dwarf.Index;
using KdumpDebug.Debuginfo.Elf;
using KdumpDebug.Debuginfo.Lines;
using KdumpDebug.Debuginfo.Symbols;
using KdumpDebug.Debuginfo.Types;

namespace KdumpDebug.Debuginfo;

/// <summary>
/// The kernel image with its debug information: a vmlinux (plain, or .xz/.zst/.gz unpacked once
/// through <see cref="DebugFileCache"/>), memory-mapped, with its symbol table, line table and
/// identity (build-id, banner, release).
/// <para>
/// Opening maps the file and reads the ELF headers only (milliseconds whatever its size, once
/// unpacked). <see cref="Symbols"/> and <see cref="Lines"/> are built on first use (tens of
/// milliseconds for the fixture's 44,000 symbols) and cached; all members are thread-safe.
/// </para>
/// </summary>
public sealed class Vmlinux : IDisposable
{
    readonly Lazy<SymbolTable> _symbols;
    readonly Lazy<LineTable?> _lines;
    readonly Lazy<string?> _banner;
    readonly Lazy<DwarfInfo?> _dwarf;
    readonly Lazy<TypeSystem> _types;
    readonly Lazy<UnitAddressIndex?> _unitsByAddress;

    /// <summary>The path as given to <see cref="Open"/>.</summary>
    public string OriginalPath { get; }

    /// <summary>The uncompressed file actually mapped (<see cref="OriginalPath"/> itself when it was not compressed).</summary>
    public string PlainPath { get; }

    /// <summary>The mapped ELF file.</summary>
    public ElfFile Elf { get; }

    /// <summary>The symbol table (built on first use).</summary>
    public SymbolTable Symbols => _symbols.Value;

    /// <summary>True once <see cref="Symbols"/> is built; before that, one name is cheaper through <see cref="SymbolNameScan"/>.</summary>
    public bool SymbolsBuilt => _symbols.IsValueCreated;

    /// <summary>The line table, or null without <c>.debug_line</c> (created on first use; indexed on first lookup).</summary>
    public LineTable? Lines => _lines.Value;

    /// <summary>Lower-case hex NT_GNU_BUILD_ID, or null.</summary>
    public string? BuildId => Elf.BuildId;

    /// <summary>
    /// The contents of the kernel's <c>linux_banner</c> string as stored in the file (up to its NUL,
    /// trailing newline included): "Linux version RELEASE (BUILDER) (COMPILER) #N ...\n". Null when
    /// the symbol is absent or does not point into the file's contents.
    /// </summary>
    public string? LinuxBanner => _banner.Value;

    /// <summary>The kernel release, the word after "Linux version " in <see cref="LinuxBanner"/>, e.g. "6.1.192-fixture".</summary>
    public string? Release
    {
        get
        {
            const string prefix = "Linux version ";
            var banner = LinuxBanner;
            if (banner is null || !banner.StartsWith(prefix, StringComparison.Ordinal)) return null;
            var rest = banner.AsSpan(prefix.Length);
            var end = rest.IndexOfAny(' ', '\n', '\t');
            var release = (end < 0 ? rest : rest[..end]).ToString();
            return release.Length == 0 ? null : release;
        }
    }

    Vmlinux(string originalPath, string plainPath, ElfFile elf)
    {
        OriginalPath = originalPath;
        PlainPath = plainPath;
        Elf = elf;
        _symbols = new Lazy<SymbolTable>(() => SymbolTable.FromElf(Elf), LazyThreadSafetyMode.ExecutionAndPublication);
        _lines = new Lazy<LineTable?>(() => LineTable.FromElf(Elf), LazyThreadSafetyMode.ExecutionAndPublication);
        _banner = new Lazy<string?>(ReadBanner, LazyThreadSafetyMode.ExecutionAndPublication);
        _dwarf = new Lazy<DwarfInfo?>(() => DwarfInfo.FromElf(Elf), LazyThreadSafetyMode.ExecutionAndPublication);
        _types = new Lazy<TypeSystem>(CreateTypes, LazyThreadSafetyMode.ExecutionAndPublication);
        _unitsByAddress = new Lazy<UnitAddressIndex?>(() => Dwarf is { } d ? UnitAddressIndex.FromElf(Elf, d) : null,
            LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>
    /// The DWARF debug information, or null when the file has none (a stripped vmlinux). Created on
    /// first use: reads the unit headers only (milliseconds).
    /// </summary>
    public DwarfInfo? Dwarf => _dwarf.Value;

    /// <summary>Which unit holds a code address, from .debug_aranges (null without DWARF); built on first use.</summary>
    public UnitAddressIndex? UnitsByAddress => _unitsByAddress.Value;

    /// <summary>
    /// Types, global variables and functions from the DWARF (<see cref="TypeSystem"/>), created on
    /// first use: the name index is loaded from <c>CACHE/BUILD-ID/dwarf-index.bin</c>
    /// (<see cref="DebugFileCache.DefaultCacheDirectory"/>) when a previous run saved it, else built
    /// (one parallel pass over .debug_info: ~0.3 s for a distribution kernel on 2 cores) and saved
    /// there; <c>KDUMPDEBUG_INDEX_CACHE=0</c> turns the cache off. Without DWARF, every lookup
    /// throws one <see cref="NoDebugInfoException"/>.
    /// </summary>
    public TypeSystem Types => _types.Value;

    TypeSystem CreateTypes()
    {
        var dwarf = Dwarf;
        if (dwarf is null) return TypeSystem.WithoutDebugInfo(OriginalPath);
        var useCache = Environment.GetEnvironmentVariable("KDUMPDEBUG_INDEX_CACHE") != "0" && BuildId is not null;
        var cacheFile = useCache ? System.IO.Path.Combine(DebugFileCache.DefaultCacheDirectory, BuildId!, "dwarf-index.bin") : null;
        var index = DwarfNameIndex.LoadOrBuild(dwarf, BuildId, cacheFile, out _);
        return TypeSystem.FromDwarf(dwarf, index);
    }

    /// <summary>
    /// Opens <paramref name="path"/> (plain or compressed; compressed files are unpacked once into
    /// <paramref name="cacheDirectory"/>, default <see cref="DebugFileCache.DefaultCacheDirectory"/>).
    /// </summary>
    /// <exception cref="KdumpDebug.Core.Errors.KdumpDebugException">missing file, unusable cache.</exception>
    /// <exception cref="KdumpDebug.Core.Errors.DumpFormatException">not an ELF file, or a corrupt one.</exception>
    public static Vmlinux Open(string path, string? cacheDirectory = null)
    {
        var plain = DebugFileCache.Materialize(path, cacheDirectory);
        var elf = ElfFile.Open(plain);
        return new Vmlinux(path, plain, elf);
    }

    string? ReadBanner()
    {
        if (!Symbols.TryLookup("linux_banner", out var symbol)) return null;
        if (!Elf.TryFindSectionByAddress(symbol.Address, out var section) || section.IsNoBits || section.IsCompressed) return null;
        // The banner is short (~200 bytes); read at most 4 KiB or to the end of the section.
        var offsetInSection = symbol.Address - section.Address;
        var max = (int)Math.Min(4096UL, section.Size - offsetInSection);
        if (!Elf.TryReadFileBytes(section.FileOffset + offsetInSection, max, out var bytes)) return null;
        var end = bytes.IndexOf((byte)0);
        if (end < 0) return null;
        return Encoding.UTF8.GetString(bytes[..end]);
    }

    /// <summary>Unmaps the file; memory obtained from <see cref="Elf"/> is invalid afterwards.</summary>
    public void Dispose() => Elf.Dispose();
}
