using System.Text;
using KdumpDebug.Debuginfo.Elf;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Debuginfo.Tests;

public class ElfFileTests
{
    static string Write(ElfBuilder builder)
    {
        var path = Path.Combine(Fixtures.NewTempDirectory(), "test.elf");
        return builder.WriteTo(path);
    }

    [Fact]
    public void ALeaseKeepsTheMappingUntilItIsReleased()
    {
        // A background symbol-table build may still be reading when a one-shot command closes
        // the target: the unmap waits for the lease instead of pulling the pages from under it.
        var b = new ElfBuilder();
        b.AddSection(".text", ElfBuilder.ShtProgbits, ElfBuilder.ShfAlloc | ElfBuilder.ShfExecinstr, [0x90, 0xc3], address: 0xffffffff81000000, align: 16);
        var elf = ElfFile.Open(Write(b));
        Assert.True(elf.TryGetSection(".text", out var text));
        var lease = elf.TryLease();
        Assert.NotNull(lease);
        elf.Dispose();
        Assert.Equal(new byte[] { 0x90, 0xc3 }, elf.GetSectionBytes(text).ToArray());
        Assert.Null(elf.TryLease());
        lease.Dispose();
        lease.Dispose(); // twice is harmless
        Assert.Throws<ObjectDisposedException>(() => elf.GetSectionBytes(text));
    }

    [Fact]
    public void SectionsHaveTheirNamesHeadersAndBytes()
    {
        var b = new ElfBuilder();
        var text = b.AddSection(".text", ElfBuilder.ShtProgbits, ElfBuilder.ShfAlloc | ElfBuilder.ShfExecinstr, [0x90, 0xc3], address: 0xffffffff81000000, align: 16);
        var bss = b.AddNobits(".bss", ElfBuilder.ShfAlloc | ElfBuilder.ShfWrite, 0xffffffff81200000, 0x1000);
        using var elf = ElfFile.Open(Write(b));

        Assert.Equal(ElfFileType.Executable, elf.Type);
        Assert.Equal(62, elf.Machine);
        Assert.True(elf.TryGetSection(".text", out var t));
        Assert.Equal(text, t.Index);
        Assert.Equal(0xffffffff81000000UL, t.Address);
        Assert.Equal(2UL, t.Size);
        Assert.Equal(new byte[] { 0x90, 0xc3 }, elf.GetSectionBytes(t).ToArray());
        Assert.True(elf.TryGetSection(".bss", out var s));
        Assert.Equal(bss, s.Index);
        Assert.True(s.IsNoBits);
        Assert.Equal(0x1000UL, s.Size);
        Assert.True(elf.GetSectionBytes(s).IsEmpty);
        Assert.False(elf.TryGetSection(".data", out _));
        Assert.Equal("", elf.Sections[0].Name);
        Assert.Equal(".shstrtab", elf.Sections[^1].Name);
    }

    [Fact]
    public void BuildIdIsTheGnuNoteInLowerCaseHex()
    {
        var b = new ElfBuilder();
        b.AddSection(".notes", ElfBuilder.ShtNote, ElfBuilder.ShfAlloc,
            [.. ElfBuilder.Note("Xen", 5, [1, 2, 3]), .. ElfBuilder.Note("GNU", 3, [0xDE, 0xAD, 0xBE, 0xEF, 0x01])]);
        using var elf = ElfFile.Open(Write(b));
        Assert.Equal("deadbeef01", elf.BuildId);
    }

