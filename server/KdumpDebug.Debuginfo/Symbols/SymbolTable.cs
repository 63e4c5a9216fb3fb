using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Elf;

namespace KdumpDebug.Debuginfo.Symbols;

/// <summary>
/// The defined symbols of an ELF file (<c>.symtab</c>, else <c>.dynsym</c>), indexed by name and
/// sorted by address the way <c>nm -n</c> sorts them (address, then name in byte order, as the
/// kernel's System.map under LC_COLLATE=C).
/// <para>
/// Section and file symbols, undefined symbols and symbols with empty names are left out here;
/// a kernel image also gets crash's own table (<see cref="Crash"/>), which keeps section symbols.
/// Build cost: one pass over the symbol table (names decoded once), two sorts, and two name
/// dictionaries; about 45,000 symbols for the fixture vmlinux. Immutable and thread-safe once built.
/// </para>
/// </summary>
public sealed class SymbolTable
{
    readonly ElfSymbol[] _sorted;
    readonly IReadOnlyList<ElfSymbol> _sortedView;
    readonly ulong[] _addresses;
    // Per sorted symbol: the end of the segment (ET_REL: section) holding it, bounding how far
    // past its address a symbol without a covering size may be named.
    readonly ulong[] _extentEnd;
    readonly SymbolNameChains _byName;

    SymbolTable(ElfSymbol[] sorted, ulong[] extentEnd, CrashSymbolTable? crash)
    {
        _sorted = sorted;
        Crash = crash;
        _sortedView = Array.AsReadOnly(sorted);
        _extentEnd = extentEnd;
        _addresses = new ulong[sorted.Length];
        for (var i = 0; i < sorted.Length; i++) _addresses[i] = sorted[i].Address;
        _byName = new SymbolNameChains(sorted);
    }

    /// <summary>An empty table (a file without symbols).</summary>
    public static SymbolTable Empty { get; } = new([], [], null);

    /// <summary>
    /// crash's kernel symbol table for this file (section symbols, stripped clone names, nothing
    /// before <c>_text</c> but per-cpu variables), or null when the file is not a kernel image
    /// (a relocatable module, or no <c>_text</c>/<c>_stext</c>). Built with the table.
    /// </summary>
    public CrashSymbolTable? Crash { get; }

    /// <summary>Number of symbols kept.</summary>
    public int Count => _sorted.Length;

    /// <summary>All symbols by ascending address; equal addresses in byte order of their names.</summary>
    public IReadOnlyList<ElfSymbol> SortedByAddress => _sortedView;

    /// <summary>
    /// Reads the symbols of <paramref name="elf"/> at their link-time addresses; the symbols of a
    /// relocatable file (ET_REL) are at their section's <c>sh_addr</c> (0 in a kernel module) plus
    /// <c>st_value</c>. An ELF without a symbol table gives an empty table.
    /// </summary>
    /// <exception cref="DumpFormatException">the symbol table or its string table is corrupt.</exception>
    public static SymbolTable FromElf(ElfFile elf) => FromElf(elf, null);

    /// <summary>
    /// Like <see cref="FromElf(ElfFile)"/>, but for ET_REL files places each section at
    /// <paramref name="sectionAddress"/>(section): e.g. a module's sections at the addresses the
    /// kernel loaded them (crash's <c>mod -s</c>). Ignored for other file types.
    /// </summary>
    public static SymbolTable FromElf(ElfFile elf, Func<ElfSection, ulong>? sectionAddress)
    {
        ArgumentNullException.ThrowIfNull(elf);
        ElfSection? symtab = null;
        foreach (var s in elf.Sections)
            if (s.Type == ElfConstants.ShtSymtab) { symtab = s; break; }
        if (symtab is null)
            foreach (var s in elf.Sections)
                if (s.Type == ElfConstants.ShtDynsym) { symtab = s; break; }
        if (symtab is null) return Empty;
        return Read(elf, symtab, sectionAddress);
    }

