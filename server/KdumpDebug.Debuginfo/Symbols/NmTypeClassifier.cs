using KdumpDebug.Debuginfo.Elf;

namespace KdumpDebug.Debuginfo.Symbols;

/// <summary>
/// Computes the one-letter symbol class that GNU <c>nm</c> prints (and that the kernel's
/// <c>scripts/mksysmap</c> writes into System.map). It follows binutils: <c>bfd_decode_symclass</c>
/// and <c>decode_section_type</c> (bfd/syms.c) over the BFD section flags that
/// <c>_bfd_elf_make_section_from_shdr</c> (bfd/elf.c) derives from the ELF section header. Note that
/// the letter depends on the section flags, not its name: the x86 vmlinux links <c>.rodata</c> as
/// writable ("WA"), so <c>linux_banner</c> is 'D', not 'R'.
/// </summary>
internal static class NmTypeClassifier
{
    /// <summary>The lower-case letter of a symbol defined in <paramref name="section"/>.</summary>
    public static char SectionLetter(ElfSection section)
    {
        // coff_section_type: checked first whatever the object format.
        var coff = CoffSectionType(section.Name);
        if (coff != '?') return coff;

        var hasContents = section.Type != ElfConstants.ShtNobits;
        var alloc = (section.Flags & ElfConstants.ShfAlloc) != 0;
        var load = alloc && hasContents;
        var readOnly = (section.Flags & ElfConstants.ShfWrite) == 0;
        var code = (section.Flags & ElfConstants.ShfExecinstr) != 0;
        var data = !code && load;
        if (code) return 't';
        if (data) return readOnly ? 'r' : 'd';
        if (!hasContents) return 'b';
        if (!alloc && IsDebugName(section.Name)) return 'N';
        if (readOnly) return 'n';
        return '?';
    }

    /// <summary>
    /// The letter of a defined symbol given its binding, type, resolved section index (or an
    /// <see cref="ElfSymbol"/> special index) and the lower-case letter of its section.
    /// </summary>
    public static char Classify(byte bind, byte type, int sectionIndex, char sectionLetter)
    {
        if (sectionIndex == ElfSymbol.CommonSection) return 'C';
        if (type == ElfConstants.SttGnuIfunc) return 'i';
        if (bind == ElfConstants.StbWeak)
            return type is ElfConstants.SttObject or ElfConstants.SttCommon ? 'V' : 'W';
        if (bind == ElfConstants.StbGnuUnique) return 'u';
        if (bind != ElfConstants.StbLocal && bind != ElfConstants.StbGlobal) return '?';
        var c = sectionIndex == ElfSymbol.AbsoluteSection ? 'a' : sectionIndex > 0 ? sectionLetter : '?';
        return bind == ElfConstants.StbGlobal ? char.ToUpperInvariant(c) : c;
    }

    // bfd/elf.c: sections without SHF_ALLOC are debugging sections when named .debug*,
    // .gnu.linkonce.wi.*, .line*, .stab* or .zdebug*.
    static bool IsDebugName(string name) =>
        name.StartsWith(".debug", StringComparison.Ordinal) || name.StartsWith(".gnu.linkonce.wi.", StringComparison.Ordinal)
        || name.StartsWith(".line", StringComparison.Ordinal) || name.StartsWith(".stab", StringComparison.Ordinal)
        || name.StartsWith(".zdebug", StringComparison.Ordinal);

    // bfd/syms.c stt[]: a name equal to one of these, or followed by '.', '$' or a digit.
    static char CoffSectionType(string name)
    {
        foreach (var (prefix, letter) in CoffTypes)
        {
            if (!name.StartsWith(prefix, StringComparison.Ordinal)) continue;
            if (name.Length == prefix.Length) return letter;
            var next = name[prefix.Length];
            if (next is '.' or '$' || char.IsAsciiDigit(next)) return letter;
        }
        return '?';
    }

    static readonly (string, char)[] CoffTypes = [(".drectve", 'i'), (".edata", 'e'), (".idata", 'i'), (".pdata", 'p')];
}
