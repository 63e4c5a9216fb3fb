namespace KdumpDebug.Debuginfo.Elf;

/// <summary>
/// Numeric constants of the ELF format (System V ABI, "ELF-64 Object File Format" and the
/// generic ABI's elf.h), under their spec names in PascalCase: <c>ShtSymtab</c> is SHT_SYMTAB.
/// </summary>
public static class ElfConstants
{
    // e_ident
    public const int EiNident = 16;
    public const byte ElfClass64 = 2;
    public const byte ElfData2Lsb = 1;
    public const byte EvCurrent = 1;

    /// <summary>Size of <c>Elf64_Ehdr</c>.</summary>
    public const int Elf64HeaderSize = 64;
    /// <summary>Size of <c>Elf64_Shdr</c>.</summary>
    public const int Elf64SectionHeaderSize = 64;
    /// <summary>Size of <c>Elf64_Phdr</c>.</summary>
    public const int Elf64ProgramHeaderSize = 56;
    /// <summary>Size of <c>Elf64_Sym</c>.</summary>
    public const int Elf64SymbolSize = 24;
    /// <summary>Size of <c>Elf64_Rela</c>.</summary>
    public const int Elf64RelaSize = 24;
    /// <summary>Size of <c>Elf64_Chdr</c> (the header of an SHF_COMPRESSED section).</summary>
    public const int Elf64CompressionHeaderSize = 24;

    // Section types (sh_type).
    public const uint ShtNull = 0;
    public const uint ShtProgbits = 1;
    public const uint ShtSymtab = 2;
    public const uint ShtStrtab = 3;
    public const uint ShtRela = 4;
    public const uint ShtNote = 7;
    public const uint ShtNobits = 8;
    public const uint ShtDynsym = 11;
    public const uint ShtSymtabShndx = 18;

    // Section flags (sh_flags).
    public const ulong ShfWrite = 0x1;
    public const ulong ShfAlloc = 0x2;
    public const ulong ShfExecinstr = 0x4;
    public const ulong ShfCompressed = 0x800;

    // Special section indexes (st_shndx, e_shstrndx).
    public const ushort ShnUndef = 0;
    public const ushort ShnLoreserve = 0xff00;
    public const ushort ShnAbs = 0xfff1;
    public const ushort ShnCommon = 0xfff2;
    /// <summary>SHN_XINDEX: the real index is elsewhere (section 0's sh_link / SHT_SYMTAB_SHNDX).</summary>
    public const ushort ShnXindex = 0xffff;

    // Compression types (ch_type).
    public const uint ElfcompressZlib = 1;
    public const uint ElfcompressZstd = 2;

    // Program header types.
    public const uint PtNote = 4;

    // Symbol binding (st_info >> 4) and type (st_info & 0xf).
    public const byte StbLocal = 0;
    public const byte StbGlobal = 1;
    public const byte StbWeak = 2;
    public const byte StbGnuUnique = 10;
    public const byte SttNotype = 0;
    public const byte SttObject = 1;
    public const byte SttFunc = 2;
    public const byte SttSection = 3;
    public const byte SttFile = 4;
    public const byte SttCommon = 5;
    public const byte SttTls = 6;
    public const byte SttGnuIfunc = 10;

    // Notes.
    public const uint NtGnuBuildId = 3;

    // x86-64 relocation types (System V AMD64 ABI §4.4.1) found in debug sections.
    public const uint RX86_64None = 0;
    public const uint RX86_64_64 = 1;
    public const uint RX86_64Pc32 = 2;
    public const uint RX86_64_32 = 10;
    public const uint RX86_64_32S = 11;
    public const uint RX86_64Pc64 = 24;
}
