using KdumpDebug.Debuginfo.Elf;
using KdumpDebug.Debuginfo.Symbols;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Debuginfo.Tests;

public class SymbolTableTests
{
    const ulong Text = 0xffffffff81000000;
    const ulong Rodata = 0xffffffff81800000;
    const ulong Data = 0xffffffff81a00000;
    const ulong Bss = 0xffffffff81c00000;

    sealed class Image : IDisposable
    {
        public required ElfFile Elf { get; init; }
        public required SymbolTable Symbols { get; init; }
        public void Dispose() => Elf.Dispose();
    }

    /// <summary>A small kernel-like image: text, read-only data, writable "rodata" (as x86 vmlinux links it), data, bss.</summary>
    static Image Kernel(Action<ElfBuilder, int, int, int, int, int>? more = null)
    {
        var b = new ElfBuilder();
        var text = b.AddSection(".text", ElfBuilder.ShtProgbits, ElfBuilder.ShfAlloc | ElfBuilder.ShfExecinstr, new byte[0x1000], Text);
        var ro = b.AddSection("__ksymtab", ElfBuilder.ShtProgbits, ElfBuilder.ShfAlloc, new byte[0x100], Rodata);
        var rw = b.AddSection(".rodata", ElfBuilder.ShtProgbits, ElfBuilder.ShfAlloc | ElfBuilder.ShfWrite, new byte[0x100], Rodata + 0x100);
        var data = b.AddSection(".data", ElfBuilder.ShtProgbits, ElfBuilder.ShfAlloc | ElfBuilder.ShfWrite, new byte[0x100], Data);
        var bss = b.AddNobits(".bss", ElfBuilder.ShfAlloc | ElfBuilder.ShfWrite, Bss, 0x1000);
        b.AddSegment(Text, 0x900000).AddSegment(Data, 0x201000);
        b.AddSymbol("_stext", Text, 0, ElfBuilder.SttNotype, ElfBuilder.StbGlobal, text)
         .AddSymbol("startup_64", Text, 0x40, ElfBuilder.SttFunc, ElfBuilder.StbGlobal, text)
         .AddSymbol("local_fn", Text + 0x100, 0x20, ElfBuilder.SttFunc, ElfBuilder.StbLocal, text)
         .AddSymbol("__sched_text_start", Text + 0x200, 0, ElfBuilder.SttNotype, ElfBuilder.StbGlobal, text)
         .AddSymbol("schedule", Text + 0x200, 0x80, ElfBuilder.SttFunc, ElfBuilder.StbGlobal, text)
         .AddSymbol("weak_fn", Text + 0x300, 0x10, ElfBuilder.SttFunc, ElfBuilder.StbWeak, text)
         .AddSymbol("_etext", Text + 0x1000, 0, ElfBuilder.SttNotype, ElfBuilder.StbGlobal, text)
         .AddSymbol("__ksymtab_foo", Rodata, 12, ElfBuilder.SttObject, ElfBuilder.StbLocal, ro)
         .AddSymbol("linux_banner", Rodata + 0x100, 0x40, ElfBuilder.SttObject, ElfBuilder.StbGlobal, rw)
         .AddSymbol("weak_obj", Data, 8, ElfBuilder.SttObject, ElfBuilder.StbWeak, data)
         .AddSymbol("jiffies", Data + 0x10, 8, ElfBuilder.SttObject, ElfBuilder.StbGlobal, data)
         .AddSymbol("counter", Data + 0x20, 4, ElfBuilder.SttObject, ElfBuilder.StbLocal, data)
         .AddSymbol("counter", Data + 0x40, 4, ElfBuilder.SttObject, ElfBuilder.StbLocal, data)
         .AddSymbol("empty_zero_page", Bss, 0x1000, ElfBuilder.SttObject, ElfBuilder.StbGlobal, bss)
         .AddSymbol("kexec_size", 0x1ea, 0, ElfBuilder.SttNotype, ElfBuilder.StbGlobal, ElfBuilder.ShnAbs)
         .AddSymbol("vmlinux.c", 0, 0, ElfBuilder.SttFile, ElfBuilder.StbLocal, ElfBuilder.ShnAbs)
         .AddSymbol(".text", Text, 0, ElfBuilder.SttSection, ElfBuilder.StbLocal, text)
         .AddSymbol("", Text + 8, 0, ElfBuilder.SttNotype, ElfBuilder.StbLocal, text);
        more?.Invoke(b, text, ro, rw, data, bss);
        var path = b.WriteTo(Path.Combine(Fixtures.NewTempDirectory(), "vmlinux"));
        var elf = ElfFile.Open(path);
        return new Image { Elf = elf, Symbols = SymbolTable.FromElf(elf) };
    }