    static SymbolTable Read(ElfFile elf, ElfSection symtab, Func<ElfSection, ulong>? sectionAddress)
    {
        var path = elf.Path;
        var where = $"section {symtab.Index} ({symtab.Name})";
        if (symtab.EntrySize != ElfConstants.Elf64SymbolSize)
            throw new DumpFormatException(path, (long)symtab.FileOffset, $"{where} sh_entsize",
                $"is {symtab.EntrySize}, expected {ElfConstants.Elf64SymbolSize} (Elf64_Sym)");
        var sections = elf.Sections;
        if (symtab.Link == 0 || symtab.Link >= (uint)sections.Count || sections[(int)symtab.Link].Type != ElfConstants.ShtStrtab)
            throw new DumpFormatException(path, (long)symtab.FileOffset, $"{where} sh_link",
                $"{symtab.Link} is not a string table section");
        var strtabSection = sections[(int)symtab.Link];
        var count = symtab.Size / ElfConstants.Elf64SymbolSize;
        if (count > ElfLimits.MaxSymbols)
            throw new DumpFormatException(path, (long)symtab.FileOffset, $"{where} sh_size",
                $"{count} symbols is more than the limit ({ElfLimits.MaxSymbols})");
        var symbols = elf.GetSectionBytes(symtab).Span;
        var strtab = elf.GetSectionBytes(strtabSection).Span;

        // SHT_SYMTAB_SHNDX: 32-bit section indexes of symbols whose st_shndx is SHN_XINDEX.
        ReadOnlySpan<byte> shndxTable = default;
        foreach (var s in sections)
            if (s.Type == ElfConstants.ShtSymtabShndx && s.Link == (uint)symtab.Index)
            {
                shndxTable = elf.GetSectionBytes(s).Span;
                break;
            }

        var isRelocatable = elf.Type == ElfFileType.Relocatable;
        var letters = new char[sections.Count];
        var bases = new ulong[sections.Count];
        for (var i = 0; i < letters.Length; i++)
        {
            letters[i] = NmTypeClassifier.SectionLetter(sections[i]);
            bases[i] = isRelocatable && sectionAddress is not null ? sectionAddress(sections[i]) : sections[i].Address;
        }

        var list = new List<ElfSymbol>((int)count);
        // crash's view of a kernel image needs every defined symbol, in symbol-table order.
        var everything = isRelocatable ? null : new List<ElfSymbol>((int)count);
        var names = new Dictionary<int, string>();
        for (var i = 1; i < (int)count; i++)
        {
            var e = symbols.Slice(i * ElfConstants.Elf64SymbolSize, ElfConstants.Elf64SymbolSize);
            var nameOffset = BinaryPrimitives.ReadUInt32LittleEndian(e);
            var info = e[4];
            var shndx = BinaryPrimitives.ReadUInt16LittleEndian(e[6..]);
            var value = BinaryPrimitives.ReadUInt64LittleEndian(e[8..]);
            var size = BinaryPrimitives.ReadUInt64LittleEndian(e[16..]);
            var type = (byte)(info & 0xf);
            var bind = (byte)(info >> 4);
            if (shndx == ElfConstants.ShnUndef) continue;
            var entryOffset = (long)symtab.FileOffset + i * ElfConstants.Elf64SymbolSize;

            int sectionIndex;
            if (shndx == ElfConstants.ShnXindex)
            {
                if ((i + 1) * 4 > shndxTable.Length)
                    throw new DumpFormatException(path, entryOffset + 6, $"symbol {i} st_shndx",
                        "is SHN_XINDEX but no SHT_SYMTAB_SHNDX entry holds its section index");
                var x = BinaryPrimitives.ReadUInt32LittleEndian(shndxTable[(i * 4)..]);
                if (x == 0 || x >= (uint)sections.Count)
                    throw new DumpFormatException(path, entryOffset + 6, $"symbol {i} st_shndx",
                        $"extended section index {x} is not a section (there are {sections.Count})");
                sectionIndex = (int)x;
            }
            else if (shndx >= ElfConstants.ShnLoreserve)
            {
                sectionIndex = shndx switch
                {
                    ElfConstants.ShnAbs => ElfSymbol.AbsoluteSection,
                    ElfConstants.ShnCommon => ElfSymbol.CommonSection,
                    _ => ElfSymbol.OtherSpecialSection,
                };
            }
            else
            {
                if (shndx >= sections.Count)
                    throw new DumpFormatException(path, entryOffset + 6, $"symbol {i} st_shndx",
                        $"section {shndx} is past the last section ({sections.Count - 1})");
                sectionIndex = shndx;
            }

            var name = DecodeName(path, strtab, strtabSection, nameOffset, i, entryOffset, names);
            // BFD names an unnamed section symbol after its section (bfd_elf_sym_name).
            if (type == ElfConstants.SttSection && name.Length == 0 && sectionIndex > 0) name = sections[sectionIndex].Name;
            var letter = NmTypeClassifier.Classify(bind, type, sectionIndex, sectionIndex > 0 ? letters[sectionIndex] : '?');
            var address = value;
            if (isRelocatable && sectionIndex > 0) address = unchecked(bases[sectionIndex] + value);
            var symbol = new ElfSymbol(name, address, size, KindOf(type), bind != ElfConstants.StbLocal, sectionIndex, letter);
            everything?.Add(symbol);
            if (IsNamedSymbol(symbol)) list.Add(symbol);
        }

        // One sort serves both tables: crash's is every defined symbol in nm order, filtered by its
        // rules, and this one is the same order without section, file and unnamed symbols.
        ElfSymbol[] sorted;
        CrashSymbolTable? crash = null;
        if (everything is null)
        {
            sorted = NmOrder.Sorted(list);
        }
        else
        {
            var order = NmOrder.Sort(everything);
            var (allocatedStart, allocatedEnd) = elf.AllocatedSpan;
            crash = CrashSymbolTable.Build(everything, order, allocatedStart, allocatedEnd);
            sorted = new ElfSymbol[list.Count];
            var n = 0;
            foreach (var index in order)
                if (IsNamedSymbol(everything[index])) sorted[n++] = everything[index];
        }
        // How far a symbol may extend past its own address: to the end of the PT_LOAD segment
        // holding it (crash also names padding between sections, e.g. "_etext+1046286"), or for a
        // relocatable file, or a file without segments, to the end of its section.
        var loads = isRelocatable ? [] : elf.Segments.Where(g => g.Type == ElfSegment.PtLoad && g.MemorySize > 0).ToArray();
        var extentEnd = new ulong[sorted.Length];
        for (var i = 0; i < sorted.Length; i++)
        {
            var s = sorted[i];
            var end = s.Address;
            if (loads.Length > 0)
            {
                foreach (var g in loads)
                    if (g.Contains(s.Address)) { end = g.VirtualAddress + g.MemorySize; break; }
            }
            else if (s.SectionIndex > 0)
                end = unchecked(bases[s.SectionIndex] + sections[s.SectionIndex].Size);
            extentEnd[i] = end;
        }
        return new SymbolTable(sorted, extentEnd, crash);
    }

