using System.Collections.Concurrent;
using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Elf;

namespace KdumpDebug.Debuginfo.Dwarf;

/// <summary>
/// The DWARF 2-5 debug information of one ELF file (a vmlinux or a kernel module): its units and,
/// through them, every DIE.
/// <para>
/// Design (LLVM's DWARFContext, lazily): creating it reads only the unit headers of
/// <c>.debug_info</c> and <c>.debug_types</c> (a few bytes per unit; ~3,000 units in a distribution
/// kernel). Abbreviation tables are parsed when a unit is first used and cached by offset; DIEs
/// are decoded from the section bytes each time they are read (a <see cref="Die"/> is just a unit
/// and an offset), so memory does not grow with the size of the debug info. Consumers that need
/// something repeatedly (types, the name index) cache their own results.
/// </para>
/// <para>
/// Bad input: a unit whose header is corrupt is reported in <see cref="Errors"/> and skipped (a
/// unit_length past the section ends the scan there); everything before it stays usable. Errors
/// found later, while reading one DIE, are thrown as <see cref="DumpFormatException"/> naming the
/// section and offset, and affect only that read.
/// </para>
/// <para>Thread-safe.</para>
/// </summary>
public sealed class DwarfInfo
{
    readonly DwarfUnit[] _units;
    readonly int _infoUnitCount;
    readonly ulong[] _infoUnitStarts;
    readonly ulong[] _typesUnitStarts;
    readonly ConcurrentDictionary<(ulong Offset, int AddressSize, bool Offset64, bool V2), Lazy<AbbreviationTable>> _abbrevTables = new();
    readonly Lazy<Dictionary<ulong, DwarfUnit>> _typeUnits;
    readonly List<DumpFormatException> _errors = [];

    /// <summary>The sections the information is read from.</summary>
    public DwarfSections Sections { get; }

    /// <summary>The file the information comes from.</summary>
    public string Path => Sections.Path;

    /// <summary>Every unit: those of <c>.debug_info</c> in section order, then those of <c>.debug_types</c>.</summary>
    public IReadOnlyList<DwarfUnit> Units => _units;

    /// <summary>Problems found in unit headers while scanning (each unit concerned was skipped).</summary>
    public IReadOnlyList<DumpFormatException> Errors => _errors;