    [Fact]
    public void SkipsSectionFileAndUnnamedSymbolsAndSortsLikeNmN()
    {
        using var k = Kernel();
        Assert.Equal(15, k.Symbols.Count);
        var names = k.Symbols.SortedByAddress.Select(s => s.Name).ToList();
        Assert.DoesNotContain("vmlinux.c", names);
        Assert.DoesNotContain(".text", names);
        Assert.DoesNotContain("", names);
        // Address order, equal addresses by name in byte order (System.map under LC_COLLATE=C).
        Assert.Equal(["kexec_size", "_stext", "startup_64", "local_fn", "__sched_text_start", "schedule"], names.Take(6));
        var addresses = k.Symbols.SortedByAddress.Select(s => s.Address).ToList();
        Assert.Equal(addresses.Order().ToList(), addresses);
    }

    [Theory]
    [InlineData("startup_64", 'T')]
    [InlineData("local_fn", 't')]
    [InlineData("weak_fn", 'W')]
    [InlineData("_stext", 'T')]
    [InlineData("__ksymtab_foo", 'r')]
    [InlineData("linux_banner", 'D')] // .rodata linked writable, as in the x86 vmlinux
    [InlineData("weak_obj", 'V')]
    [InlineData("jiffies", 'D')]
    [InlineData("counter", 'd')]
    [InlineData("empty_zero_page", 'B')]
    [InlineData("kexec_size", 'A')]
    public void NmTypeIsTheLetterNmPrints(string name, char letter)
    {
        using var k = Kernel();
        Assert.True(k.Symbols.TryLookup(name, out var s));
        Assert.Equal(letter, s.NmType);
    }

    [Fact]
    public void KindGlobalAndSectionAreReported()
    {
        using var k = Kernel();
        Assert.True(k.Symbols.TryLookup("schedule", out var s));
        Assert.Equal(SymbolKind.Function, s.Kind);
        Assert.True(s.IsGlobal);
        Assert.Equal(".text", k.Elf.Sections[s.SectionIndex].Name);
        Assert.True(k.Symbols.TryLookup("kexec_size", out var a));
        Assert.True(a.IsAbsolute);
        Assert.Equal(ElfSymbol.AbsoluteSection, a.SectionIndex);
        Assert.True(k.Symbols.TryLookup("weak_fn", out var w));
        Assert.True(w.IsGlobal);
    }

    [Fact]
    public void LookupPrefersGlobalThenNonAbsolute()
    {
        using var k = Kernel((b, text, _, _, data, _) =>
        {
            b.AddSymbol("dup", Data + 0x80, 4, ElfBuilder.SttObject, ElfBuilder.StbLocal, data);
            b.AddSymbol("dup", Text + 0x400, 4, ElfBuilder.SttFunc, ElfBuilder.StbGlobal, text);
            b.AddSymbol("dup2", 0x10, 0, ElfBuilder.SttNotype, ElfBuilder.StbGlobal, ElfBuilder.ShnAbs);
            b.AddSymbol("dup2", Data + 0x90, 4, ElfBuilder.SttObject, ElfBuilder.StbGlobal, data);
        });
        Assert.True(k.Symbols.TryLookup("dup", out var d));
        Assert.Equal(Text + 0x400, d.Address);
        Assert.True(k.Symbols.TryLookup("dup2", out var d2));
        Assert.Equal(Data + 0x90, d2.Address);
        Assert.Equal([Data + 0x20, Data + 0x40], k.Symbols.LookupAll("counter").Select(s => s.Address));
        Assert.Empty(k.Symbols.LookupAll("nothing"));
        Assert.False(k.Symbols.TryLookup("nothing", out _));
    }

