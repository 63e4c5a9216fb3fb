namespace KdumpDebug.Debuginfo.Symbols;

/// <summary>
/// One symbol of an ELF symbol table (<c>Elf64_Sym</c>) with its name decoded.
/// </summary>
/// <param name="Name">The symbol name (<c>st_name</c> in the linked string table).</param>
/// <param name="Address">Link-time address (<c>st_value</c>; for ET_REL plus the section's base).</param>
/// <param name="Size"><c>st_size</c> (0 for labels).</param>
/// <param name="Kind">The symbol type.</param>
/// <param name="IsGlobal">True for STB_GLOBAL, STB_WEAK and STB_GNU_UNIQUE (visible outside its object).</param>
/// <param name="SectionIndex">The section the symbol is defined in (SHN_XINDEX resolved), or
/// <see cref="AbsoluteSection"/> / <see cref="CommonSection"/> / <see cref="OtherSpecialSection"/>.</param>
/// <param name="NmType">The letter <c>nm</c> and System.map print: t/T text, d/D data, b/B bss,
/// r/R read-only data, A absolute, W/V weak, C common, i ifunc, u unique, N debug, ? other;
/// lower case for a local symbol.</param>
public readonly record struct ElfSymbol(string Name, ulong Address, ulong Size, SymbolKind Kind, bool IsGlobal, int SectionIndex, char NmType)
{
    /// <summary><see cref="SectionIndex"/> of an SHN_ABS symbol (its value is not an address).</summary>
    public const int AbsoluteSection = -1;
    /// <summary><see cref="SectionIndex"/> of an SHN_COMMON symbol.</summary>
    public const int CommonSection = -2;
    /// <summary><see cref="SectionIndex"/> of a symbol in another reserved section index (SHN_LOPROC..).</summary>
    public const int OtherSpecialSection = -3;

    /// <summary>The same symbol moved by <paramref name="delta"/> (e.g. the KASLR offset); wraps modulo 2^64.</summary>
    public ElfSymbol Relocate(ulong delta) => this with { Address = unchecked(Address + delta) };

    /// <summary>True for an SHN_ABS symbol.</summary>
    public bool IsAbsolute => SectionIndex == AbsoluteSection;

    /// <summary>True when the symbol has a size and [Address, Address+Size) holds <paramref name="address"/>.</summary>
    public bool Covers(ulong address) => address >= Address && address - Address < Size;
}
