using KdumpDebug.Debuginfo.Elf;

namespace KdumpDebug.Debuginfo.Lines;

/// <summary>
/// Address-to-source-line lookups from <c>.debug_line</c> (DWARF 2-5), answering what crash's
/// <c>sym</c>, <c>bt -l</c> and <c>dis -l</c> print (gdb 10's <c>find_pc_line</c>).
/// <para>
/// Design: creating the table costs nothing. The first lookup runs every line program once
/// without keeping rows, recording only its sequences (start, end, unit, offset of the sequence's
/// first opcode), and sorts them by address; sequences that start at address 0 are dropped (in
/// vmlinux they are functions the linker discarded). A lookup binary-searches the sequences, then
/// the rows of the one holding the address; those rows are decoded again from the sequence's
/// first opcode on first use and cached, so memory grows with the code actually looked at, not
/// with the size of <c>.debug_line</c> (7 MB in the fixture vmlinux, 60 MB in a distribution one).
/// </para>
/// <para>
/// Shortcut: when <c>.debug_aranges</c> names the one unit holding an address, only that unit's
/// line program is indexed (its DW_AT_stmt_list read from the unit's first DIE), so the first
/// <c>sym</c> or <c>bt -l</c> on a distribution kernel costs one program, not all 3,000. Addresses
/// outside every unit's ranges (or claimed by two) use the whole-section index, which gives the
/// same answers (<see cref="TryFindLineByFullIndex"/>).
/// </para>
/// <para>Addresses are link-time (unrelocated): subtract the KASLR offset first. Thread-safe.</para>
/// </summary>
public sealed class LineTable
{
    readonly ElfFile _elf;
    readonly ElfSection _lineSection;
    readonly Func<ElfSection, ulong>? _sectionAddress;
    readonly Lazy<LineIndex> _index;
    readonly Lazy<AddressRanges?> _ranges;
    readonly Lazy<LineStrings> _strings;
    // Per unit (.debug_info offset): its line program's index, or null when it has none.
    readonly System.Collections.Concurrent.ConcurrentDictionary<ulong, LineIndex?> _unitPrograms = new();
    // Per line-program offset (DW_AT_stmt_list): the program's own index, for FilePath.
    readonly System.Collections.Concurrent.ConcurrentDictionary<ulong, LineIndex?> _programs = new();

    LineTable(ElfFile elf, ElfSection lineSection, Func<ElfSection, ulong>? sectionAddress)
    {
        _elf = elf;
        _lineSection = lineSection;
        _sectionAddress = sectionAddress;
        _index = new Lazy<LineIndex>(BuildIndex, LazyThreadSafetyMode.ExecutionAndPublication);
        _ranges = new Lazy<AddressRanges?>(BuildRanges, LazyThreadSafetyMode.ExecutionAndPublication);
        _strings = new Lazy<LineStrings>(() => new LineStrings(_elf.Path,
            _elf.TryGetSection(".debug_line_str", out var ls) ? _elf.GetSectionBytes(ls) : ReadOnlyMemory<byte>.Empty,
            _elf.TryGetSection(".debug_str", out var ds) ? _elf.GetSectionBytes(ds) : ReadOnlyMemory<byte>.Empty),
            LazyThreadSafetyMode.ExecutionAndPublication);
    }

    AddressRanges? BuildRanges()
    {
        if (!_elf.TryGetSection(".debug_aranges", out var section) || section.IsNoBits) return null;
        var data = _elf.Type == ElfFileType.Relocatable
            ? _elf.GetRelocatedSectionBytes(section, _sectionAddress)
            : _elf.GetSectionBytes(section);
        return AddressRanges.FromDebugAranges(_elf.Path, section.Name, data.Span, skipZero: _elf.Type != ElfFileType.Relocatable);
    }

    /// <summary>The line table of <paramref name="elf"/>, or null when it has no <c>.debug_line</c>. Cost: a section lookup.</summary>
    public static LineTable? FromElf(ElfFile elf) => FromElf(elf, null);

