using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace KdumpDebug.TestSupport;

/// <summary>
/// Builds small ELF64 little-endian (x86-64) files in code for unit and bounds tests: sections
/// with contents, SHT_NOBITS sections, a symbol table with its string table, notes (the GNU
/// build-id), SHF_COMPRESSED sections (zlib or zstd), PT_LOAD program headers, and extended section
/// numbering when there are SHN_LORESERVE (0xff00) or more sections. <see cref="Build"/> lays the
/// file out as: ELF header, program headers, section contents, .shstrtab, section header table.
/// Tests corrupt the result with <see cref="Patch16"/>-style helpers at offsets from <see cref="Layout"/>.
/// </summary>
public sealed class ElfBuilder
{
    // ELF constants used by tests (gABI names).
    public const ushort EtRel = 1, EtExec = 2, EtDyn = 3, EtCore = 4;
    public const uint ShtProgbits = 1, ShtSymtab = 2, ShtStrtab = 3, ShtRela = 4, ShtNote = 7, ShtNobits = 8, ShtSymtabShndx = 18;
    public const ulong ShfWrite = 1, ShfAlloc = 2, ShfExecinstr = 4, ShfCompressed = 0x800;
    public const byte StbLocal = 0, StbGlobal = 1, StbWeak = 2;
    public const byte SttNotype = 0, SttObject = 1, SttFunc = 2, SttSection = 3, SttFile = 4;
    public const ushort ShnAbs = 0xfff1, ShnCommon = 0xfff2;

    sealed record Section(string Name, uint Type, ulong Flags, byte[] Data, ulong Address, ulong Size, uint Link, uint Info, ulong EntrySize, ulong Align);
    sealed record Symbol(string Name, ulong Value, ulong Size, byte Type, byte Bind, int SectionIndex);

    readonly List<Section> _sections = [new("", 0, 0, [], 0, 0, 0, 0, 0, 0)];
    readonly List<Symbol> _symbols = [];
    readonly List<(uint Type, ulong VirtualAddress, ulong MemorySize)> _segments = [];

    /// <summary><c>e_type</c> (default ET_EXEC).</summary>
    public ushort Type { get; set; } = EtExec;

    /// <summary>Offsets in the last built image, for tests that corrupt it.</summary>
    public ElfLayout Layout { get; private set; } = new(0, 0, 0, new Dictionary<string, long>());

    /// <summary>Adds a section with contents; returns its index.</summary>
    public int AddSection(string name, uint type, ulong flags, byte[] data, ulong address = 0, uint link = 0, uint info = 0, ulong entrySize = 0, ulong align = 1)
    {
        _sections.Add(new Section(name, type, flags, data, address, (ulong)data.Length, link, info, entrySize, align));
        return _sections.Count - 1;
    }

    /// <summary>Adds an SHT_NOBITS section (no bytes in the file); returns its index.</summary>
    public int AddNobits(string name, ulong flags, ulong address, ulong size)
    {
        _sections.Add(new Section(name, ShtNobits, flags, [], address, size, 0, 0, 0, 1));
        return _sections.Count - 1;
    }

    /// <summary>Adds an SHF_COMPRESSED section holding <paramref name="plain"/> compressed with zlib (chType 1) or zstd (2).</summary>
    public int AddCompressedSection(string name, byte[] plain, uint chType = 1, ulong? declaredSize = null)
    {
        byte[] payload;
        if (chType == 2)
        {
            using var c = new ZstdSharp.Compressor(3);
            payload = c.Wrap(plain).ToArray();
        }
        else
        {
            using var ms = new MemoryStream();
            using (var z = new ZLibStream(ms, CompressionLevel.Optimal, leaveOpen: true)) z.Write(plain);
            payload = ms.ToArray();
        }
        var data = new byte[24 + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(data, chType);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(8), declaredSize ?? (ulong)plain.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(16), 1);
        payload.CopyTo(data, 24);
        return AddSection(name, ShtProgbits, ShfCompressed, data);
    }

    /// <summary>Adds a <c>.note.gnu.build-id</c> section with an NT_GNU_BUILD_ID note.</summary>
    public int AddBuildId(byte[] id) => AddSection(".note.gnu.build-id", ShtNote, ShfAlloc, Note("GNU", 3, id), align: 4);

