using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using KdumpDebug.Core.Errors;

namespace KdumpDebug.Debuginfo.Elf;

/// <summary>
/// A read-only, memory-mapped ELF64 little-endian file (vmlinux, a kernel module, a debug file).
/// <para>
/// Opening parses and checks only the ELF header, the section header table and the section name
/// table: every field and offset is checked against the file size (ClrMD's ElfBoundsTests style)
/// and a corrupt file gives a one-line <see cref="DumpFormatException"/> naming the field. Section
/// contents are touched only when asked for, so the cost of opening does not depend on the size of
/// the debug sections. SHF_COMPRESSED sections are inflated on first request and cached.
/// </para>
/// <para>Thread-safe. Memory returned by <see cref="GetSectionBytes"/> for uncompressed sections
/// points into the mapping and is valid until <see cref="Dispose"/>.</para>
/// </summary>
public sealed class ElfFile : IDisposable
{
    readonly MappedFile _file;
    readonly ElfSection[] _sections;
    readonly Dictionary<string, int> _sectionsByName;
    readonly ConcurrentDictionary<int, Lazy<byte[]>> _decompressed = new();
    readonly Lazy<string?> _buildId;
    readonly ulong _programHeaderOffset;
    readonly int _programHeaderCount;
    readonly Lazy<ElfSegment[]> _segments;

    /// <summary>The path the file was opened from.</summary>
    public string Path { get; }

    /// <summary><c>e_type</c>.</summary>
    public ElfFileType Type { get; }

    /// <summary><c>e_machine</c> (62 = EM_X86_64).</summary>
    public ushort Machine { get; }

    /// <summary>Length of the file in bytes.</summary>
    public long Length => _file.Length;

    /// <summary>Every section header, in table order (index 0 is the SHT_NULL entry).</summary>
    public IReadOnlyList<ElfSection> Sections => _sections;

    /// <summary>Lower-case hex of the NT_GNU_BUILD_ID note, or null when the file has none.</summary>
    public string? BuildId => _buildId.Value;

    /// <summary>
    /// The link-time span of the allocated sections: lowest start and highest end of every
    /// SHF_ALLOC section placed at a non-zero address; (ulong.MaxValue, 0) when there is none.
    /// For a kernel image this is what moves with KASLR (crash's relocate()). Cheap: section headers only.
    /// </summary>
    public (ulong Start, ulong End) AllocatedSpan
    {
        get
        {
            ulong start = ulong.MaxValue, end = 0;
            foreach (var section in Sections)
            {
                if (!section.IsAllocated || section.Address == 0) continue;
                start = Math.Min(start, section.Address);
                end = Math.Max(end, unchecked(section.Address + section.Size));
            }
            return (start, end);
        }
    }

