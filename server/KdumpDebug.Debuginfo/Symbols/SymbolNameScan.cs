using System.Buffers.Binary;
using System.Text;
using KdumpDebug.Debuginfo.Elf;

namespace KdumpDebug.Debuginfo.Symbols;

/// <summary>
/// One symbol looked up by name straight from an ELF symbol table, without building a
/// <see cref="SymbolTable"/>: a single pass comparing the name's bytes against the string table,
/// with no allocation per symbol (a few milliseconds for a distribution kernel's 200,000 symbols,
/// against a few hundred for the full table with crash's sort). It answers only when the answer
/// cannot differ from the full table's (<see cref="SymbolTable.TryLookup"/> and
/// <see cref="CrashSymbolTable"/> lookups): exactly one defined symbol of that name and no clone
/// whose crash name (<see cref="CrashSymbolTable.StripSymbolEnd"/>) is the same, or no symbol and
/// no such clone at all. Anything else (two static symbols of one name, clones, section-like names starting
/// with "."; extended section indexes) is <see cref="SymbolScanResult.Ambiguous"/>: use the table.
/// </summary>
public static class SymbolNameScan
{
    /// <summary>Scans <paramref name="elf"/>'s <c>.symtab</c> for <paramref name="name"/>.</summary>
    public static SymbolScanResult Find(ElfFile elf, string name, out ElfSymbol symbol)
    {
        ArgumentNullException.ThrowIfNull(elf);
        ArgumentNullException.ThrowIfNull(name);
        symbol = default;
        if (name.Length == 0 || name[0] == '.' || elf.Type == ElfFileType.Relocatable) return SymbolScanResult.Ambiguous;
        ElfSection? symtab = null;
        foreach (var s in elf.Sections)
            if (s.Type == ElfConstants.ShtSymtab) { symtab = s; break; }
        var sections = elf.Sections;
        if (symtab is null || symtab.EntrySize != ElfConstants.Elf64SymbolSize
            || symtab.Link == 0 || symtab.Link >= (uint)sections.Count || sections[(int)symtab.Link].Type != ElfConstants.ShtStrtab)
            return SymbolScanResult.Ambiguous; // the full table reports what is wrong
        var entries = elf.GetSectionBytes(symtab).Span;
        var strtab = elf.GetSectionBytes(sections[(int)symtab.Link]).Span;
        Span<byte> wanted = stackalloc byte[Encoding.UTF8.GetMaxByteCount(name.Length)];
        wanted = wanted[..Encoding.UTF8.GetBytes(name, wanted)];

        var found = -1;
        var count = entries.Length / ElfConstants.Elf64SymbolSize;
        for (var i = 1; i < count; i++)
        {
            var e = entries.Slice(i * ElfConstants.Elf64SymbolSize, ElfConstants.Elf64SymbolSize);
            var nameOffset = BinaryPrimitives.ReadUInt32LittleEndian(e);
            if (nameOffset >= (uint)strtab.Length || strtab.Length - (int)nameOffset <= wanted.Length) continue;
            var candidate = strtab[(int)nameOffset..];
            if (!candidate.StartsWith(wanted)) continue;
            var next = candidate[wanted.Length];
            if (next == (byte)'.')
            {
                // A clone crash's table names NAME (CrashSymbolTable.StripSymbolEnd, e.g. NAME.isra.0) answers to it too.
                var end = candidate.IndexOf((byte)0);
                if (end > 0 && CrashSymbolTable.StripSymbolEnd(Encoding.UTF8.GetString(candidate[..end])) == name) return SymbolScanResult.Ambiguous;
                continue;
            }
            if (next != 0) continue;
            var info = e[4];
            var type = (byte)(info & 0xf);
            var shndx = BinaryPrimitives.ReadUInt16LittleEndian(e[6..]);
            if (shndx == ElfConstants.ShnUndef || type is ElfConstants.SttSection or ElfConstants.SttFile) continue;
            if (shndx == ElfConstants.ShnXindex || found >= 0) return SymbolScanResult.Ambiguous;
            found = i;
        }
        if (found < 0) return SymbolScanResult.NotFound;
        symbol = Decode(name, entries.Slice(found * ElfConstants.Elf64SymbolSize, ElfConstants.Elf64SymbolSize), sections);
        return SymbolScanResult.Found;
    }

    static ElfSymbol Decode(string name, ReadOnlySpan<byte> e, IReadOnlyList<ElfSection> sections)
    {
        var info = e[4];
        var type = (byte)(info & 0xf);
        var bind = (byte)(info >> 4);
        var shndx = BinaryPrimitives.ReadUInt16LittleEndian(e[6..]);
        var value = BinaryPrimitives.ReadUInt64LittleEndian(e[8..]);
        var size = BinaryPrimitives.ReadUInt64LittleEndian(e[16..]);
        var sectionIndex = shndx switch
        {
            ElfConstants.ShnAbs => ElfSymbol.AbsoluteSection,
            ElfConstants.ShnCommon => ElfSymbol.CommonSection,
            >= ElfConstants.ShnLoreserve => ElfSymbol.OtherSpecialSection,
            _ when shndx < sections.Count => shndx,
            _ => ElfSymbol.OtherSpecialSection,
        };
        var letter = NmTypeClassifier.Classify(bind, type, sectionIndex,
            sectionIndex > 0 ? NmTypeClassifier.SectionLetter(sections[sectionIndex]) : '?');
        return new ElfSymbol(name, value, size, SymbolTable.KindOf(type), bind != ElfConstants.StbLocal, sectionIndex, letter);
    }
}

/// <summary>What <see cref="SymbolNameScan.Find"/> could tell without the full symbol table.</summary>
public enum SymbolScanResult
{
    /// <summary>Exactly one symbol of that name, and no clone crash would name the same.</summary>
    Found,
    /// <summary>No symbol of that name and no clone of it: every table lookup fails too.</summary>
    NotFound,
    /// <summary>The scan cannot decide (several candidates, clones, unusual names): ask the table.</summary>
    Ambiguous,
}