    /// <summary>One ELF note (namesz, descsz, type, name, desc, each padded to 4 bytes).</summary>
    public static byte[] Note(string name, uint type, byte[] desc)
    {
        var nameBytes = Encoding.ASCII.GetBytes(name + "\0");
        var nameLen = (nameBytes.Length + 3) & ~3;
        var descLen = (desc.Length + 3) & ~3;
        var note = new byte[12 + nameLen + descLen];
        BinaryPrimitives.WriteUInt32LittleEndian(note, (uint)nameBytes.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(note.AsSpan(4), (uint)desc.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(note.AsSpan(8), type);
        nameBytes.CopyTo(note, 12);
        desc.CopyTo(note, 12 + nameLen);
        return note;
    }

    /// <summary>Adds a symbol to <c>.symtab</c> (written at <see cref="Build"/>, locals first).
    /// <paramref name="sectionIndex"/> is a section index or ShnAbs/ShnCommon.</summary>
    public ElfBuilder AddSymbol(string name, ulong value, ulong size, byte type, byte bind, int sectionIndex)
    {
        _symbols.Add(new Symbol(name, value, size, type, bind, sectionIndex));
        return this;
    }

    /// <summary>Adds a program header (default PT_LOAD) covering [vaddr, vaddr+memsz) with no file bytes.</summary>
    public ElfBuilder AddSegment(ulong virtualAddress, ulong memorySize, uint type = 1)
    {
        _segments.Add((type, virtualAddress, memorySize));
        return this;
    }

    /// <summary>Number of sections so far, the null section included.</summary>
    public int SectionCount => _sections.Count;

    /// <summary>Lays out and returns the file.</summary>
    public byte[] Build()
    {
        var sections = new List<Section>(_sections);
        if (_symbols.Count > 0) AppendSymbolTable(sections);

        var shstrtab = new MemoryStream();
        shstrtab.WriteByte(0);
        var nameOffsets = new Dictionary<string, int>();
        int NameOffset(string n)
        {
            if (n.Length == 0) return 0;
            if (nameOffsets.TryGetValue(n, out var o)) return o;
            o = (int)shstrtab.Length;
            var b = Encoding.UTF8.GetBytes(n + "\0");
            shstrtab.Write(b);
            nameOffsets[n] = o;
            return o;
        }
        foreach (var s in sections) NameOffset(s.Name);
        NameOffset(".shstrtab");
        sections.Add(new Section(".shstrtab", ShtStrtab, 0, shstrtab.ToArray(), 0, (ulong)shstrtab.Length, 0, 0, 0, 1));

        var image = new MemoryStream();
        image.Write(new byte[64]);
        var phoff = _segments.Count > 0 ? (int)image.Length : 0;
        foreach (var (type, vaddr, memsz) in _segments)
        {
            var ph = new byte[56];
            BinaryPrimitives.WriteUInt32LittleEndian(ph, type);
            BinaryPrimitives.WriteUInt32LittleEndian(ph.AsSpan(4), 5);
            BinaryPrimitives.WriteUInt64LittleEndian(ph.AsSpan(16), vaddr);
            BinaryPrimitives.WriteUInt64LittleEndian(ph.AsSpan(24), vaddr);
            BinaryPrimitives.WriteUInt64LittleEndian(ph.AsSpan(40), memsz);
            image.Write(ph);
        }
        var offsets = new long[sections.Count];
        for (var i = 1; i < sections.Count; i++)
        {
            while (image.Length % 8 != 0) image.WriteByte(0);
            offsets[i] = image.Length;
            image.Write(sections[i].Data);
        }
        while (image.Length % 8 != 0) image.WriteByte(0);
        var shoff = image.Length;
        var count = sections.Count;
        var shstrndx = count - 1;
        var extended = count >= 0xff00;
        for (var i = 0; i < count; i++)
        {
            var s = sections[i];
            var h = new byte[64];
            BinaryPrimitives.WriteUInt32LittleEndian(h, (uint)NameOffset(s.Name));
            BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(4), s.Type);
            BinaryPrimitives.WriteUInt64LittleEndian(h.AsSpan(8), s.Flags);
            BinaryPrimitives.WriteUInt64LittleEndian(h.AsSpan(16), s.Address);
            BinaryPrimitives.WriteUInt64LittleEndian(h.AsSpan(24), (ulong)offsets[i]);
            var size = s.Size;
            var link = s.Link;
            if (i == 0 && extended)
            {
                size = (ulong)count;
                if (shstrndx >= 0xff00) link = (uint)shstrndx;
            }
            BinaryPrimitives.WriteUInt64LittleEndian(h.AsSpan(32), size);
            BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(40), link);
            BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(44), s.Info);
            BinaryPrimitives.WriteUInt64LittleEndian(h.AsSpan(48), s.Align);
            BinaryPrimitives.WriteUInt64LittleEndian(h.AsSpan(56), s.EntrySize);
            image.Write(h);
        }

