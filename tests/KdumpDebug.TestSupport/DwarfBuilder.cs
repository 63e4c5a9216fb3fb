using System.Buffers.Binary;
using System.Text;
using KdumpDebug.Debuginfo.Dwarf;

namespace KdumpDebug.TestSupport;

/// <summary>
/// Builds DWARF sections in code for unit and bounds tests (gimli's test-assembler, drgn's DWARF
/// writer): units of any version (2-5), 32- or 64-bit format, DIEs with attributes in any form,
/// and the side tables those forms index (<c>.debug_str</c>, <c>.debug_line_str</c>,
/// <c>.debug_str_offsets</c>, <c>.debug_addr</c>, <c>.debug_rnglists</c>, <c>.debug_loclists</c>).
/// Abbreviations are derived from the DIEs (one per distinct tag/children/attribute-form list).
/// References to DIEs are written as labels resolved when the unit is built; <see cref="Sections"/>
/// returns the section bytes and <see cref="BuildElf"/> wraps them into an ELF with
/// <see cref="ElfBuilder"/>. Tests corrupt the bytes afterwards at offsets from <see cref="Layout"/>.
/// </summary>
public sealed class DwarfBuilder
{
    readonly List<Unit> _units = [];
    readonly MemoryStream _str = new();
    readonly MemoryStream _lineStr = new();
    readonly Dictionary<string, int> _strOffsets = new(StringComparer.Ordinal);
    readonly Dictionary<string, int> _lineStrOffsets = new(StringComparer.Ordinal);

    /// <summary>Raw extra bytes for sections the builder does not fill (e.g. <c>.debug_addr</c> tables built by hand).</summary>
    public Dictionary<string, MemoryStream> Extra { get; } = new(StringComparer.Ordinal);

    /// <summary>Where things landed in the last <see cref="Sections"/> call: DIE label → .debug_info offset, unit index → header offset.</summary>
    public Dictionary<string, long> Layout { get; } = new(StringComparer.Ordinal);

    public DwarfBuilder()
    {
        _str.WriteByte(0); // offset 0 is the empty string, as linkers lay out .debug_str
        _lineStr.WriteByte(0);
    }

    /// <summary>Offset of <paramref name="s"/> in <c>.debug_str</c> (added once).</summary>
    public int Str(string s) => Intern(_str, _strOffsets, s);

    /// <summary>Offset of <paramref name="s"/> in <c>.debug_line_str</c> (added once).</summary>
    public int LineStr(string s) => Intern(_lineStr, _lineStrOffsets, s);

    static int Intern(MemoryStream table, Dictionary<string, int> offsets, string s)
    {
        if (offsets.TryGetValue(s, out var o)) return o;
        o = (int)table.Length;
        table.Write(Encoding.UTF8.GetBytes(s + "\0"));
        offsets[s] = o;
        return o;
    }

    /// <summary>Starts a unit; DIEs are added to the returned object.</summary>
    public Unit AddUnit(int version = 5, DwUt unitType = DwUt.Compile, int addressSize = 8, bool offset64 = false)
    {
        var u = new Unit(this, version, unitType, addressSize, offset64);
        _units.Add(u);
        return u;
    }

    /// <summary>Appends a raw section (or bytes to one): <c>.debug_addr</c>, <c>.debug_rnglists</c>, <c>.debug_loclists</c>, <c>.debug_str_offsets</c>...</summary>
    public MemoryStream Section(string name)
    {
        if (!Extra.TryGetValue(name, out var s)) Extra[name] = s = new MemoryStream();
        return s;
    }

    /// <summary>
    /// A DWARF 5 <c>.debug_str_offsets</c> contribution (header + one 4-byte offset per string);
    /// returns the value for DW_AT_str_offsets_base (the offset of the first entry).
    /// </summary>
    public int AddStrOffsets(params string[] strings)
    {
        var s = Section(".debug_str_offsets");
        var start = (int)s.Length;
        Write32(s, (uint)(4 + 4 * strings.Length));
        Write16(s, 5);
        Write16(s, 0);
        foreach (var str in strings) Write32(s, (uint)Str(str));
        return start + 8;
    }

    /// <summary>A DWARF 5 <c>.debug_addr</c> table of 8-byte addresses; returns DW_AT_addr_base.</summary>
    public int AddAddressTable(params ulong[] addresses)
    {
        var s = Section(".debug_addr");
        var start = (int)s.Length;
        Write32(s, (uint)(4 + 8 * addresses.Length));
        Write16(s, 5);
        s.WriteByte(8);
        s.WriteByte(0);
        foreach (var a in addresses) Write64(s, a);
        return start + 8;
    }

