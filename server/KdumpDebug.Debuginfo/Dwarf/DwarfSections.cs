using KdumpDebug.Debuginfo.Elf;

namespace KdumpDebug.Debuginfo.Dwarf;

/// <summary>
/// The DWARF sections of one ELF file, each fetched on first use: a view of the mapping for a
/// plain section (no copy), the inflated bytes for an SHF_COMPRESSED one, or, in a relocatable
/// file (a kernel module, ET_REL), a relocated copy (<see cref="ElfFile.GetRelocatedSectionBytes"/>).
/// Absent sections are empty. Thread-safe.
/// </summary>
public sealed class DwarfSections
{
    readonly Lazy<ReadOnlyMemory<byte>> _info, _abbrev, _str, _lineStr, _strOffsets, _addr, _rngLists, _ranges,
        _locLists, _loc, _types, _line;

    /// <summary>The file the sections come from (for error messages).</summary>
    public string Path { get; }

    /// <summary><c>.debug_info</c>: unit headers and DIEs.</summary>
    public ReadOnlySpan<byte> Info => _info.Value.Span;
    /// <summary><c>.debug_abbrev</c>: abbreviation tables.</summary>
    public ReadOnlySpan<byte> Abbrev => _abbrev.Value.Span;
    /// <summary><c>.debug_str</c>: strings for DW_FORM_strp and DW_FORM_strx*.</summary>
    public ReadOnlySpan<byte> Str => _str.Value.Span;
    /// <summary><c>.debug_line_str</c>: strings for DW_FORM_line_strp.</summary>
    public ReadOnlySpan<byte> LineStr => _lineStr.Value.Span;
    /// <summary><c>.debug_str_offsets</c>: the string offset tables of DW_FORM_strx*.</summary>
    public ReadOnlySpan<byte> StrOffsets => _strOffsets.Value.Span;
    /// <summary><c>.debug_addr</c>: the address tables of DW_FORM_addrx* and DW_OP_addrx.</summary>
    public ReadOnlySpan<byte> Addr => _addr.Value.Span;
    /// <summary><c>.debug_rnglists</c> (DWARF 5 range lists).</summary>
    public ReadOnlySpan<byte> RngLists => _rngLists.Value.Span;
    /// <summary><c>.debug_ranges</c> (DWARF 2-4 range lists).</summary>
    public ReadOnlySpan<byte> Ranges => _ranges.Value.Span;
    /// <summary><c>.debug_loclists</c> (DWARF 5 location lists).</summary>
    public ReadOnlySpan<byte> LocLists => _locLists.Value.Span;
    /// <summary><c>.debug_loc</c> (DWARF 2-4 location lists).</summary>
    public ReadOnlySpan<byte> Loc => _loc.Value.Span;
    /// <summary><c>.debug_types</c> (DWARF 4 type units).</summary>
    public ReadOnlySpan<byte> Types => _types.Value.Span;
    /// <summary><c>.debug_line</c> (line programs; the file names behind DW_AT_decl_file).</summary>
    public ReadOnlySpan<byte> Line => _line.Value.Span;

    /// <summary>The same bytes as memory (for readers that keep them, e.g. the line-header parser).</summary>
    internal ReadOnlyMemory<byte> LineMemory => _line.Value;
    internal ReadOnlyMemory<byte> LineStrMemory => _lineStr.Value;
    internal ReadOnlyMemory<byte> StrMemory => _str.Value;
    internal ReadOnlyMemory<byte> InfoMemory => _info.Value;
    internal ReadOnlyMemory<byte> LocListsMemory => _locLists.Value;
    internal ReadOnlyMemory<byte> LocMemory => _loc.Value;

    /// <summary>
    /// Where <c>.debug_info</c> lies in <see cref="Path"/> when it is stored there as is (not
    /// compressed, not relocated): the name index then reads it with positioned reads into a small
    /// buffer instead of faulting the whole mapping in, which keeps the process's resident memory
    /// low (the pages stay in the page cache either way). Null otherwise.
    /// </summary>
    internal (ulong FileOffset, int Length)? InfoInFile { get; }

    /// <summary>True when the file has a non-empty <c>.debug_info</c>.</summary>
    public bool HasInfo { get; }

    DwarfSections(string path, Func<string, ReadOnlyMemory<byte>> get,
        (ulong, int)? infoInFile, bool hasInfo)
    {
        Path = path;
        Lazy<ReadOnlyMemory<byte>> L(string name) => new(() => get(name), LazyThreadSafetyMode.ExecutionAndPublication);
        _info = L(".debug_info");
        _abbrev = L(".debug_abbrev");
        _str = L(".debug_str");
        _lineStr = L(".debug_line_str");
        _strOffsets = L(".debug_str_offsets");
        _addr = L(".debug_addr");
        _rngLists = L(".debug_rnglists");
        _ranges = L(".debug_ranges");
        _locLists = L(".debug_loclists");
        _loc = L(".debug_loc");
        _types = L(".debug_types");
        _line = L(".debug_line");
        InfoInFile = infoInFile;
        HasInfo = hasInfo;
    }

    /// <summary>
    /// The DWARF sections of <paramref name="elf"/>. For a relocatable file, relocations are applied
    /// with each section placed at <paramref name="sectionAddress"/>(section) (default: its
    /// <c>sh_addr</c>, 0 in a module). Cost: section-table lookups only; bytes are fetched on first use.
    /// </summary>
    public static DwarfSections FromElf(ElfFile elf, Func<ElfSection, ulong>? sectionAddress = null)
    {
        ArgumentNullException.ThrowIfNull(elf);
        var relocatable = elf.Type == ElfFileType.Relocatable;
        ReadOnlyMemory<byte> Get(string name)
        {
            if (!elf.TryGetSection(name, out var section) || section.IsNoBits) return ReadOnlyMemory<byte>.Empty;
            return relocatable ? elf.GetRelocatedSectionBytes(section, sectionAddress) : elf.GetSectionBytes(section);
        }
        (ulong, int)? infoInFile = null;
        var hasInfo = false;
        if (elf.TryGetSection(".debug_info", out var info) && !info.IsNoBits && info.Size > 0)
        {
            hasInfo = true;
            if (!info.IsCompressed && !relocatable && info.Size <= int.MaxValue) infoInFile = (info.FileOffset, (int)info.Size);
        }
        return new DwarfSections(elf.Path, Get, infoInFile, hasInfo);
    }

    /// <summary>
    /// Sections given as bytes (tests, or debug info that does not come from an ELF file);
    /// missing names are empty.
    /// </summary>
    public static DwarfSections FromBytes(string path, IReadOnlyDictionary<string, byte[]> sections)
    {
        ArgumentNullException.ThrowIfNull(sections);
        ReadOnlyMemory<byte> Get(string name) => sections.TryGetValue(name, out var b) ? b : ReadOnlyMemory<byte>.Empty;
        var hasInfo = sections.TryGetValue(".debug_info", out var info) && info.Length > 0;
        return new DwarfSections(path, Get, null, hasInfo);
    }
}