    DwarfInfo(DwarfSections sections)
    {
        Sections = sections;
        var units = new List<DwarfUnit>();
        ScanUnits(units, inTypes: false);
        _infoUnitCount = units.Count;
        ScanUnits(units, inTypes: true);
        _units = [.. units];
        _infoUnitStarts = [.. _units.Take(_infoUnitCount).Select(u => u.Offset.Value)];
        _typesUnitStarts = [.. _units.Skip(_infoUnitCount).Select(u => u.Offset.Value)];
        _typeUnits = new Lazy<Dictionary<ulong, DwarfUnit>>(() =>
        {
            var map = new Dictionary<ulong, DwarfUnit>();
            foreach (var u in _units)
                if (u.UnitType is DwUt.Type or DwUt.SplitType) map.TryAdd(u.TypeSignature, u);
            return map;
        }, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>
    /// The debug information of <paramref name="elf"/>, or null when it has no <c>.debug_info</c>
    /// (a stripped vmlinux). Cost: a scan of the unit headers.
    /// </summary>
    public static DwarfInfo? FromElf(ElfFile elf, Func<ElfSection, ulong>? sectionAddress = null)
    {
        var sections = DwarfSections.FromElf(elf, sectionAddress);
        return sections.HasInfo ? new DwarfInfo(sections) : null;
    }

    /// <summary>The debug information in <paramref name="sections"/> (which must have <c>.debug_info</c>).</summary>
    public static DwarfInfo FromSections(DwarfSections sections)
    {
        ArgumentNullException.ThrowIfNull(sections);
        return new DwarfInfo(sections);
    }

    void ScanUnits(List<DwarfUnit> units, bool inTypes)
    {
        var section = inTypes ? ".debug_types" : ".debug_info";
        // Headers are read with positioned reads when the section lies plainly in the file:
        // touching one byte per unit through the mapping would make the kernel map the pages
        // around each (fault-around), i.e. most of a 160 MB section, into the process.
        var inFile = inTypes ? null : Sections.InfoInFile;
        Microsoft.Win32.SafeHandles.SafeFileHandle? file = null;
        if (inFile is not null)
        {
            try { file = File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.RandomAccess); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { file = null; }
        }
        try
        {
            var length = file is not null ? inFile!.Value.Length : (inTypes ? Sections.Types : Sections.Info).Length;
            Span<byte> buffer = stackalloc byte[MaxHeaderSize];
            var position = 0L;
            while (position < length)
            {
                var count = (int)Math.Min(MaxHeaderSize, length - position);
                scoped ReadOnlySpan<byte> header;
                if (file is not null)
                {
                    var n = RandomAccess.Read(file, buffer[..count], (long)inFile!.Value.FileOffset + position);
                    header = buffer[..n];
                }
                else header = (inTypes ? Sections.Types : Sections.Info).Slice((int)position, count);
                var next = ParseHeader(units, header, position, length, inTypes, section);
                if (next <= position) break; // the unit's length is unknown: nothing after it can be found
                position = next;
            }
        }
        finally
        {
            file?.Dispose();
        }
    }

    const int MaxHeaderSize = 48;

    /// <summary>
    /// Parses the unit header in <paramref name="header"/> (the first bytes of the unit at
    /// <paramref name="start"/>) and adds the unit; returns the offset of the next unit, or
    /// <paramref name="start"/> when the length itself is unusable. A bad header is recorded in
    /// <see cref="Errors"/>.
    /// </summary>
    long ParseHeader(List<DwarfUnit> units, ReadOnlySpan<byte> header, long start, long sectionLength, bool inTypes, string section)
    {
        DumpFormatException Bad(string problem) => new(Path, start, section, problem);
        var c = new DwarfCursor(header, 0, header.Length, Path, section);
        var next = start;
        try
        {
            if (sectionLength - start < 4) throw Bad($"{sectionLength - start} trailing bytes are too few for a unit header");
            ulong length = c.U32();
            var offset64 = false;
            if (length == 0xffffffff)
            {
                offset64 = true;
                length = c.U64();
            }
            else if (length >= 0xfffffff0)
                throw Bad($"unit_length 0x{length:x} is a reserved value");
            var headerEnd = start + c.Position;
            if (length > (ulong)(sectionLength - headerEnd))
                throw Bad($"unit_length 0x{length:x} runs past the end of the section (0x{sectionLength:x} bytes)");
            var end = headerEnd + (long)length;
            next = end; // from here on, a bad field skips only this unit
            if (length < 2) throw Bad($"unit_length 0x{length:x} is too short for a unit header");
            c.End = (int)Math.Min(header.Length, c.Position + (long)length);
            var version = c.U16();
            if (version is < 2 or > 5)
                throw Bad($"unit version {version} is not supported (DWARF 2-5)");
            DwUt unitType;
            int addressSize;
            ulong abbrevOffset, typeSignature = 0, typeOffset = 0, dwoId = 0;
            if (version >= 5)
            {
                unitType = (DwUt)c.U8();
                addressSize = c.U8();
                abbrevOffset = c.Offset(offset64);
                switch (unitType)
                {
                    case DwUt.Compile or DwUt.Partial:
                        break;
                    case DwUt.Skeleton or DwUt.SplitCompile:
                        dwoId = c.U64();
                        break;
                    case DwUt.Type or DwUt.SplitType:
                        typeSignature = c.U64();
                        typeOffset = c.Offset(offset64);
                        break;
                    default:
                        throw Bad($"unit_type 0x{(byte)unitType:x} is not a DWARF 5 unit type");
                }
            }
            else
            {
                abbrevOffset = c.Offset(offset64);
                addressSize = c.U8();
                unitType = inTypes ? DwUt.Type : DwUt.Compile;
                if (inTypes)
                {
                    typeSignature = c.U64();
                    typeOffset = c.Offset(offset64);
                }
            }
            if (addressSize is not (4 or 8))
                throw Bad($"address_size {addressSize} is not supported (4 or 8)");
            if (abbrevOffset >= (ulong)Sections.Abbrev.Length)
                throw Bad($"debug_abbrev_offset 0x{abbrevOffset:x} is past the end of .debug_abbrev (0x{Sections.Abbrev.Length:x} bytes)");
            var firstDie = (ulong)(start + c.Position);
            if (unitType is DwUt.Type or DwUt.SplitType)
            {
                // type_offset is relative to the unit header.
                typeOffset += (ulong)start;
                if (typeOffset < firstDie || typeOffset >= (ulong)end)
                    throw Bad($"type_offset 0x{typeOffset - (ulong)start:x} is outside the unit");
            }
            units.Add(new DwarfUnit(this, units.Count, inTypes, (ulong)start, firstDie, (ulong)end, version, unitType,
                addressSize, offset64, abbrevOffset, typeSignature, typeOffset, dwoId));
        }
        catch (DumpFormatException e)
        {
            // A cursor error carries a position relative to the header bytes: restate it at the unit.
            _errors.Add(e.Offset == start ? e : Bad("the unit header is truncated"));
        }
        return next;
    }

    /// <summary>The unit of <c>.debug_info</c> holding <paramref name="offset"/>, or false. Cost: a binary search.</summary>
    public bool TryGetUnit(DebugInfoOffset offset, out DwarfUnit unit) => TryGetUnit(offset, false, out unit);

    /// <summary>The unit holding <paramref name="offset"/> of <c>.debug_info</c> or (<paramref name="inTypes"/>) <c>.debug_types</c>.</summary>
    public bool TryGetUnit(DebugInfoOffset offset, bool inTypes, out DwarfUnit unit)
    {
        var starts = inTypes ? _typesUnitStarts : _infoUnitStarts;
        var i = Array.BinarySearch(starts, offset.Value);
        if (i < 0) i = ~i - 1;
        if (i >= 0)
        {
            var u = _units[(inTypes ? _infoUnitCount : 0) + i];
            if (offset.Value < u.EndOffset.Value)
            {
                unit = u;
                return true;
            }
        }
        unit = null!;
        return false;
    }

    /// <summary>The DIE at <paramref name="offset"/> of <c>.debug_info</c>.</summary>
    /// <exception cref="DumpFormatException">no unit holds the offset.</exception>
    public Die GetDie(DebugInfoOffset offset)
    {
        if (!TryGetUnit(offset, out var unit) || offset.Value < unit.FirstDieOffset.Value)
            throw new DumpFormatException(Path, (long)offset.Value, ".debug_info", "no unit holds a DIE at this offset");
        return new Die(unit, offset);
    }

    /// <summary>The type unit whose signature is <paramref name="signature"/> (DW_FORM_ref_sig8), or false.</summary>
    public bool TryGetTypeUnit(ulong signature, out DwarfUnit unit) => _typeUnits.Value.TryGetValue(signature, out unit!);

    internal AbbreviationTable GetAbbreviationTable(DwarfUnit unit)
    {
        var key = (unit.AbbrevOffset.Value, unit.AddressSize, unit.Is64BitFormat, unit.Version <= 2);
        return _abbrevTables.GetOrAdd(key, k => new Lazy<AbbreviationTable>(
            () => AbbreviationTable.Parse(Path, Sections.Abbrev, new DebugAbbrevOffset(k.Offset), k.AddressSize, k.Offset64, k.V2 ? 2 : 4),
            LazyThreadSafetyMode.ExecutionAndPublication)).Value;
    }
}