    /// <summary>
    /// Like <see cref="FromElf(ElfFile)"/>; for a relocatable file (a kernel module) the
    /// relocations of <c>.debug_line</c> are applied with each section placed at
    /// <paramref name="sectionAddress"/>(section) (default: its <c>sh_addr</c>, 0 in a module, so
    /// addresses are offsets in their section), e.g. at the addresses the kernel loaded it.
    /// </summary>
    public static LineTable? FromElf(ElfFile elf, Func<ElfSection, ulong>? sectionAddress)
    {
        ArgumentNullException.ThrowIfNull(elf);
        return elf.TryGetSection(".debug_line", out var section) && !section.IsNoBits
            ? new LineTable(elf, section, sectionAddress)
            : null;
    }

    /// <summary>True once the whole-section index is built (what lookups have cost so far).</summary>
    public bool FullIndexBuilt => _index.IsValueCreated;

    /// <summary>Number of sequences indexed (builds the index).</summary>
    public int SequenceCount => _index.Value.Sequences.Length;

    /// <summary>
    /// The source line crash (gdb 10) reports for <paramref name="address"/>: from the sequence
    /// holding it, the row with the highest address at or below it, chosen among rows at one
    /// address as gdb does (see <c>SequenceLines</c>). False when no sequence holds the address,
    /// when it is outside every unit's <c>.debug_aranges</c> ranges, or when it falls in a range
    /// the table marks as having no line (line 0).
    /// </summary>
    /// <exception cref="KdumpDebug.Core.Errors.DumpFormatException">.debug_line is corrupt (on first use).</exception>
    public bool TryFindLine(ulong address, out SourceLine line)
    {
        if (_ranges.Value is { } ranges && ranges.TryFindUnit(address, out var unit) && UnitProgram(unit) is { } program)
        {
            var sequence = program.FindSequence(address);
            if (sequence >= 0) return Lookup(program, sequence, address, out line);
        }
        return TryFindLineByFullIndex(address, out line);
    }

    /// <summary>
    /// <see cref="TryFindLine"/> through the index of every line program (built on first use: a
    /// pass over the whole <c>.debug_line</c>), never through one unit's program. The reference the
    /// shortcut is checked against, and the way for addresses no unit range names.
    /// </summary>
    public bool TryFindLineByFullIndex(ulong address, out SourceLine line)
    {
        line = default;
        var index = _index.Value;
        var sequence = index.FindSequence(address);
        if (sequence < 0) return false;
        // gdb finds a line only for an address inside a compilation unit's ranges: padding between
        // two functions placed in their own sections (e.g. .noinstr.text) is in the line program
        // but in no unit's ranges, and crash prints no line there.
        if (_ranges.Value is { } ranges && ranges.Contains(index.Sequences[sequence].Start) && !ranges.Contains(address))
            return false;
        return Lookup(index, sequence, address, out line);
    }

    static bool Lookup(LineIndex index, int sequence, ulong address, out SourceLine line)
    {
        line = default;
        if (!index.Lines(sequence).TryFind(address, out var file, out var entry)) return false;
        line = new SourceLine(file, (int)Math.Min(entry.Line, int.MaxValue), (int)Math.Min(entry.Column, int.MaxValue));
        return true;
    }

