using System.Text;

namespace KdumpDebug.Debuginfo.Dwarf;

/// <summary>
/// One unit of <c>.debug_info</c> (compile, partial, type or skeleton unit) or of
/// <c>.debug_types</c>: its header (DWARF 2-5 §7.5.1), its abbreviation table (parsed on first use
/// and shared), and the attributes of its root DIE that the rest of the unit depends on
/// (DW_AT_str_offsets_base, DW_AT_addr_base, DW_AT_rnglists_base, DW_AT_loclists_base,
/// DW_AT_low_pc as the base address, name, comp_dir, stmt_list), read on first use.
/// <para>Headers are read when <see cref="DwarfInfo"/> is created (a few bytes per unit); nothing
/// else is. Thread-safe.</para>
/// </summary>
public sealed class DwarfUnit
{
    readonly Lazy<AbbreviationTable> _abbreviations;
    readonly Lazy<RootAttributes> _root;

    /// <summary>The debug info this unit belongs to.</summary>
    public DwarfInfo Dwarf { get; }
    /// <summary>Position in <see cref="DwarfInfo.Units"/>.</summary>
    public int Index { get; }
    /// <summary>True for a DWARF 4 type unit in <c>.debug_types</c>; its offsets are in that section.</summary>
    public bool IsInTypesSection { get; }
    /// <summary>Offset of the unit header (its unit_length field).</summary>
    public DebugInfoOffset Offset { get; }
    /// <summary>Offset of the root DIE, just past the header.</summary>
    public DebugInfoOffset FirstDieOffset { get; }
    /// <summary>Offset just past the unit.</summary>
    public DebugInfoOffset EndOffset { get; }
    /// <summary>DWARF version of the unit (2-5).</summary>
    public int Version { get; }
    /// <summary>DW_UT_* of a DWARF 5 unit; DWARF 2-4 units are <see cref="DwUt.Compile"/> (<see cref="DwUt.Type"/> in <c>.debug_types</c>).</summary>
    public DwUt UnitType { get; }
    /// <summary>Size of a target address: 4 or 8.</summary>
    public int AddressSize { get; }
    /// <summary>True for the 64-bit DWARF format (offsets are 8 bytes).</summary>
    public bool Is64BitFormat { get; }
    /// <summary>Size of a section offset: 4, or 8 in the 64-bit DWARF format.</summary>
    public int OffsetSize => Is64BitFormat ? 8 : 4;
    /// <summary>Where the unit's abbreviation table starts.</summary>
    public DebugAbbrevOffset AbbrevOffset { get; }
    /// <summary>The type signature of a type unit, else 0.</summary>
    public ulong TypeSignature { get; }
    /// <summary>The DIE of the type a type unit describes, else default.</summary>
    public DebugInfoOffset TypeOffset { get; }
    /// <summary>The dwo_id of a skeleton or split unit (DWARF 5), else 0.</summary>
    public ulong DwoId { get; }

    /// <summary>The unit's abbreviation table (parsed on first use, shared between units naming the same table).</summary>
    public AbbreviationTable Abbreviations => _abbreviations.Value;

    /// <summary>The root DIE (DW_TAG_compile_unit, DW_TAG_partial_unit, DW_TAG_type_unit...).</summary>
    public Die Root => new(this, FirstDieOffset);

    /// <summary>The type DIE of a type unit, else default.</summary>
    public Die TypeDie => TypeSignature != 0 || UnitType is DwUt.Type or DwUt.SplitType ? new Die(this, TypeOffset) : default;

    /// <summary>DW_AT_name of the root DIE (the primary source file), or null.</summary>
    public string? Name => _root.Value.Name;
    /// <summary>DW_AT_comp_dir of the root DIE, or null.</summary>
    public string? CompilationDirectory => _root.Value.CompDir;
    /// <summary>DW_AT_producer of the root DIE, or null.</summary>
    public string? Producer => _root.Value.Producer;
    /// <summary>DW_AT_language of the root DIE (DW_LANG_*), or null.</summary>
    public ulong? Language => _root.Value.Language;
    /// <summary>DW_AT_stmt_list of the root DIE: the unit's line program, or null.</summary>
    public DebugLineOffset? LineProgram => _root.Value.StmtList;
    /// <summary>
    /// The base address of location and range lists: the root DIE's DW_AT_low_pc (DWARF 5 §3.1.1),
    /// 0 when absent.
    /// </summary>
    public ulong BaseAddress => _root.Value.LowPc;

    internal ulong StrOffsetsBase => _root.Value.StrOffsetsBase;
    internal ulong AddrBase => _root.Value.AddrBase;
    internal ulong RngListsBase => _root.Value.RngListsBase;
    internal ulong LocListsBase => _root.Value.LocListsBase;

    /// <summary>The bytes of the section holding this unit.</summary>
    internal ReadOnlySpan<byte> Data => IsInTypesSection ? Dwarf.Sections.Types : Dwarf.Sections.Info;

    /// <summary>The name of the section holding this unit, for messages.</summary>
    internal string SectionName => IsInTypesSection ? ".debug_types" : ".debug_info";