    ElfFile(string path, MappedFile file, ElfFileType type, ushort machine, ElfSection[] sections,
        ulong programHeaderOffset, int programHeaderCount)
    {
        Path = path;
        _file = file;
        Type = type;
        Machine = machine;
        _sections = sections;
        _programHeaderOffset = programHeaderOffset;
        _programHeaderCount = programHeaderCount;
        _sectionsByName = new Dictionary<string, int>(sections.Length, StringComparer.Ordinal);
        foreach (var s in sections)
            if (s.Name.Length > 0) _sectionsByName.TryAdd(s.Name, s.Index);
        _buildId = new Lazy<string?>(FindBuildId, LazyThreadSafetyMode.ExecutionAndPublication);
        _segments = new Lazy<ElfSegment[]>(ReadSegments, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Every program header (bounds checked when the file was opened), read on first use.</summary>
    public IReadOnlyList<ElfSegment> Segments => _segments.Value;

    ElfSegment[] ReadSegments()
    {
        var segments = new ElfSegment[_programHeaderCount];
        for (var i = 0; i < segments.Length; i++)
        {
            var ph = _file.Span((long)_programHeaderOffset + i * ElfConstants.Elf64ProgramHeaderSize, ElfConstants.Elf64ProgramHeaderSize);
            segments[i] = new ElfSegment(i,
                BinaryPrimitives.ReadUInt32LittleEndian(ph),
                BinaryPrimitives.ReadUInt32LittleEndian(ph[4..]),
                BinaryPrimitives.ReadUInt64LittleEndian(ph[8..]),
                BinaryPrimitives.ReadUInt64LittleEndian(ph[16..]),
                BinaryPrimitives.ReadUInt64LittleEndian(ph[24..]),
                BinaryPrimitives.ReadUInt64LittleEndian(ph[32..]),
                BinaryPrimitives.ReadUInt64LittleEndian(ph[40..]));
        }
        return segments;
    }

    /// <summary>
    /// Maps <paramref name="path"/> read-only and parses its headers. Cost: the ELF header and the
    /// section header table (a few KiB), independent of the file size.
    /// </summary>
    /// <exception cref="DumpFormatException">not an ELF64 little-endian file, or a header field or
    /// offset is out of range.</exception>
    public static ElfFile Open(string path)
    {
        var file = MappedFile.Open(path);
        try
        {
            return Parse(path, file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The first section named <paramref name="name"/>.</summary>
    public bool TryGetSection(string name, out ElfSection section)
    {
        if (_sectionsByName.TryGetValue(name, out var index))
        {
            section = _sections[index];
            return true;
        }
        section = null!;
        return false;
    }

    /// <summary>
    /// The contents of <paramref name="section"/>: a view of the mapping (no copy), or for an
    /// SHF_COMPRESSED section the inflated bytes (zlib or zstd; inflated once, then cached).
    /// SHT_NOBITS and SHT_NULL sections are empty.
    /// </summary>
    /// <exception cref="DumpFormatException">a compressed section is corrupt.</exception>
    public ReadOnlyMemory<byte> GetSectionBytes(ElfSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        if (section.Type is ElfConstants.ShtNobits or ElfConstants.ShtNull || section.Size == 0)
            return ReadOnlyMemory<byte>.Empty;
        if (section.IsCompressed)
            return _decompressed.GetOrAdd(section.Index,
                _ => new Lazy<byte[]>(() => SectionDecompressor.Decompress(this, section))).Value;
        return GetRawSectionBytes(section);
    }

    /// <summary>
    /// The contents of <paramref name="section"/> with the relocations of a relocatable file
    /// (ET_REL) applied: the SHT_RELA sections whose <c>sh_info</c> names it. Each section is placed
    /// at <paramref name="sectionAddress"/>(section), by default its <c>sh_addr</c> (0 in a kernel
    /// module, so addresses become section offsets). For other file types, or a section without
    /// relocations, the same as <see cref="GetSectionBytes"/>. Cost: a copy of the section and a
    /// pass over its relocations on every call; the caller caches.
    /// </summary>
    /// <exception cref="DumpFormatException">a relocation is corrupt or of an unsupported type.</exception>
    public ReadOnlyMemory<byte> GetRelocatedSectionBytes(ElfSection section, Func<ElfSection, ulong>? sectionAddress = null)
    {
        var bytes = GetSectionBytes(section);
        if (Type != ElfFileType.Relocatable || bytes.IsEmpty) return bytes;
        var hasRelocations = false;
        foreach (var s in _sections)
            if (s.Type == ElfConstants.ShtRela && s.Info == (uint)section.Index) { hasRelocations = true; break; }
        if (!hasRelocations) return bytes;
        return ElfRelocator.Apply(this, section, bytes.Span, sectionAddress ?? (s => s.Address));
    }

    /// <summary>
    /// The bytes of <paramref name="section"/> as stored in the file (still compressed for an
    /// SHF_COMPRESSED section). No copy.
    /// </summary>
    public ReadOnlyMemory<byte> GetRawSectionBytes(ElfSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        if (section.Type is ElfConstants.ShtNobits or ElfConstants.ShtNull || section.Size == 0)
            return ReadOnlyMemory<byte>.Empty;
        if (section.Size > int.MaxValue)
            throw new DumpFormatException(Path, (long)section.FileOffset, $"section {section.Index} ({section.Name}) sh_size",
                $"0x{section.Size:x} bytes is larger than 2 GiB, which this reader cannot map as one block");
        // Bounds were checked against the file length when the header table was parsed.
        return _file.Memory((long)section.FileOffset, (int)section.Size);
    }

    /// <summary>
    /// <paramref name="length"/> bytes at file offset <paramref name="offset"/>, or false when the
    /// range is not inside the file. No copy; valid until <see cref="Dispose"/>.
    /// </summary>
    public bool TryReadFileBytes(ulong offset, int length, out ReadOnlySpan<byte> bytes)
    {
        if (length < 0 || !_file.Contains(offset, (ulong)length))
        {
            bytes = default;
            return false;
        }
        bytes = _file.Span((long)offset, length);
        return true;
    }

    /// <summary>
    /// The first allocated section (SHF_ALLOC, NOBITS included) whose link-time address range holds
    /// <paramref name="address"/>, or false. Cost: a linear scan of the section headers.
    /// </summary>
    public bool TryFindSectionByAddress(ulong address, out ElfSection section)
    {
        foreach (var s in _sections)
        {
            if (!s.IsAllocated || s.Size == 0) continue;
            if (address >= s.Address && address - s.Address < s.Size)
            {
                section = s;
                return true;
            }
        }
        section = null!;
        return false;
    }

    public void Dispose() => _file.Dispose();

    /// <summary>
    /// Keeps the mapping valid until the returned lease is disposed, even if <see cref="Dispose"/>
    /// comes first (background work on the file); null when the file is already disposed.
    /// </summary>
    public IDisposable? TryLease() => _file.TryAddLease() ? new MappingLease(_file) : null;

    sealed class MappingLease(MappedFile file) : IDisposable
    {
        int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) file.ReleaseLease();
        }
    }

    static ElfFile Parse(string path, MappedFile file)
    {
        var length = (ulong)file.Length;
        if (length < ElfConstants.EiNident)
            throw new DumpFormatException(path, 0, "e_ident", $"file is {length} bytes, too short for an ELF identification (16 bytes)");
        var ident = file.Span(0, ElfConstants.EiNident);
        if (ident[0] != 0x7f || ident[1] != (byte)'E' || ident[2] != (byte)'L' || ident[3] != (byte)'F')
            throw new DumpFormatException(path, 0, "e_ident[EI_MAG]",
                $"magic is {ident[0]:x2} {ident[1]:x2} {ident[2]:x2} {ident[3]:x2}, not an ELF file (7f 45 4c 46)");
        if (ident[4] != ElfConstants.ElfClass64)
            throw new DumpFormatException(path, 4, "e_ident[EI_CLASS]", $"is {ident[4]}, only ELFCLASS64 (2) is supported");
        if (ident[5] != ElfConstants.ElfData2Lsb)
            throw new DumpFormatException(path, 5, "e_ident[EI_DATA]", $"is {ident[5]}, only little-endian ELFDATA2LSB (1) is supported");
        if (ident[6] != ElfConstants.EvCurrent)
            throw new DumpFormatException(path, 6, "e_ident[EI_VERSION]", $"is {ident[6]}, expected EV_CURRENT (1)");
        if (length < ElfConstants.Elf64HeaderSize)
            throw new DumpFormatException(path, 0, "ELF header", $"file is {length} bytes, too short for an ELF64 header (64 bytes)");

        var h = file.Span(0, ElfConstants.Elf64HeaderSize);
        var eType = BinaryPrimitives.ReadUInt16LittleEndian(h[16..]);
        var eMachine = BinaryPrimitives.ReadUInt16LittleEndian(h[18..]);
        var eVersion = BinaryPrimitives.ReadUInt32LittleEndian(h[20..]);
        var ePhoff = BinaryPrimitives.ReadUInt64LittleEndian(h[32..]);
        var eShoff = BinaryPrimitives.ReadUInt64LittleEndian(h[40..]);
        var eEhsize = BinaryPrimitives.ReadUInt16LittleEndian(h[52..]);
        var ePhentsize = BinaryPrimitives.ReadUInt16LittleEndian(h[54..]);
        var ePhnum = BinaryPrimitives.ReadUInt16LittleEndian(h[56..]);
        var eShentsize = BinaryPrimitives.ReadUInt16LittleEndian(h[58..]);
        var eShnum = BinaryPrimitives.ReadUInt16LittleEndian(h[60..]);
        var eShstrndx = BinaryPrimitives.ReadUInt16LittleEndian(h[62..]);

        if (eType is < 1 or > 4)
            throw new DumpFormatException(path, 16, "e_type", $"is {eType}, expected ET_REL, ET_EXEC, ET_DYN or ET_CORE (1-4)");
        if (eVersion != ElfConstants.EvCurrent)
            throw new DumpFormatException(path, 20, "e_version", $"is {eVersion}, expected EV_CURRENT (1)");
        if (eEhsize < ElfConstants.Elf64HeaderSize)
            throw new DumpFormatException(path, 52, "e_ehsize", $"is {eEhsize}, smaller than an ELF64 header (64)");

        // Section header table, with extended numbering (gABI "Extended Section Numbering"): when
        // there are SHN_LORESERVE or more sections, e_shnum is 0 and section 0's sh_size holds the
        // count; e_shstrndx is SHN_XINDEX and section 0's sh_link holds the index.
        var sections = Array.Empty<ElfSection>();
        ulong section0Size = 0;
        uint section0Link = 0, section0Info = 0;
        if (eShoff != 0)
        {
            if (eShentsize != ElfConstants.Elf64SectionHeaderSize)
                throw new DumpFormatException(path, 58, "e_shentsize", $"is {eShentsize}, expected 64 for ELF64");
            if (!file.Contains(eShoff, ElfConstants.Elf64SectionHeaderSize))
                throw new DumpFormatException(path, 40, "e_shoff", $"0x{eShoff:x} is past the end of the file (0x{length:x} bytes)");
            var s0 = file.Span((long)eShoff, ElfConstants.Elf64SectionHeaderSize);
            section0Size = BinaryPrimitives.ReadUInt64LittleEndian(s0[32..]);
            section0Link = BinaryPrimitives.ReadUInt32LittleEndian(s0[40..]);
            section0Info = BinaryPrimitives.ReadUInt32LittleEndian(s0[44..]);
            ulong count = eShnum != 0 ? eShnum : section0Size;
            var countField = eShnum != 0 ? "e_shnum" : "section 0 sh_size (extended e_shnum)";
            if (count > ElfLimits.MaxSections)
                throw new DumpFormatException(path, eShnum != 0 ? 60 : (long)eShoff + 32, countField,
                    $"{count} sections is more than the limit ({ElfLimits.MaxSections})");
            if (!file.Contains(eShoff, count * ElfConstants.Elf64SectionHeaderSize))
                throw new DumpFormatException(path, eShnum != 0 ? 60 : (long)eShoff + 32, countField,
                    $"{count} section headers at 0x{eShoff:x} run past the end of the file (0x{length:x} bytes)");
            sections = ReadSections(path, file, eShoff, (int)count, eShstrndx, section0Link);
        }
        else if (eShnum != 0)
        {
            throw new DumpFormatException(path, 60, "e_shnum", $"is {eShnum} but e_shoff is 0");
        }

        // Program headers are only used to find PT_NOTE when a file has no section headers.
        int phnum = ePhnum;
        if (ePhnum == 0xffff && eShoff != 0) phnum = (int)Math.Min(section0Info, int.MaxValue); // PN_XNUM
        if (phnum > 0 && ePhoff != 0)
        {
            if (ePhentsize != ElfConstants.Elf64ProgramHeaderSize)
                throw new DumpFormatException(path, 54, "e_phentsize", $"is {ePhentsize}, expected 56 for ELF64");
            if ((ulong)phnum > (ulong)KdumpDebug.Core.DataLimits.MaxProgramHeaders)
                throw new DumpFormatException(path, 56, "e_phnum", $"{phnum} program headers is more than the limit ({KdumpDebug.Core.DataLimits.MaxProgramHeaders})");
            if (!file.Contains(ePhoff, (ulong)phnum * ElfConstants.Elf64ProgramHeaderSize))
                throw new DumpFormatException(path, 32, "e_phoff",
                    $"{phnum} program headers at 0x{ePhoff:x} run past the end of the file (0x{length:x} bytes)");
        }
        else phnum = 0;

        return new ElfFile(path, file, (ElfFileType)eType, eMachine, sections, ePhoff, phnum);
    }

    static ElfSection[] ReadSections(string path, MappedFile file, ulong shoff, int count, ushort eShstrndx, uint section0Link)
    {
        var length = (ulong)file.Length;
        var raw = new (uint Name, uint Type, ulong Flags, ulong Addr, ulong Offset, ulong Size, uint Link, uint Info, ulong EntSize)[count];
        var table = file.Span((long)shoff, count * ElfConstants.Elf64SectionHeaderSize);
        for (var i = 0; i < count; i++)
        {
            var s = table.Slice(i * ElfConstants.Elf64SectionHeaderSize, ElfConstants.Elf64SectionHeaderSize);
            raw[i] = (BinaryPrimitives.ReadUInt32LittleEndian(s),
                BinaryPrimitives.ReadUInt32LittleEndian(s[4..]),
                BinaryPrimitives.ReadUInt64LittleEndian(s[8..]),
                BinaryPrimitives.ReadUInt64LittleEndian(s[16..]),
                BinaryPrimitives.ReadUInt64LittleEndian(s[24..]),
                BinaryPrimitives.ReadUInt64LittleEndian(s[32..]),
                BinaryPrimitives.ReadUInt32LittleEndian(s[40..]),
                BinaryPrimitives.ReadUInt32LittleEndian(s[44..]),
                BinaryPrimitives.ReadUInt64LittleEndian(s[56..]));
            if (i == 0) continue;
            var r = raw[i];
            if (r.Type != ElfConstants.ShtNobits && r.Type != ElfConstants.ShtNull && !file.Contains(r.Offset, r.Size))
                throw new DumpFormatException(path, (long)(shoff + (ulong)i * 64 + 24), $"section {i} sh_offset/sh_size",
                    $"0x{r.Offset:x} + 0x{r.Size:x} runs past the end of the file (0x{length:x} bytes)");
        }

        // The section name string table.
        uint shstrndx = eShstrndx == ElfConstants.ShnXindex ? section0Link : eShstrndx;
        ReadOnlySpan<byte> names = default;
        if (shstrndx != ElfConstants.ShnUndef)
        {
            if (shstrndx >= (uint)count)
                throw new DumpFormatException(path, 62, eShstrndx == ElfConstants.ShnXindex ? "section 0 sh_link (extended e_shstrndx)" : "e_shstrndx",
                    $"section {shstrndx} is past the last section ({count - 1})");
            var n = raw[shstrndx];
            if (n.Type == ElfConstants.ShtNobits || n.Size > int.MaxValue)
                throw new DumpFormatException(path, 62, "e_shstrndx", $"section {shstrndx} is not a string table (sh_type {n.Type}, sh_size 0x{n.Size:x})");
            names = file.Span((long)n.Offset, (int)n.Size);
        }

        var sections = new ElfSection[count];
        var nameCache = new Dictionary<uint, string>();
        for (var i = 0; i < count; i++)
        {
            var r = raw[i];
            string name = "";
            if (r.Name != 0 || i != 0)
            {
                if (!nameCache.TryGetValue(r.Name, out var cached))
                {
                    if (shstrndx == ElfConstants.ShnUndef)
                        cached = "";
                    else
                    {
                        if (r.Name >= (uint)names.Length)
                            throw new DumpFormatException(path, (long)(shoff + (ulong)i * 64), $"section {i} sh_name",
                                $"0x{r.Name:x} is past the end of the section name table (0x{names.Length:x} bytes)");
                        var tail = names[(int)r.Name..];
                        var end = tail.IndexOf((byte)0);
                        if (end < 0)
                            throw new DumpFormatException(path, (long)(shoff + (ulong)i * 64), $"section {i} sh_name",
                                $"name at 0x{r.Name:x} is not NUL-terminated inside the section name table");
                        cached = Encoding.UTF8.GetString(tail[..end]);
                    }
                    nameCache[r.Name] = cached;
                }
                name = cached;
            }
            sections[i] = new ElfSection(i, name, r.Type, r.Flags, r.Addr, r.Offset, r.Size, r.Link, r.Info, r.EntSize);
        }
        return sections;
    }

    string? FindBuildId()
    {
        foreach (var s in _sections)
        {
            if (s.Type != ElfConstants.ShtNote || s.IsCompressed) continue;
            var bytes = GetRawSectionBytes(s).Span;
            var id = ElfNotes.FindGnuBuildId(Path, bytes, (long)s.FileOffset, $"section {s.Index} ({s.Name})");
            if (id is not null) return id;
        }
        // Files without section headers (or without SHT_NOTE sections): PT_NOTE segments.
        for (var i = 0; i < _programHeaderCount; i++)
        {
            var ph = _file.Span((long)_programHeaderOffset + i * ElfConstants.Elf64ProgramHeaderSize, ElfConstants.Elf64ProgramHeaderSize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(ph) != ElfConstants.PtNote) continue;
            var offset = BinaryPrimitives.ReadUInt64LittleEndian(ph[8..]);
            var size = BinaryPrimitives.ReadUInt64LittleEndian(ph[32..]);
            if (!_file.Contains(offset, size) || size > int.MaxValue)
                throw new DumpFormatException(Path, (long)_programHeaderOffset + i * ElfConstants.Elf64ProgramHeaderSize + 8,
                    $"program header {i} p_offset/p_filesz", $"0x{offset:x} + 0x{size:x} runs past the end of the file (0x{Length:x} bytes)");
            var id = ElfNotes.FindGnuBuildId(Path, _file.Span((long)offset, (int)size), (long)offset, $"PT_NOTE segment {i}");
            if (id is not null) return id;
        }
        return null;
    }
}