    /// <summary>The line program of the unit at <paramref name="unitOffset"/> in .debug_info, indexed alone (cached).</summary>
    LineIndex? UnitProgram(ulong unitOffset) => _unitPrograms.GetOrAdd(unitOffset, offset =>
    {
        if (!_elf.TryGetSection(".debug_info", out var info) || !_elf.TryGetSection(".debug_abbrev", out var abbrev)
            || offset >= info.Size)
            return null;
        ReadOnlyMemory<byte> Bytes(string name) =>
            _elf.TryGetSection(name, out var s) ? _elf.GetSectionBytes(s) : ReadOnlyMemory<byte>.Empty;
        var infoBytes = _elf.Type == ElfFileType.Relocatable ? _elf.GetRelocatedSectionBytes(info, _sectionAddress) : _elf.GetSectionBytes(info);
        var (stmtList, compDir) = CompilationDirectories.ReadUnitRoot(_elf.Path, infoBytes.Span, _elf.GetSectionBytes(abbrev).Span,
            Bytes(".debug_str").Span, Bytes(".debug_line_str").Span, (int)offset, out _);
        if (stmtList is not ulong programOffset || Program(programOffset, compDir) is not { } program) return null;
        // FilePath may have indexed this program first, without the unit's directory.
        var header = program.Units[0];
        if (header.Version < 5 && header.CompilationDirectory is null && compDir is not null) header.CompilationDirectory = compDir;
        return program;
    });

    LineIndex? Program(ulong programOffset, string? compDir) => _programs.GetOrAdd(programOffset, offset =>
    {
        var data = LineData();
        if (offset >= (ulong)data.Length) return null;
        return LineIndex.BuildOne(_elf.Path, _lineSection.Name, data, _strings.Value,
            skipZeroSequences: _elf.Type != ElfFileType.Relocatable, (int)offset, compDir);
    });

    ReadOnlyMemory<byte> LineData() => _elf.Type == ElfFileType.Relocatable
        ? _elf.GetRelocatedSectionBytes(_lineSection, _sectionAddress)
        : _elf.GetSectionBytes(_lineSection);

    /// <summary>
    /// The path of file <paramref name="fileIndex"/> of the line program at
    /// <paramref name="lineProgramOffset"/> (a unit's DW_AT_stmt_list), printed as
    /// <see cref="TryFindLine"/> prints paths; for DW_AT_decl_file and DW_AT_call_file. Null when
    /// no program starts there or the index is not in its file table. Cost: a binary search once
    /// the index is built.
    /// </summary>
    public string? FilePath(ulong lineProgramOffset, uint fileIndex)
    {
        // A DWARF 5 program names its own directory: no need to index every program for it.
        if (!_index.IsValueCreated)
        {
            try
            {
                if (Program(lineProgramOffset, null) is { } one && one.Units[0].Version >= 5) return one.Units[0].FilePath(fileIndex);
            }
            catch (Core.Errors.DumpFormatException)
            {
                // Not the start of a program: the full index answers (null).
            }
        }
        var units = _index.Value.Units;
        int lo = 0, hi = units.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var offset = (ulong)units[mid].UnitOffset;
            if (offset == lineProgramOffset) return units[mid].FilePath(fileIndex);
            if (offset < lineProgramOffset) lo = mid + 1; else hi = mid - 1;
        }
        return null;
    }

    LineIndex BuildIndex() =>
        LineIndex.Build(_elf.Path, _lineSection.Name, LineData(), _strings.Value,
            skipZeroSequences: _elf.Type != ElfFileType.Relocatable, ReadCompilationDirectories);

    Dictionary<ulong, string> ReadCompilationDirectories()
    {
        if (!_elf.TryGetSection(".debug_info", out var info) || !_elf.TryGetSection(".debug_abbrev", out var abbrev))
            return [];
        ReadOnlyMemory<byte> Bytes(string name) =>
            _elf.TryGetSection(name, out var s) ? _elf.GetSectionBytes(s) : ReadOnlyMemory<byte>.Empty;
        // In a relocatable file DW_AT_stmt_list and DW_FORM_strp values are relocations.
        var infoBytes = _elf.Type == ElfFileType.Relocatable ? _elf.GetRelocatedSectionBytes(info, _sectionAddress) : _elf.GetSectionBytes(info);
        return CompilationDirectories.Read(_elf.Path, infoBytes.Span, _elf.GetSectionBytes(abbrev).Span,
            Bytes(".debug_str").Span, Bytes(".debug_line_str").Span);
    }
}