    [Theory]
    [InlineData(Text, "_stext", 0UL)]                 // exact: first in System.map order (".text" sorts first and is dropped)
    [InlineData(Text + 1, "startup_64", 1UL)]         // inside: last at that address
    [InlineData(Text + 0x100, "local_fn", 0UL)]
    [InlineData(Text + 0x1ff, "local_fn", 0xffUL)]    // past its size, before the next symbol: still local_fn+off
    [InlineData(Text + 0x200, "schedule", 0UL)]       // a *_text_start delimiter gives way to the function
    [InlineData(Text + 0x210, "schedule", 0x10UL)]
    [InlineData(Text + 0x1000, "_etext", 0UL)]
    [InlineData(Text + 0x5000, "_etext", 0x4000UL)]   // padding after .text (crash: _etext+off)
    [InlineData(Text + 0x900010, "linux_banner", 0xfff10UL)] // between segments too: crash has no bounds but the symbols'
    [InlineData(Data + 0x18, "jiffies", 8UL)]
    [InlineData(Bss, "empty_zero_page", 0UL)]         // the last symbol
    public void FindByAddressNamesWhatCrashSymPrints(ulong address, string name, ulong offset)
    {
        using var k = Kernel();
        Assert.True(k.Symbols.TryFindByAddress(address, out var s, out var off));
        Assert.Equal(name, s.Name);
        Assert.Equal(offset, off);
    }

    [Theory]
    [InlineData(0x1eaUL)]                     // an absolute symbol before _stext: crash keeps none
    [InlineData(0x100UL)]
    [InlineData(Text - 1)]                    // below the image
    [InlineData(Bss + 1)]                     // past the last symbol's address (crash's in_ksymbol_range)
    public void FindByAddressFailsOutsideTheImagesSymbols(ulong address)
    {
        using var k = Kernel();
        Assert.False(k.Symbols.TryFindByAddress(address, out _, out _));
    }

    [Fact]
    public void RelocateAddsTheOffset()
    {
        var s = new ElfSymbol("x", 0xffffffff81000000, 8, SymbolKind.Function, true, 1, 'T');
        Assert.Equal(0xffffffff81e00000UL, s.Relocate(0xe00000).Address);
        Assert.Equal("x", s.Relocate(1).Name);
    }

    [Fact]
    public void RelocatableFilesPlaceSymbolsAtTheirSectionsAddresses()
    {
        var b = new ElfBuilder { Type = ElfBuilder.EtRel };
        var text = b.AddSection(".text", ElfBuilder.ShtProgbits, ElfBuilder.ShfAlloc | ElfBuilder.ShfExecinstr, new byte[0x100]);
        var cold = b.AddSection(".text.unlikely", ElfBuilder.ShtProgbits, ElfBuilder.ShfAlloc | ElfBuilder.ShfExecinstr, new byte[0x100]);
        b.AddSymbol("f", 0x10, 8, ElfBuilder.SttFunc, ElfBuilder.StbLocal, text)
         .AddSymbol("f.cold", 0x10, 8, ElfBuilder.SttFunc, ElfBuilder.StbLocal, cold)
         .AddSymbol("printk", 0, 0, ElfBuilder.SttNotype, ElfBuilder.StbGlobal, 0); // undefined: left out
        using var elf = ElfFile.Open(b.WriteTo(Path.Combine(Fixtures.NewTempDirectory(), "m.ko")));
        Assert.Equal(ElfFileType.Relocatable, elf.Type);
        var plain = SymbolTable.FromElf(elf);
        Assert.Equal(2, plain.Count);
        Assert.True(plain.TryLookup("f", out var f));
        Assert.Equal(0x10UL, f.Address);
        Assert.False(plain.TryLookup("printk", out _));

        var loaded = SymbolTable.FromElf(elf, s => s.Index == text ? 0xffffffffc0000000UL : s.Index == cold ? 0xffffffffc0010000UL : 0);
        Assert.True(loaded.TryLookup("f.cold", out var fc));
        Assert.Equal(0xffffffffc0010010UL, fc.Address);
        Assert.True(loaded.TryFindByAddress(0xffffffffc0000014, out var at, out var off));
        Assert.Equal(("f", 4UL), (at.Name, off));
        Assert.False(loaded.TryFindByAddress(0xffffffffc0000200, out _, out _)); // past .text
    }

    [Fact]
    public void AFileWithoutSymbolsHasAnEmptyTable()
    {
        var b = new ElfBuilder();
        b.AddSection(".text", ElfBuilder.ShtProgbits, ElfBuilder.ShfAlloc, [1]);
        using var elf = ElfFile.Open(b.WriteTo(Path.Combine(Fixtures.NewTempDirectory(), "nosyms")));
        var t = SymbolTable.FromElf(elf);
        Assert.Equal(0, t.Count);
        Assert.False(t.TryFindByAddress(0, out _, out _));
    }
}