    /// <summary>
    /// A DWARF 5 list table header (<c>.debug_rnglists</c> or <c>.debug_loclists</c>) with an offset
    /// array for the given lists (each list's raw entry bytes); returns (base for
    /// DW_AT_rnglists_base/loclists_base, offset of each list in the section).
    /// </summary>
    public (int Base, int[] ListOffsets) AddListTable(string section, params byte[][] lists)
    {
        var s = Section(section);
        var start = (int)s.Length;
        var body = 4 * lists.Length + lists.Sum(l => l.Length);
        Write32(s, (uint)(2 + 1 + 1 + 4 + body));
        Write16(s, 5);
        s.WriteByte(8);
        s.WriteByte(0);
        Write32(s, (uint)lists.Length);
        var baseOffset = (int)s.Length;
        var listOffsets = new int[lists.Length];
        var rel = 4 * lists.Length;
        for (var i = 0; i < lists.Length; i++)
        {
            Write32(s, (uint)rel);
            listOffsets[i] = baseOffset + rel;
            rel += lists[i].Length;
        }
        foreach (var l in lists) s.Write(l);
        return (baseOffset, listOffsets);
    }

    /// <summary>All sections, by name (only non-empty ones).</summary>
    public Dictionary<string, byte[]> Sections()
    {
        var info = new MemoryStream();
        var abbrev = new MemoryStream();
        Layout.Clear();
        for (var i = 0; i < _units.Count; i++)
        {
            Layout[$"unit{i}"] = info.Length;
            _units[i].Write(info, abbrev, Layout);
        }
        var result = new Dictionary<string, byte[]>
        {
            [".debug_info"] = info.ToArray(),
            [".debug_abbrev"] = abbrev.ToArray(),
            [".debug_str"] = _str.ToArray(),
            [".debug_line_str"] = _lineStr.ToArray(),
        };
        foreach (var (name, s) in Extra) result[name] = s.ToArray();
        return result;
    }

    /// <summary>An ELF (ET_EXEC unless <paramref name="type"/> says otherwise) holding the sections.</summary>
    public byte[] BuildElf(ushort type = ElfBuilder.EtExec, Action<Dictionary<string, byte[]>>? corrupt = null)
    {
        var sections = Sections();
        corrupt?.Invoke(sections);
        var elf = new ElfBuilder { Type = type };
        foreach (var (name, bytes) in sections.OrderBy(p => p.Key, StringComparer.Ordinal))
            if (bytes.Length > 0) elf.AddSection(name, ElfBuilder.ShtProgbits, 0, bytes);
        return elf.Build();
    }

    /// <summary>Writes <see cref="BuildElf"/> to <paramref name="path"/> and returns the path.</summary>
    public string WriteElf(string path)
    {
        File.WriteAllBytes(path, BuildElf());
        return path;
    }