        var bytes = image.ToArray();
        var e = bytes.AsSpan();
        e[0] = 0x7f; e[1] = (byte)'E'; e[2] = (byte)'L'; e[3] = (byte)'F';
        e[4] = 2; e[5] = 1; e[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(e[16..], Type);
        BinaryPrimitives.WriteUInt16LittleEndian(e[18..], 62);
        BinaryPrimitives.WriteUInt32LittleEndian(e[20..], 1);
        BinaryPrimitives.WriteUInt64LittleEndian(e[32..], (ulong)phoff);
        BinaryPrimitives.WriteUInt64LittleEndian(e[40..], (ulong)shoff);
        BinaryPrimitives.WriteUInt16LittleEndian(e[52..], 64);
        BinaryPrimitives.WriteUInt16LittleEndian(e[54..], 56);
        BinaryPrimitives.WriteUInt16LittleEndian(e[56..], (ushort)_segments.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(e[58..], 64);
        BinaryPrimitives.WriteUInt16LittleEndian(e[60..], extended ? (ushort)0 : (ushort)count);
        BinaryPrimitives.WriteUInt16LittleEndian(e[62..], shstrndx >= 0xff00 ? (ushort)0xffff : (ushort)shstrndx);

        var byName = new Dictionary<string, long>();
        for (var i = 1; i < count; i++) byName.TryAdd(sections[i].Name, offsets[i]);
        Layout = new ElfLayout(shoff, count, offsets[^1], byName);
        return bytes;
    }

    /// <summary>Builds and writes the file to <paramref name="path"/>; returns the path.</summary>
    public string WriteTo(string path)
    {
        File.WriteAllBytes(path, Build());
        return path;
    }

    void AppendSymbolTable(List<Section> sections)
    {
        var strtab = new MemoryStream();
        strtab.WriteByte(0);
        var ordered = _symbols.Where(s => s.Bind == StbLocal).Concat(_symbols.Where(s => s.Bind != StbLocal)).ToList();
        var firstGlobal = 1 + ordered.Count(s => s.Bind == StbLocal);
        var symtab = new byte[24 * (ordered.Count + 1)];
        var needXindex = ordered.Any(s => s.SectionIndex >= 0xff00 && s.SectionIndex != ShnAbs && s.SectionIndex != ShnCommon);
        var xindex = new byte[needXindex ? 4 * (ordered.Count + 1) : 0];
        for (var i = 0; i < ordered.Count; i++)
        {
            var s = ordered[i];
            var e = symtab.AsSpan(24 * (i + 1), 24);
            var nameOffset = (uint)strtab.Length;
            strtab.Write(Encoding.UTF8.GetBytes(s.Name + "\0"));
            BinaryPrimitives.WriteUInt32LittleEndian(e, nameOffset);
            e[4] = (byte)((s.Bind << 4) | s.Type);
            ushort shndx;
            if (s.SectionIndex is ShnAbs or ShnCommon) shndx = (ushort)s.SectionIndex;
            else if (s.SectionIndex >= 0xff00)
            {
                shndx = 0xffff;
                BinaryPrimitives.WriteUInt32LittleEndian(xindex.AsSpan(4 * (i + 1)), (uint)s.SectionIndex);
            }
            else shndx = (ushort)s.SectionIndex;
            BinaryPrimitives.WriteUInt16LittleEndian(e[6..], shndx);
            BinaryPrimitives.WriteUInt64LittleEndian(e[8..], s.Value);
            BinaryPrimitives.WriteUInt64LittleEndian(e[16..], s.Size);
        }
        var symtabIndex = sections.Count;
        sections.Add(new Section(".symtab", ShtSymtab, 0, symtab, 0, (ulong)symtab.Length, (uint)(symtabIndex + 1), (uint)firstGlobal, 24, 8));
        sections.Add(new Section(".strtab", ShtStrtab, 0, strtab.ToArray(), 0, (ulong)strtab.Length, 0, 0, 0, 1));
        if (needXindex)
            sections.Add(new Section(".symtab_shndx", ShtSymtabShndx, 0, xindex, 0, (ulong)xindex.Length, (uint)symtabIndex, 0, 4, 4));
    }

    /// <summary>Writes a little-endian value into <paramref name="image"/> at <paramref name="offset"/>.</summary>
    public static void Patch16(byte[] image, long offset, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan((int)offset), value);
    public static void Patch32(byte[] image, long offset, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan((int)offset), value);
    public static void Patch64(byte[] image, long offset, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan((int)offset), value);
}

/// <summary>Where <see cref="ElfBuilder.Build"/> put things: the section header table, its entry count, and each section's file offset by name.</summary>
public sealed record ElfLayout(long SectionHeaderOffset, int SectionCount, long ShstrtabOffset, IReadOnlyDictionary<string, long> SectionOffsets)
{
    /// <summary>File offset of section header <paramref name="index"/>.</summary>
    public long SectionHeader(int index) => SectionHeaderOffset + 64L * index;
}