    // What this table keeps: a named symbol that is not a section or file symbol.
    static bool IsNamedSymbol(in ElfSymbol s) => s.Name.Length > 0 && s.Kind is not (SymbolKind.Section or SymbolKind.File);

    static string DecodeName(string path, ReadOnlySpan<byte> strtab, ElfSection strtabSection, uint offset, int index,
        long entryOffset, Dictionary<int, string> cache)
    {
        if (offset >= (uint)strtab.Length)
            throw new DumpFormatException(path, entryOffset, $"symbol {index} st_name",
                $"0x{offset:x} is past the end of {strtabSection.Name} (0x{strtab.Length:x} bytes)");
        if (cache.TryGetValue((int)offset, out var cached)) return cached;
        var tail = strtab[(int)offset..];
        var end = tail.IndexOf((byte)0);
        if (end < 0)
            throw new DumpFormatException(path, entryOffset, $"symbol {index} st_name",
                $"name at 0x{offset:x} is not NUL-terminated inside {strtabSection.Name}");
        var name = Encoding.UTF8.GetString(tail[..end]);
        cache[(int)offset] = name;
        return name;
    }

    internal static SymbolKind KindOf(byte type) => type switch
    {
        ElfConstants.SttObject => SymbolKind.Object,
        ElfConstants.SttFunc or ElfConstants.SttGnuIfunc => SymbolKind.Function,
        ElfConstants.SttSection => SymbolKind.Section,
        ElfConstants.SttFile => SymbolKind.File,
        ElfConstants.SttCommon => SymbolKind.Common,
        ElfConstants.SttTls => SymbolKind.Tls,
        _ => SymbolKind.NoType,
    };

