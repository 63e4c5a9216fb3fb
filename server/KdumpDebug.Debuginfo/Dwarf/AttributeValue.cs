using System.Buffers.Binary;
using KdumpDebug.Core.Errors;

namespace KdumpDebug.Debuginfo.Dwarf;

/// <summary>
/// One decoded attribute of a DIE: its name, its form (the actual form after DW_FORM_indirect)
/// and its raw value, with accessors that resolve it through the unit (string tables, the address
/// table, unit-relative references). A small struct; decoding allocates nothing, only
/// <see cref="AsString"/> allocates the string.
/// </summary>
public readonly struct AttributeValue
{
    readonly DwarfUnit _unit;
    readonly ulong _value;
    readonly int _position;
    readonly int _length;

    /// <summary>The attribute (DW_AT_*).</summary>
    public DwAt Name { get; }

    /// <summary>The form the value is encoded with.</summary>
    public DwForm Form { get; }

    /// <summary>The unit of the DIE holding the attribute.</summary>
    public DwarfUnit Unit => _unit;

    /// <summary>Offset of the value in the unit's section (for messages).</summary>
    public long ValueOffset => _position;

    internal AttributeValue(DwarfUnit unit, DwAt name, DwForm form, ulong value, int position, int length)
    {
        _unit = unit;
        Name = name;
        Form = form;
        _value = value;
        _position = position;
        _length = length;
    }

    /// <summary>
    /// The raw value: the integer of a constant, flag or address form (sign-extended bits for
    /// sdata/implicit_const), the index of an x-form, the section offset of strp/sec_offset forms,
    /// the absolute section offset of a reference, the signature of ref_sig8; the length of a block.
    /// </summary>
    public ulong RawValue => _value;

    /// <summary>The class of the value (DWARF 5 §7.5.5).</summary>
    public AttributeClass Class => Form switch
    {
        DwForm.Addr or DwForm.Addrx or DwForm.Addrx1 or DwForm.Addrx2 or DwForm.Addrx3 or DwForm.Addrx4 or DwForm.GnuAddrIndex => AttributeClass.Address,
        DwForm.Block or DwForm.Block1 or DwForm.Block2 or DwForm.Block4 => AttributeClass.Block,
        DwForm.Exprloc => AttributeClass.ExprLoc,
        DwForm.Flag or DwForm.FlagPresent => AttributeClass.Flag,
        DwForm.Ref1 or DwForm.Ref2 or DwForm.Ref4 or DwForm.Ref8 or DwForm.RefUdata or DwForm.RefAddr or DwForm.RefSig8
            or DwForm.RefSup4 or DwForm.RefSup8 or DwForm.GnuRefAlt => AttributeClass.Reference,
        DwForm.String or DwForm.Strp or DwForm.LineStrp or DwForm.Strx or DwForm.Strx1 or DwForm.Strx2 or DwForm.Strx3
            or DwForm.Strx4 or DwForm.StrpSup or DwForm.GnuStrpAlt or DwForm.GnuStrIndex => AttributeClass.String,
        DwForm.Loclistx => AttributeClass.LocList,
        DwForm.Rnglistx => AttributeClass.RngList,
        DwForm.SecOffset => OffsetClass(Name),
        // DWARF 2-3: location lists, ranges and line programs were data4/data8 offsets.
        DwForm.Data4 or DwForm.Data8 when _unit.Version <= 3 && OffsetClass(Name) is var k && k != AttributeClass.SectionOffset => k,
        _ => AttributeClass.Constant,
    };

    static AttributeClass OffsetClass(DwAt name) => name switch
    {
        DwAt.Location or DwAt.StringLength or DwAt.ReturnAddr or DwAt.DataMemberLocation or DwAt.FrameBase or DwAt.Segment
            or DwAt.StaticLink or DwAt.UseLocation or DwAt.VtableElemLocation or DwAt.GnuLocviews => AttributeClass.LocList,
        DwAt.Ranges or DwAt.StartScope => AttributeClass.RngList,
        DwAt.StmtList => AttributeClass.LinePtr,
        _ => AttributeClass.SectionOffset,
    };

    /// <summary>True for a value that reads as a signed integer (DW_FORM_sdata, DW_FORM_implicit_const).</summary>
    public bool IsSigned => Form is DwForm.Sdata or DwForm.ImplicitConst;

    /// <summary>
    /// The value of a constant or flag form as unsigned (a negative sdata wraps). Data forms are
    /// zero-extended: DWARF leaves their signedness to the attribute (see <see cref="AsSigned"/>).
    /// </summary>
    /// <exception cref="DumpFormatException">the form is not a constant.</exception>
    public ulong AsUnsigned()
    {
        if (Class is AttributeClass.Constant or AttributeClass.Flag || Form is DwForm.SecOffset or DwForm.Data4 or DwForm.Data8) return _value;
        throw Error($"has form {FormName(Form)}, not a constant");
    }

    /// <summary>
    /// The value of a constant form as signed: data1/2/4/8 are sign-extended from their size
    /// (what a signed enumerator or a negative bound means), sdata/implicit_const as encoded.
    /// </summary>
    public long AsSigned() => Form switch
    {
        DwForm.Data1 => (sbyte)_value,
        DwForm.Data2 => (short)_value,
        DwForm.Data4 => (int)_value,
        _ => (long)AsUnsigned(),
    };

    /// <summary>The value of a flag form (DW_FORM_flag, DW_FORM_flag_present); any other form counts as present.</summary>
    public bool AsFlag() => Form != DwForm.Flag || _value != 0;

    /// <summary>
    /// The bytes of a block, exprloc or data16 value, or of an inline DW_FORM_string (without
    /// the NUL): a span of the section (zero-copy).
    /// </summary>
    public ReadOnlySpan<byte> Bytes
    {
        get
        {
            if (_length < 0) throw Error($"has form {FormName(Form)}, which holds no bytes");
            return _unit.Data.Slice(_position, _length);
        }
    }

    /// <summary>The same bytes as <see cref="Bytes"/>, as memory that may be kept.</summary>
    public ReadOnlyMemory<byte> Memory
    {
        get
        {
            if (_length < 0) throw Error($"has form {FormName(Form)}, which holds no bytes");
            var memory = _unit.IsInTypesSection ? throw Error("bytes of .debug_types cannot be kept as memory") : _unit.Dwarf.Sections.InfoMemory;
            return memory.Slice(_position, _length);
        }
    }

    /// <summary>The UTF-8 bytes of a string form (no NUL), zero-copy.</summary>
    /// <exception cref="DumpFormatException">not a string form, or its offset or index is out of range.</exception>
    public ReadOnlySpan<byte> StringBytes()
    {
        var sections = _unit.Dwarf.Sections;
        switch (Form)
        {
            case DwForm.String:
                return _unit.Data.Slice(_position, _length);
            case DwForm.Strp:
                return StringAt(sections.Str, ".debug_str", _value);
            case DwForm.LineStrp:
                return StringAt(sections.LineStr, ".debug_line_str", _value);
            case DwForm.Strx or DwForm.Strx1 or DwForm.Strx2 or DwForm.Strx3 or DwForm.Strx4 or DwForm.GnuStrIndex:
                return StringAt(sections.Str, ".debug_str", StrOffset(_unit, _value, this));
            case DwForm.StrpSup or DwForm.GnuStrpAlt:
                throw Error($"has form {FormName(Form)}: strings in a supplementary file (dwz) are not supported");
            default:
                throw Error($"has form {FormName(Form)}, not a string");
        }
    }

    /// <summary>The string of a string form, decoded from UTF-8. Allocates the string.</summary>
    public string AsString() => DwarfUnit.Utf8(StringBytes());

    internal static ulong StrOffset(DwarfUnit unit, ulong index, in AttributeValue at)
    {
        var table = unit.Dwarf.Sections.StrOffsets;
        var size = (ulong)unit.OffsetSize;
        var entry = unit.StrOffsetsBaseForRead + index * size;
        if (index > int.MaxValue || entry + size > (ulong)table.Length || entry < unit.StrOffsetsBaseForRead)
            throw at.Error($"string index {index} is past the end of .debug_str_offsets (base 0x{unit.StrOffsetsBaseForRead:x}, 0x{table.Length:x} bytes)");
        return size == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(table[(int)entry..]) : BinaryPrimitives.ReadUInt32LittleEndian(table[(int)entry..]);
    }

    ReadOnlySpan<byte> StringAt(ReadOnlySpan<byte> table, string section, ulong offset)
    {
        if (offset >= (ulong)table.Length)
            throw Error($"string offset 0x{offset:x} is past the end of {section} (0x{table.Length:x} bytes)");
        var rest = table[(int)offset..];
        var n = rest.IndexOf((byte)0);
        if (n < 0) throw Error($"string at 0x{offset:x} of {section} is not NUL-terminated");
        return rest[..n];
    }

    /// <summary>The address of DW_FORM_addr, or of DW_FORM_addrx* looked up in <c>.debug_addr</c>.</summary>
    public ulong AsAddress()
    {
        switch (Form)
        {
            case DwForm.Addr:
                return _value;
            case DwForm.Addrx or DwForm.Addrx1 or DwForm.Addrx2 or DwForm.Addrx3 or DwForm.Addrx4 or DwForm.GnuAddrIndex:
                return ReadAddressIndex(_unit, _value, this);
            default:
                throw Error($"has form {FormName(Form)}, not an address");
        }
    }

    /// <summary>Entry <paramref name="index"/> of the unit's address table in <c>.debug_addr</c> (DW_FORM_addrx, DW_OP_addrx).</summary>
    internal static ulong ReadAddressIndex(DwarfUnit unit, ulong index, in AttributeValue at)
    {
        var table = unit.Dwarf.Sections.Addr;
        var size = (ulong)unit.AddressSize;
        var entry = unit.AddrBaseForRead + index * size;
        if (index > int.MaxValue || entry + size > (ulong)table.Length || entry < unit.AddrBaseForRead)
            throw at.Error($"address index {index} is past the end of .debug_addr (base 0x{unit.AddrBaseForRead:x}, 0x{table.Length:x} bytes)");
        return size == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(table[(int)entry..]) : BinaryPrimitives.ReadUInt32LittleEndian(table[(int)entry..]);
    }

    /// <summary>
    /// The DIE a reference form points to: unit-relative forms inside the DIE's own unit,
    /// DW_FORM_ref_addr anywhere in <c>.debug_info</c>, DW_FORM_ref_sig8 the type DIE of the type
    /// unit with that signature.
    /// </summary>
    /// <exception cref="DumpFormatException">the reference is outside its unit or section, or names
    /// an unknown signature or a supplementary file.</exception>
    public Die AsDie()
    {
        switch (Form)
        {
            case DwForm.Ref1 or DwForm.Ref2 or DwForm.Ref4 or DwForm.Ref8 or DwForm.RefUdata:
                if (_value < _unit.FirstDieOffset.Value || _value >= _unit.EndOffset.Value)
                    throw Error($"refers to 0x{_value:x}, outside its unit [{_unit.FirstDieOffset}, {_unit.EndOffset})");
                return new Die(_unit, new DebugInfoOffset(_value));
            case DwForm.RefAddr:
            {
                if (!_unit.Dwarf.TryGetUnit(new DebugInfoOffset(_value), _unit.IsInTypesSection, out var target) || _value < target.FirstDieOffset.Value)
                    throw Error($"refers to 0x{_value:x}, which is in no unit of {_unit.SectionName}");
                return new Die(target, new DebugInfoOffset(_value));
            }
            case DwForm.RefSig8:
                if (!_unit.Dwarf.TryGetTypeUnit(_value, out var typeUnit))
                    throw Error($"refers to type signature 0x{_value:x16}, which no type unit has");
                return typeUnit.TypeDie;
            case DwForm.RefSup4 or DwForm.RefSup8 or DwForm.GnuRefAlt:
                throw Error($"has form {FormName(Form)}: references into a supplementary file (dwz) are not supported");
            default:
                throw Error($"has form {FormName(Form)}, not a reference");
        }
    }

    /// <summary>
    /// The range list of a DW_AT_ranges value: DW_FORM_sec_offset as is, DW_FORM_rnglistx looked
    /// up in the unit's offset table (DWARF 5 §7.28).
    /// </summary>
    public RangeListOffset AsRangeListOffset()
    {
        if (Form == DwForm.Rnglistx)
            return new RangeListOffset(_unit.RngListsBase + ReadListOffset(_unit.Dwarf.Sections.RngLists, ".debug_rnglists", _unit.RngListsBase));
        if (Class == AttributeClass.RngList || Form is DwForm.SecOffset or DwForm.Data4 or DwForm.Data8) return new RangeListOffset(_value);
        throw Error($"has form {FormName(Form)}, not a range list");
    }

    /// <summary>
    /// The location list of a location-list value: DW_FORM_sec_offset as is, DW_FORM_loclistx
    /// looked up in the unit's offset table (DWARF 5 §7.29).
    /// </summary>
    public LocationListOffset AsLocationListOffset()
    {
        if (Form == DwForm.Loclistx)
            return new LocationListOffset(_unit.LocListsBase + ReadListOffset(_unit.Dwarf.Sections.LocLists, ".debug_loclists", _unit.LocListsBase));
        if (Class == AttributeClass.LocList || Form is DwForm.SecOffset or DwForm.Data4 or DwForm.Data8) return new LocationListOffset(_value);
        throw Error($"has form {FormName(Form)}, not a location list");
    }

    ulong ReadListOffset(ReadOnlySpan<byte> table, string section, ulong listBase)
    {
        var size = (ulong)_unit.OffsetSize;
        var entry = listBase + _value * size;
        if (_value > int.MaxValue || entry + size > (ulong)table.Length || entry < listBase)
            throw Error($"list index {_value} is past the end of {section} (base 0x{listBase:x}, 0x{table.Length:x} bytes)");
        return size == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(table[(int)entry..]) : BinaryPrimitives.ReadUInt32LittleEndian(table[(int)entry..]);
    }

    /// <summary>An error about this attribute: "PATH: SECTION at offset 0xVALUE: DW_AT_x PROBLEM".</summary>
    public DumpFormatException Error(string problem) =>
        new(_unit.Dwarf.Path, _position, _unit.SectionName, $"{AttributeName(Name)} {problem}");

    internal static string FormName(DwForm form) => Enum.IsDefined(form) ? $"DW_FORM_{Snake(form.ToString())}" : $"0x{(ushort)form:x}";

    internal static string AttributeName(DwAt name) => Enum.IsDefined(name) ? $"DW_AT_{Snake(name.ToString())}" : $"DW_AT 0x{(ushort)name:x}";

    internal static string TagName(DwTag tag) => Enum.IsDefined(tag) ? $"DW_TAG_{Snake(tag.ToString())}" : $"DW_TAG 0x{(ushort)tag:x}";

    // PascalCase enum member back to the spec's snake_case spelling (LowPc -> low_pc).
    static string Snake(string pascal)
    {
        var sb = new System.Text.StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            var ch = pascal[i];
            if (char.IsUpper(ch) && i > 0 && !char.IsUpper(pascal[i - 1])) sb.Append('_');
            sb.Append(char.ToLowerInvariant(ch));
        }
        return sb.ToString();
    }

    public override string ToString() => $"{AttributeName(Name)} {FormName(Form)} 0x{_value:x}";
}