    internal static void Write16(Stream s, ushort v) { Span<byte> b = stackalloc byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, v); s.Write(b); }
    internal static void Write32(Stream s, uint v) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, v); s.Write(b); }
    internal static void Write64(Stream s, ulong v) { Span<byte> b = stackalloc byte[8]; BinaryPrimitives.WriteUInt64LittleEndian(b, v); s.Write(b); }

    /// <summary>ULEB128.</summary>
    public static void Uleb(Stream s, ulong v)
    {
        do
        {
            var b = (byte)(v & 0x7f);
            v >>= 7;
            if (v != 0) b |= 0x80;
            s.WriteByte(b);
        } while (v != 0);
    }

    /// <summary>SLEB128.</summary>
    public static void Sleb(Stream s, long v)
    {
        while (true)
        {
            var b = (byte)(v & 0x7f);
            v >>= 7;
            var done = (v == 0 && (b & 0x40) == 0) || (v == -1 && (b & 0x40) != 0);
            if (!done) b |= 0x80;
            s.WriteByte(b);
            if (done) return;
        }
    }

    /// <summary>Bytes of a ULEB128 (for hand-built expressions and lists).</summary>
    public static byte[] UlebBytes(ulong v) { var m = new MemoryStream(); Uleb(m, v); return m.ToArray(); }

    /// <summary>Bytes of an SLEB128.</summary>
    public static byte[] SlebBytes(long v) { var m = new MemoryStream(); Sleb(m, v); return m.ToArray(); }

    /// <summary>A label naming a DIE, for reference forms.</summary>
    public readonly record struct Ref(string Label);

    /// <summary>One attribute: name, form, value (an integer, string, byte[] block, <see cref="Ref"/>, bool) and an implicit constant.</summary>
    public sealed record Attribute(DwAt Name, DwForm Form, object? Value, long ImplicitConst = 0, DwForm? IndirectForm = null);

    /// <summary>One DIE under construction.</summary>
    public sealed class Entry
    {
        internal readonly List<Attribute> Attributes = [];
        internal readonly List<Entry> Children = [];
        internal readonly Entry? Parent;
        readonly Unit _unit;
        internal string? LabelName;
        public DwTag Tag { get; }
        public bool HasChildren { get; set; }
        /// <summary>Write no terminating null entry after the children (a producer quirk).</summary>
        public bool OmitNullEntry { get; set; }
        /// <summary>An abbreviation code to use instead of the derived one (to test undefined codes).</summary>
        public ulong? ForcedCode { get; set; }

        internal Entry(Unit unit, Entry? parent, DwTag tag)
        {
            _unit = unit;
            Parent = parent;
            Tag = tag;
        }

        /// <summary>Adds an attribute.</summary>
        public Entry Attr(DwAt name, DwForm form, object? value = null, long implicitConst = 0)
        {
            Attributes.Add(new Attribute(name, form, value, implicitConst));
            return this;
        }

        /// <summary>Adds an attribute written as DW_FORM_indirect followed by <paramref name="actual"/>.</summary>
        public Entry AttrIndirect(DwAt name, DwForm actual, object? value)
        {
            Attributes.Add(new Attribute(name, DwForm.Indirect, value, 0, actual));
            return this;
        }

        /// <summary>Names this DIE for <see cref="Ref"/> values.</summary>
        public Entry Label(string label)
        {
            LabelName = label;
            return this;
        }

        /// <summary>Adds a child DIE (this DIE then has children).</summary>
        public Entry Child(DwTag tag)
        {
            HasChildren = true;
            var e = new Entry(_unit, this, tag);
            Children.Add(e);
            return e;
        }

        /// <summary>The parent DIE (for fluent building).</summary>
        public Entry Up() => Parent ?? throw new InvalidOperationException("the root DIE has no parent");
    }

    /// <summary>One unit under construction.</summary>
    public sealed class Unit
    {
        readonly DwarfBuilder _owner;
        public int Version { get; }
        public DwUt UnitType { get; }
        public int AddressSize { get; }
        public bool Offset64 { get; }
        public ulong TypeSignature { get; set; }
        public string? TypeLabel { get; set; }
        /// <summary>Added to the written unit_length (to test a length past the section).</summary>
        public long LengthAdjust { get; set; }
        /// <summary>Overrides the written version field.</summary>
        public ushort? VersionOverride { get; set; }
        public Entry? Root { get; private set; }

        internal Unit(DwarfBuilder owner, int version, DwUt unitType, int addressSize, bool offset64)
        {
            _owner = owner;
            Version = version;
            UnitType = unitType;
            AddressSize = addressSize;
            Offset64 = offset64;
        }

        /// <summary>The root DIE (DW_TAG_compile_unit unless given).</summary>
        public Entry SetRoot(DwTag tag = DwTag.CompileUnit)
        {
            Root = new Entry(this, null, tag) { HasChildren = true };
            return Root;
        }

        internal void Write(MemoryStream info, MemoryStream abbrevSection, Dictionary<string, long> layout)
        {
            if (Root is null) SetRoot();
            // Abbreviations: one per distinct shape.
            var codes = new Dictionary<string, ulong>(StringComparer.Ordinal);
            var abbrev = new MemoryStream();
            var abbrevOffset = abbrevSection.Length;
            ulong CodeOf(Entry e)
            {
                var key = $"{(int)e.Tag}/{e.HasChildren}/" + string.Join(",", e.Attributes.Select(a => $"{(int)a.Name}:{(int)a.Form}:{a.ImplicitConst}"));
                if (codes.TryGetValue(key, out var c)) return c;
                c = (ulong)codes.Count + 1;
                codes[key] = c;
                Uleb(abbrev, c);
                Uleb(abbrev, (ulong)e.Tag);
                abbrev.WriteByte(e.HasChildren ? (byte)1 : (byte)0);
                foreach (var a in e.Attributes)
                {
                    Uleb(abbrev, (ulong)a.Name);
                    Uleb(abbrev, (ulong)a.Form);
                    if (a.Form == DwForm.ImplicitConst) Sleb(abbrev, a.ImplicitConst);
                }
                abbrev.WriteByte(0);
                abbrev.WriteByte(0);
                return c;
            }

            var unitStart = info.Length;
            var body = new MemoryStream();
            var fixups = new List<(long Position, string Label, DwForm Form)>();
            var labels = new Dictionary<string, long>(StringComparer.Ordinal);
            // Header after unit_length: its size depends on version and unit type.
            var header = new MemoryStream();
            Write16(header, VersionOverride ?? (ushort)Version);
            if (Version >= 5)
            {
                header.WriteByte((byte)UnitType);
                header.WriteByte((byte)AddressSize);
                WriteOffset(header, (ulong)abbrevOffset);
                if (UnitType is DwUt.Skeleton or DwUt.SplitCompile) Write64(header, 0x1234_5678_9abc_def0);
                if (UnitType is DwUt.Type or DwUt.SplitType)
                {
                    Write64(header, TypeSignature);
                    WriteOffset(header, 0); // type_offset, patched below
                }
            }
            else
            {
                WriteOffset(header, (ulong)abbrevOffset);
                header.WriteByte((byte)AddressSize);
            }
            var lengthSize = Offset64 ? 12 : 4;
            var dieBase = unitStart + lengthSize + header.Length; // absolute offset of the first DIE

            void WriteEntry(Entry e)
            {
                var at = dieBase + body.Length;
                if (e.LabelName is not null) labels[e.LabelName] = at;
                Uleb(body, e.ForcedCode ?? CodeOf(e));
                foreach (var a in e.Attributes) WriteValue(body, a, fixups, at);
                if (!e.HasChildren) return;
                foreach (var c in e.Children) WriteEntry(c);
                if (!e.OmitNullEntry) body.WriteByte(0);
            }
            WriteEntry(Root!);

            // Resolve references (unit-relative for ref1..ref8/ref_udata, absolute for ref_addr).
            var bytes = body.ToArray();
            foreach (var (position, label, form) in fixups)
            {
                if (!labels.TryGetValue(label, out var target)) throw new InvalidOperationException($"unknown DIE label {label}");
                var value = form == DwForm.RefAddr ? (ulong)target : (ulong)(target - unitStart);
                var span = bytes.AsSpan((int)position);
                switch (form)
                {
                    case DwForm.Ref1: span[0] = (byte)value; break;
                    case DwForm.Ref2: BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)value); break;
                    case DwForm.Ref4: BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)value); break;
                    case DwForm.Ref8: BinaryPrimitives.WriteUInt64LittleEndian(span, value); break;
                    case DwForm.RefAddr:
                        if (Offset64 || (Version <= 2 && AddressSize == 8)) BinaryPrimitives.WriteUInt64LittleEndian(span, value);
                        else BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)value);
                        break;
                    case DwForm.RefUdata:
                        // Fixed-width ULEB (5 bytes) reserved when written.
                        for (var i = 0; i < 5; i++) span[i] = (byte)(((value >> (7 * i)) & 0x7f) | (i < 4 ? 0x80u : 0u));
                        break;
                }
            }
            foreach (var (label, offset) in labels) layout[label] = offset;

            var headerBytes = header.ToArray();
            if (TypeLabel is not null && Version >= 5 && UnitType is DwUt.Type or DwUt.SplitType)
            {
                var typeOffset = (ulong)(labels[TypeLabel] - unitStart);
                var at = headerBytes.Length - (Offset64 ? 8 : 4);
                if (Offset64) BinaryPrimitives.WriteUInt64LittleEndian(headerBytes.AsSpan(at), typeOffset);
                else BinaryPrimitives.WriteUInt32LittleEndian(headerBytes.AsSpan(at), (uint)typeOffset);
            }
            var length = (ulong)(headerBytes.Length + bytes.Length + LengthAdjust);
            if (Offset64)
            {
                Write32(info, 0xffffffff);
                Write64(info, length);
            }
            else Write32(info, (uint)length);
            info.Write(headerBytes);
            info.Write(bytes);

            abbrev.WriteByte(0);
            abbrevSection.Write(abbrev.ToArray());
        }

        void WriteOffset(Stream s, ulong v)
        {
            if (Offset64) Write64(s, v);
            else Write32(s, (uint)v);
        }

        void WriteValue(MemoryStream s, Attribute a, List<(long, string, DwForm)> fixups, long dieOffset)
        {
            var form = a.Form;
            if (form == DwForm.Indirect)
            {
                form = a.IndirectForm!.Value;
                Uleb(s, (ulong)form);
            }
            ulong Num() => a.Value switch
            {
                null => 0,
                bool b => b ? 1UL : 0UL,
                int i => (ulong)i,
                long l => (ulong)l,
                uint u => u,
                ulong u => u,
                byte by => by,
                _ => throw new InvalidOperationException($"{a.Name}: {a.Value} is not a number"),
            };
            switch (form)
            {
                case DwForm.Addr: if (AddressSize == 8) Write64(s, Num()); else Write32(s, (uint)Num()); break;
                case DwForm.Data1 or DwForm.Flag or DwForm.Strx1 or DwForm.Addrx1: s.WriteByte((byte)Num()); break;
                case DwForm.Data2 or DwForm.Strx2 or DwForm.Addrx2: Write16(s, (ushort)Num()); break;
                case DwForm.Strx3 or DwForm.Addrx3: { var v = Num(); s.WriteByte((byte)v); s.WriteByte((byte)(v >> 8)); s.WriteByte((byte)(v >> 16)); break; }
                case DwForm.Data4 or DwForm.Strx4 or DwForm.Addrx4 or DwForm.RefSup4: Write32(s, (uint)Num()); break;
                case DwForm.Data8 or DwForm.RefSig8 or DwForm.RefSup8: Write64(s, Num()); break;
                case DwForm.Data16: s.Write((byte[])a.Value!); break;
                case DwForm.Sdata: Sleb(s, Convert.ToInt64(a.Value)); break;
                case DwForm.Udata or DwForm.Strx or DwForm.Addrx or DwForm.Loclistx or DwForm.Rnglistx: Uleb(s, Num()); break;
                case DwForm.String: s.Write(Encoding.UTF8.GetBytes((string)a.Value! + "\0")); break;
                case DwForm.Strp: WriteOffset(s, a.Value is string str ? (ulong)_owner.Str(str) : Num()); break;
                case DwForm.LineStrp: WriteOffset(s, a.Value is string ls ? (ulong)_owner.LineStr(ls) : Num()); break;
                case DwForm.SecOffset or DwForm.StrpSup: WriteOffset(s, Num()); break;
                case DwForm.FlagPresent or DwForm.ImplicitConst: break;
                case DwForm.Exprloc or DwForm.Block: { var b = (byte[])a.Value!; Uleb(s, (ulong)b.Length); s.Write(b); break; }
                case DwForm.Block1: { var b = (byte[])a.Value!; s.WriteByte((byte)b.Length); s.Write(b); break; }
                case DwForm.Block2: { var b = (byte[])a.Value!; Write16(s, (ushort)b.Length); s.Write(b); break; }
                case DwForm.Block4: { var b = (byte[])a.Value!; Write32(s, (uint)b.Length); s.Write(b); break; }
                case DwForm.Ref1 or DwForm.Ref2 or DwForm.Ref4 or DwForm.Ref8 or DwForm.RefUdata or DwForm.RefAddr:
                    if (a.Value is Ref r)
                    {
                        fixups.Add((s.Length, r.Label, form));
                        var size = form switch
                        {
                            DwForm.Ref1 => 1, DwForm.Ref2 => 2, DwForm.Ref4 => 4, DwForm.Ref8 => 8, DwForm.RefUdata => 5,
                            _ => Version <= 2 ? AddressSize : Offset64 ? 8 : 4, // DWARF 2 sized ref_addr like an address
                        };
                        s.Write(new byte[size]);
                    }
                    else
                    {
                        // A raw unit-relative (or absolute, for ref_addr) value.
                        switch (form)
                        {
                            case DwForm.Ref1: s.WriteByte((byte)Num()); break;
                            case DwForm.Ref2: Write16(s, (ushort)Num()); break;
                            case DwForm.Ref4: Write32(s, (uint)Num()); break;
                            case DwForm.Ref8: Write64(s, Num()); break;
                            case DwForm.RefUdata: Uleb(s, Num()); break;
                            default: WriteOffset(s, Num()); break;
                        }
                    }
                    break;
                default:
                    // An unknown form: write the value as one byte so the test controls the bytes.
                    s.WriteByte((byte)Num());
                    break;
            }
        }
    }
}
