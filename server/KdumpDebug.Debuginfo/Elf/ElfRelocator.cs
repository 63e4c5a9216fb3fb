using System.Buffers.Binary;
using KdumpDebug.Core.Errors;

namespace KdumpDebug.Debuginfo.Elf;

/// <summary>
/// Applies the SHT_RELA sections of a relocatable file (ET_REL, a kernel module) to a copy of the
/// section they target, so that its debug sections hold real offsets and addresses: in a module,
/// every <c>DW_FORM_line_strp</c>, <c>DW_FORM_strp</c> and <c>DW_LNE_set_address</c> operand is
/// zero in the file and the value lives in <c>.rela.debug_*</c> (System V AMD64 ABI §4.4).
/// Handles the x86-64 types that occur in debug sections: R_X86_64_64, _32, _32S, _PC32, _PC64.
/// Cost: one copy of the section and one pass over its relocations.
/// </summary>
internal static class ElfRelocator
{
    public static byte[] Apply(ElfFile elf, ElfSection target, ReadOnlySpan<byte> contents, Func<ElfSection, ulong> sectionAddress)
    {
        var output = contents.ToArray();
        var sections = elf.Sections;
        foreach (var rela in sections)
        {
            if (rela.Type != ElfConstants.ShtRela || rela.Info != (uint)target.Index) continue;
            var where = $"section {rela.Index} ({rela.Name})";
            if (rela.EntrySize != ElfConstants.Elf64RelaSize)
                throw new DumpFormatException(elf.Path, (long)rela.FileOffset, $"{where} sh_entsize",
                    $"is {rela.EntrySize}, expected {ElfConstants.Elf64RelaSize} (Elf64_Rela)");
            if (rela.Link == 0 || rela.Link >= (uint)sections.Count)
                throw new DumpFormatException(elf.Path, (long)rela.FileOffset, $"{where} sh_link",
                    $"{rela.Link} is not a symbol table section");
            var symtab = sections[(int)rela.Link];
            var symbols = elf.GetSectionBytes(symtab).Span;
            var entries = elf.GetSectionBytes(rela).Span;
            var targetBase = sectionAddress(target);
            var count = entries.Length / ElfConstants.Elf64RelaSize;
            for (var i = 0; i < count; i++)
            {
                var e = entries.Slice(i * ElfConstants.Elf64RelaSize, ElfConstants.Elf64RelaSize);
                var offset = BinaryPrimitives.ReadUInt64LittleEndian(e);
                var info = BinaryPrimitives.ReadUInt64LittleEndian(e[8..]);
                var addend = BinaryPrimitives.ReadInt64LittleEndian(e[16..]);
                var type = (uint)info;
                var symbolIndex = info >> 32;
                var entryOffset = (long)rela.FileOffset + i * ElfConstants.Elf64RelaSize;
                if (type == ElfConstants.RX86_64None) continue;
                var width = type switch
                {
                    ElfConstants.RX86_64_64 or ElfConstants.RX86_64Pc64 => 8,
                    ElfConstants.RX86_64_32 or ElfConstants.RX86_64_32S or ElfConstants.RX86_64Pc32 => 4,
                    _ => throw new DumpFormatException(elf.Path, entryOffset + 8, $"{where} relocation {i} r_info",
                        $"relocation type {type} is not supported in a debug section"),
                };
                if (offset > (ulong)output.Length || (ulong)output.Length - offset < (ulong)width)
                    throw new DumpFormatException(elf.Path, entryOffset, $"{where} relocation {i} r_offset",
                        $"0x{offset:x} is past the end of {target.Name} (0x{output.Length:x} bytes)");
                if ((symbolIndex + 1) * ElfConstants.Elf64SymbolSize > (ulong)symbols.Length)
                    throw new DumpFormatException(elf.Path, entryOffset + 8, $"{where} relocation {i} r_info",
                        $"symbol {symbolIndex} is past the end of {symtab.Name}");
                var sym = symbols.Slice((int)symbolIndex * ElfConstants.Elf64SymbolSize, ElfConstants.Elf64SymbolSize);
                var shndx = BinaryPrimitives.ReadUInt16LittleEndian(sym[6..]);
                var value = BinaryPrimitives.ReadUInt64LittleEndian(sym[8..]);
                ulong s = value;
                if (shndx != ElfConstants.ShnUndef && shndx < ElfConstants.ShnLoreserve && shndx < sections.Count)
                    s = unchecked(sectionAddress(sections[shndx]) + value);
                var result = unchecked(s + (ulong)addend);
                if (type is ElfConstants.RX86_64Pc32 or ElfConstants.RX86_64Pc64)
                    result = unchecked(result - (targetBase + offset));
                var slot = output.AsSpan((int)offset, width);
                if (width == 8) BinaryPrimitives.WriteUInt64LittleEndian(slot, result);
                else BinaryPrimitives.WriteUInt32LittleEndian(slot, (uint)result);
            }
        }
        return output;
    }
}