    internal DwarfUnit(DwarfInfo dwarf, int index, bool inTypes, ulong offset, ulong firstDie, ulong end, int version,
        DwUt unitType, int addressSize, bool offset64, ulong abbrevOffset, ulong typeSignature, ulong typeOffset, ulong dwoId)
    {
        Dwarf = dwarf;
        Index = index;
        IsInTypesSection = inTypes;
        Offset = new DebugInfoOffset(offset);
        FirstDieOffset = new DebugInfoOffset(firstDie);
        EndOffset = new DebugInfoOffset(end);
        Version = version;
        UnitType = unitType;
        AddressSize = addressSize;
        Is64BitFormat = offset64;
        AbbrevOffset = new DebugAbbrevOffset(abbrevOffset);
        TypeSignature = typeSignature;
        TypeOffset = new DebugInfoOffset(typeOffset);
        DwoId = dwoId;
        _abbreviations = new Lazy<AbbreviationTable>(() => dwarf.GetAbbreviationTable(this), LazyThreadSafetyMode.ExecutionAndPublication);
        _root = new Lazy<RootAttributes>(ReadRoot, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>True when <paramref name="offset"/> is inside this unit's DIEs (same section).</summary>
    public bool Contains(DebugInfoOffset offset) => offset.Value >= FirstDieOffset.Value && offset.Value < EndOffset.Value;

    /// <summary>The DIE at <paramref name="offset"/> of this unit. The offset is not checked until the DIE is read.</summary>
    public Die DieAt(DebugInfoOffset offset) => new(this, offset);

    /// <summary>
    /// The parent of <paramref name="die"/>, or default for the root. Cost: a walk of the unit's DIE
    /// tree from the root, skipping subtrees that end before the DIE (DW_AT_sibling where present):
    /// use sparingly.
    /// </summary>
    public Die FindParent(Die die)
    {
        if (die.Unit != this || die.Offset == FirstDieOffset) return default;
        var target = die.Offset.Value;
        var current = Root;
        while (true)
        {
            Die next = default;
            foreach (var child in current.Children)
            {
                if (child.Offset.Value == target) return current;
                if (child.Offset.Value > target) break;
                if (child.HasChildren && child.SubtreeEnd() > target)
                {
                    next = child;
                    break;
                }
            }
            if (next.IsNull) return default;
            current = next;
        }
    }

    sealed record RootAttributes(string? Name, string? CompDir, string? Producer, ulong? Language, DebugLineOffset? StmtList,
        ulong LowPc, ulong StrOffsetsBase, ulong AddrBase, ulong RngListsBase, ulong LocListsBase);

    RootAttributes ReadRoot()
    {
        // Bases first: other attributes of the root DIE (e.g. DW_AT_name as DW_FORM_strx1) need them.
        ulong strOffsetsBase = 0, addrBase = 0, rngListsBase = 0, locListsBase = 0;
        // For split units without the attributes, the base is the size of the table header
        // (DWARF 5 §7.26, §7.27, §7.28, §7.29).
        if (UnitType is DwUt.SplitCompile or DwUt.SplitType)
        {
            strOffsetsBase = rngListsBase = locListsBase = Is64BitFormat ? 16UL : 8UL;
        }
        var root = Root;
        var haveLowPc = false;
        ulong lowPc = 0;
        foreach (var a in root.Attributes)
        {
            switch (a.Name)
            {
                case DwAt.StrOffsetsBase: strOffsetsBase = a.RawValue; break;
                case DwAt.AddrBase or DwAt.GnuAddrBase: addrBase = a.RawValue; break;
                case DwAt.RnglistsBase or DwAt.GnuRangesBase: rngListsBase = a.RawValue; break;
                case DwAt.LoclistsBase: locListsBase = a.RawValue; break;
                case DwAt.LowPc when a.Form == DwForm.Addr:
                    lowPc = a.RawValue;
                    haveLowPc = true;
                    break;
            }
        }
        _basesForRoot = (strOffsetsBase, addrBase);
        string? name = null, compDir = null, producer = null;
        ulong? language = null;
        DebugLineOffset? stmtList = null;
        foreach (var a in root.Attributes)
        {
            switch (a.Name)
            {
                case DwAt.Name: name = a.AsString(); break;
                case DwAt.CompDir: compDir = a.AsString(); break;
                case DwAt.Producer: producer = a.AsString(); break;
                case DwAt.Language: language = a.AsUnsigned(); break;
                case DwAt.StmtList: stmtList = new DebugLineOffset(a.RawValue); break;
                case DwAt.LowPc when !haveLowPc: lowPc = a.AsAddress(); break;
            }
        }
        return new RootAttributes(name, compDir, producer, language, stmtList, lowPc, strOffsetsBase, addrBase, rngListsBase, locListsBase);
    }

    // While the root DIE itself is being read, its strx/addrx values resolve with these bases.
    (ulong Str, ulong Addr)? _basesForRoot;

    internal ulong StrOffsetsBaseForRead => _root.IsValueCreated ? _root.Value.StrOffsetsBase : _basesForRoot?.Str ?? _root.Value.StrOffsetsBase;
    internal ulong AddrBaseForRead => _root.IsValueCreated ? _root.Value.AddrBase : _basesForRoot?.Addr ?? _root.Value.AddrBase;

    public override string ToString() =>
        $"{SectionName} unit at {Offset} (DWARF {Version}, {UnitType}{(Name is { } n ? ", " + n : "")})";

    internal static string Utf8(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