    /// <summary>
    /// The symbol named exactly <paramref name="name"/>. When several share the name, prefers a
    /// global one, then one that is not absolute (text/data over SHN_ABS), then the lowest address.
    /// </summary>
    public bool TryLookup(string name, out ElfSymbol symbol)
    {
        ArgumentNullException.ThrowIfNull(name);
        var i = _byName.First(name);
        if (i < 0)
        {
            symbol = default;
            return false;
        }
        var best = i;
        for (var j = _byName.Next(i); j >= 0; j = _byName.Next(j))
            if (LookupRank(_sorted[j]) > LookupRank(_sorted[best])) best = j;
        symbol = _sorted[best];
        return true;
    }

    static int LookupRank(in ElfSymbol s) => (s.IsGlobal ? 2 : 0) + (s.IsAbsolute ? 0 : 1);

    /// <summary>Every symbol named <paramref name="name"/>, by ascending address (empty when none).</summary>
    public IReadOnlyList<ElfSymbol> LookupAll(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var result = new List<ElfSymbol>();
        for (var j = _byName.First(name); j >= 0; j = _byName.Next(j)) result.Add(_sorted[j]);
        return result;
    }

    /// <summary>
    /// The symbol crash's <c>sym ADDR</c> names for <paramref name="address"/>, with
    /// <paramref name="offset"/> the distance from it. For a kernel image this is crash's
    /// value_search() over <see cref="Crash"/> (see <see cref="CrashSymbolTable.TryFindByAddress"/>):
    /// section symbols and stripped names included, padding named after the symbol before it, false
    /// below <c>_text</c> (per-cpu offsets, absolute values) and past the last symbol.
    /// For other files (a module's ET_REL symbols placed by the caller) it is the highest-addressed
    /// symbol at or below the address:
    /// <list type="bullet">
    /// <item>On a symbol's own address: the first symbol there in System.map order, except that a
    /// text-region delimiter (any <c>*_text_start</c>) gives way to the next symbol there.</item>
    /// <item>Inside: the last symbol at that address in System.map order.</item>
    /// <item>The address must be below the next higher symbol, or inside the symbol's size, and
    /// inside the same section (ET_REL) or PT_LOAD segment as the symbol.</item>
    /// </list>
    /// Cost: one binary search. Addresses are link-time: subtract the KASLR offset first.
    /// </summary>
    public bool TryFindByAddress(ulong address, out ElfSymbol symbol, out ulong offset)
    {
        if (Crash is not null) return Crash.TryFindByAddress(address, out symbol, out offset);
        symbol = default;
        offset = 0;
        // Last index whose address is <= address.
        var hi = UpperBound(address) - 1;
        if (hi < 0) return false;
        var lo = hi;
        while (lo > 0 && _addresses[lo - 1] == _addresses[hi]) lo--;

        int chosen;
        if (_addresses[hi] == address)
        {
            chosen = lo;
            while (chosen < hi && _sorted[chosen].Name.EndsWith("_text_start", StringComparison.Ordinal)) chosen++;
        }
        else
        {
            chosen = hi;
            var inside = false;
            for (var i = lo; i <= hi && !inside; i++) inside = _sorted[i].Covers(address);
            if (!inside)
            {
                if (hi + 1 >= _sorted.Length || address >= _addresses[hi + 1]) return false;
                if (address >= _extentEnd[hi]) return false;
            }
        }
        symbol = _sorted[chosen];
        offset = address - symbol.Address;
        return true;
    }

    int UpperBound(ulong address)
    {
        int lo = 0, hi = _addresses.Length;
        while (lo < hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            if (_addresses[mid] <= address) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
