using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Elf;
using KdumpDebug.Debuginfo.Symbols;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Debuginfo.Tests;

/// <summary>
/// Corrupt ELF files give one-line DumpFormatExceptions naming the file and the field, never an
/// IndexOutOfRange/Overflow/OutOfMemory exception (ClrMD's ElfBoundsTests).
/// </summary>
public class ElfBoundsTests
{
    static (ElfBuilder Builder, byte[] Bytes) Sample()
    {
        var b = new ElfBuilder();
        var text = b.AddSection(".text", ElfBuilder.ShtProgbits, ElfBuilder.ShfAlloc | ElfBuilder.ShfExecinstr, new byte[64], 0xffffffff81000000);
        b.AddSymbol("start", 0xffffffff81000000, 16, ElfBuilder.SttFunc, ElfBuilder.StbGlobal, text);
        return (b, b.Build());
    }

    static DumpFormatException OpenFails(byte[] bytes, string expectedField)
    {
        var path = Path.Combine(Fixtures.NewTempDirectory(), "bad.elf");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<DumpFormatException>(() =>
        {
            using var elf = ElfFile.Open(path);
            SymbolTable.FromElf(elf);
        });
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(expectedField, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(40)]
    public void TruncatedHeader(int length)
    {
        var (_, bytes) = Sample();
        OpenFails(bytes[..length], length < 16 ? "e_ident" : "ELF header");
    }

    [Fact]
    public void NotAnElfFile() => OpenFails("not an ELF file at all, just text........................................"u8.ToArray(), "e_ident[EI_MAG]");

    [Fact]
    public void ThirtyTwoBitClassIsRejected()
    {
        var (_, bytes) = Sample();
        bytes[4] = 1;
        OpenFails(bytes, "e_ident[EI_CLASS]");
    }

    [Fact]
    public void BigEndianIsRejected()
    {
        var (_, bytes) = Sample();
        bytes[5] = 2;
        OpenFails(bytes, "e_ident[EI_DATA]");
    }

    [Fact]
    public void BadVersion()
    {
        var (_, bytes) = Sample();
        ElfBuilder.Patch32(bytes, 20, 7);
        OpenFails(bytes, "e_version");
    }

    [Fact]
    public void SectionHeaderTablePastEndOfFile()
    {
        var (_, bytes) = Sample();
        ElfBuilder.Patch64(bytes, 40, (ulong)bytes.Length + 100);
        OpenFails(bytes, "e_shoff");
    }

    [Fact]
    public void HugeSectionCount()
    {
        var (_, bytes) = Sample();
        ElfBuilder.Patch16(bytes, 60, 0xfff0);
        var e = OpenFails(bytes, "e_shnum");
        Assert.Contains("past the end of the file", e.Message);
    }

    [Fact]
    public void HugeExtendedSectionCount()
    {
        var (b, bytes) = Sample();
        ElfBuilder.Patch16(bytes, 60, 0);
        ElfBuilder.Patch64(bytes, b.Layout.SectionHeader(0) + 32, ulong.MaxValue / 2);
        OpenFails(bytes, "section 0 sh_size (extended e_shnum)");
    }

    [Fact]
    public void WrongSectionHeaderEntrySize()
    {
        var (_, bytes) = Sample();
        ElfBuilder.Patch16(bytes, 58, 40);
        OpenFails(bytes, "e_shentsize");
    }

    [Fact]
    public void SectionContentsPastEndOfFile()
    {
        var (b, bytes) = Sample();
        ElfBuilder.Patch64(bytes, b.Layout.SectionHeader(1) + 32, 0x7fff_ffff_0000);
        OpenFails(bytes, "section 1 sh_offset/sh_size");
    }

    [Fact]
    public void SectionOffsetOverflowingTheAddition()
    {
        var (b, bytes) = Sample();
        ElfBuilder.Patch64(bytes, b.Layout.SectionHeader(1) + 24, ulong.MaxValue - 8);
        OpenFails(bytes, "section 1 sh_offset/sh_size");
    }

    [Fact]
    public void SectionNameTableIndexPastLastSection()
    {
        var (_, bytes) = Sample();
        ElfBuilder.Patch16(bytes, 62, 200);
        OpenFails(bytes, "e_shstrndx");
    }

    [Fact]
    public void SectionNamePastNameTable()
    {
        var (b, bytes) = Sample();
        ElfBuilder.Patch32(bytes, b.Layout.SectionHeader(1), 0x10000);
        OpenFails(bytes, "section 1 sh_name");
    }

    [Fact]
    public void SymbolNamePastStringTable()
    {
        var (b, bytes) = Sample();
        var symtab = b.Layout.SectionOffsets[".symtab"];
        ElfBuilder.Patch32(bytes, symtab + 24, 0x100000);
        OpenFails(bytes, "symbol 1 st_name");
    }

    [Fact]
    public void SymbolSectionIndexPastLastSection()
    {
        var (b, bytes) = Sample();
        var symtab = b.Layout.SectionOffsets[".symtab"];
        ElfBuilder.Patch16(bytes, symtab + 24 + 6, 0x7000);
        OpenFails(bytes, "symbol 1 st_shndx");
    }

    [Fact]
    public void SymbolTableWithWrongEntrySize()
    {
        var (b, bytes) = Sample();
        var symtabIndex = Enumerable.Range(0, b.Layout.SectionCount).First(i => BitConverter.ToUInt32(bytes, (int)b.Layout.SectionHeader(i) + 4) == ElfBuilder.ShtSymtab);
        ElfBuilder.Patch64(bytes, b.Layout.SectionHeader(symtabIndex) + 56, 16);
        OpenFails(bytes, "sh_entsize");
    }

    [Fact]
    public void CompressedSectionWithWrongSizeOrCorruptStream()
    {
        var b = new ElfBuilder();
        b.AddCompressedSection(".debug_info", new byte[1000], declaredSize: 999);
        var bytes = b.Build();
        var path = Path.Combine(Fixtures.NewTempDirectory(), "z.elf");
        File.WriteAllBytes(path, bytes);
        using (var elf = ElfFile.Open(path))
        {
            Assert.True(elf.TryGetSection(".debug_info", out var s));
            var e = Assert.Throws<DumpFormatException>(() => elf.GetSectionBytes(s));
            Assert.Contains("ch_size", e.Message);
        }

        var offset = b.Layout.SectionOffsets[".debug_info"];
        bytes[offset + 24] ^= 0xff; // the zlib header
        File.WriteAllBytes(path, bytes);
        using (var elf = ElfFile.Open(path))
        {
            Assert.True(elf.TryGetSection(".debug_info", out var s));
            var e = Assert.Throws<DumpFormatException>(() => elf.GetSectionBytes(s));
            Assert.Contains("compressed data", e.Message);
            Assert.StartsWith(path, e.Message);
        }
    }

    [Fact]
    public void CompressedSectionClaimingAHugeSize()
    {
        var b = new ElfBuilder();
        b.AddCompressedSection(".debug_info", new byte[10], declaredSize: 1UL << 40);
        var path = Path.Combine(Fixtures.NewTempDirectory(), "z.elf");
        File.WriteAllBytes(path, b.Build());
        using var elf = ElfFile.Open(path);
        Assert.True(elf.TryGetSection(".debug_info", out var s));
        var e = Assert.Throws<DumpFormatException>(() => elf.GetSectionBytes(s));
        Assert.Contains("ch_size", e.Message);
        Assert.Contains("limit", e.Message);
    }

    [Fact]
    public void NoteRunningPastItsSection()
    {
        var b = new ElfBuilder();
        var note = ElfBuilder.Note("GNU", 3, [1, 2, 3, 4]);
        ElfBuilder.Patch32(note, 4, 4000); // descsz
        b.AddSection(".note.gnu.build-id", ElfBuilder.ShtNote, ElfBuilder.ShfAlloc, note);
        var path = Path.Combine(Fixtures.NewTempDirectory(), "n.elf");
        File.WriteAllBytes(path, b.Build());
        using var elf = ElfFile.Open(path);
        var e = Assert.Throws<DumpFormatException>(() => elf.BuildId);
        Assert.Contains("n_namesz/n_descsz", e.Message);
    }
}