    [Fact]
    public void BuildIdIsNullWithoutTheNote()
    {
        var b = new ElfBuilder();
        b.AddSection(".notes", ElfBuilder.ShtNote, ElfBuilder.ShfAlloc, ElfBuilder.Note("GNU", 1, [0, 0, 0, 0]));
        using var elf = ElfFile.Open(Write(b));
        Assert.Null(elf.BuildId);
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(2u)]
    public void CompressedSectionsAreInflatedOnceAndCached(uint chType)
    {
        var plain = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("debug info ", 500)));
        var b = new ElfBuilder();
        b.AddCompressedSection(".debug_info", plain, chType);
        using var elf = ElfFile.Open(Write(b));
        Assert.True(elf.TryGetSection(".debug_info", out var s));
        Assert.True(s.IsCompressed);
        Assert.True(s.Size < (ulong)plain.Length);
        var first = elf.GetSectionBytes(s);
        Assert.Equal(plain, first.ToArray());
        var second = elf.GetSectionBytes(s);
        Assert.True(first.Span == second.Span, "the inflated bytes are cached, not inflated again");
    }

    [Fact]
    public void ExtendedSectionNumberingReadsTheCountAndNameTableFromSectionZero()
    {
        // Kernel modules built with -ffunction-sections can have more than 65,279 sections: then
        // e_shnum is 0 and e_shstrndx is SHN_XINDEX (gABI "Extended Section Numbering").
        var b = new ElfBuilder { Type = ElfBuilder.EtRel };
        for (var i = 0; i < 0xff10; i++)
            b.AddNobits($".text.f{i}", ElfBuilder.ShfAlloc | ElfBuilder.ShfExecinstr, 0, 16);
        var last = b.AddSection(".text.last", ElfBuilder.ShtProgbits, ElfBuilder.ShfAlloc | ElfBuilder.ShfExecinstr, [0xcc]);
        b.AddSymbol("far_away", 0, 1, ElfBuilder.SttFunc, ElfBuilder.StbGlobal, last);
        var bytes = b.Build();
        Assert.Equal(0, BitConverter.ToUInt16(bytes, 60));
        Assert.Equal(0xffff, BitConverter.ToUInt16(bytes, 62));
        var path = Path.Combine(Fixtures.NewTempDirectory(), "many.o");
        File.WriteAllBytes(path, bytes);

        using var elf = ElfFile.Open(path);
        Assert.Equal(b.SectionCount + 4, elf.Sections.Count); // + .symtab .strtab .symtab_shndx .shstrtab
        Assert.Equal(".text.last", elf.Sections[last].Name);
        Assert.Equal(".shstrtab", elf.Sections[^1].Name);
        var symbols = Symbols.SymbolTable.FromElf(elf);
        Assert.True(symbols.TryLookup("far_away", out var sym));
        Assert.Equal(last, sym.SectionIndex);
        Assert.Equal('T', sym.NmType);
    }

    [Fact]
    public void RelocatedSectionBytesApplyRelaEntriesOfARelocatableFile()
    {
        var b = new ElfBuilder { Type = ElfBuilder.EtRel };
        var text = b.AddSection(".text", ElfBuilder.ShtProgbits, ElfBuilder.ShfAlloc | ElfBuilder.ShfExecinstr, new byte[0x40]);
        var debug = b.AddSection(".debug_x", ElfBuilder.ShtProgbits, 0, new byte[12]);
        b.AddSymbol(".text", 0, 0, ElfBuilder.SttSection, ElfBuilder.StbLocal, text);
        // .symtab is section debug+2 (after .rela.debug_x); its first symbol after null is .text.
        var rela = new byte[48];
        ElfBuilder.Patch64(rela, 0, 0);                         // r_offset
        ElfBuilder.Patch64(rela, 8, (1UL << 32) | 1);           // sym 1, R_X86_64_64
        ElfBuilder.Patch64(rela, 16, 0x10);                     // addend
        ElfBuilder.Patch64(rela, 24, 8);
        ElfBuilder.Patch64(rela, 32, (1UL << 32) | 10);         // R_X86_64_32
        ElfBuilder.Patch64(rela, 40, 0x20);
        b.AddSection(".rela.debug_x", ElfBuilder.ShtRela, 0x40, rela, link: (uint)(debug + 2), info: (uint)debug, entrySize: 24, align: 8);
        using var elf = ElfFile.Open(Write(b));
        Assert.True(elf.TryGetSection(".debug_x", out var s));
        Assert.True(elf.GetSectionBytes(s).ToArray().All(x => x == 0));
        var relocated = elf.GetRelocatedSectionBytes(s, sec => sec.Index == text ? 0xffffffffc0001000UL : 0).ToArray();
        Assert.Equal(0xffffffffc0001010UL, BitConverter.ToUInt64(relocated, 0));
        Assert.Equal(0xc0001020u, BitConverter.ToUInt32(relocated, 8));
    }
}
