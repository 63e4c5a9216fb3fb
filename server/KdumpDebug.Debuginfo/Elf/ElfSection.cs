namespace KdumpDebug.Debuginfo.Elf;

/// <summary>
/// One ELF section header (<c>Elf64_Shdr</c>) with its name resolved from the section name table.
/// Pure data: the bytes are read with <see cref="ElfFile.GetSectionBytes"/>.
/// </summary>
/// <param name="Index">Index in the section header table (0 is the SHT_NULL entry).</param>
/// <param name="Name">Name from <c>.shstrtab</c> (<c>sh_name</c>).</param>
/// <param name="Type"><c>sh_type</c>, e.g. <see cref="ElfConstants.ShtProgbits"/>.</param>
/// <param name="Flags"><c>sh_flags</c>, e.g. <see cref="ElfConstants.ShfAlloc"/>.</param>
/// <param name="Address"><c>sh_addr</c>: link-time address (0 for non-allocated and ET_REL sections).</param>
/// <param name="FileOffset"><c>sh_offset</c>.</param>
/// <param name="Size"><c>sh_size</c>: bytes in the file (compressed size for SHF_COMPRESSED), or in memory for NOBITS.</param>
/// <param name="Link"><c>sh_link</c>, e.g. the string table of a symbol table.</param>
/// <param name="Info"><c>sh_info</c>, e.g. the section a RELA section applies to.</param>
/// <param name="EntrySize"><c>sh_entsize</c>: size of one entry of a table section.</param>
public sealed record ElfSection(int Index, string Name, uint Type, ulong Flags, ulong Address, ulong FileOffset,
    ulong Size, uint Link, uint Info, ulong EntrySize)
{
    /// <summary>True for SHT_NOBITS (<c>.bss</c>): no bytes in the file.</summary>
    public bool IsNoBits => Type == ElfConstants.ShtNobits;

    /// <summary>True when SHF_COMPRESSED is set: the bytes start with an <c>Elf64_Chdr</c>.</summary>
    public bool IsCompressed => (Flags & ElfConstants.ShfCompressed) != 0;

    /// <summary>True when SHF_ALLOC is set: the section occupies memory at run time.</summary>
    public bool IsAllocated => (Flags & ElfConstants.ShfAlloc) != 0;
}
