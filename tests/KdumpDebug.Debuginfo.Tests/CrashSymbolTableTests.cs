using KdumpDebug.Debuginfo.Elf;
using KdumpDebug.Debuginfo.Symbols;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Debuginfo.Tests;

/// <summary>
/// crash's kernel symbol table rules (symbols.c store_symbols, value_search, symbol_search) on a
/// small kernel-like image built with <see cref="ElfBuilder"/>, one rule per test; the fixture
/// vmlinux against numbers crash 8.0.2 printed for it.
/// </summary>
public class CrashSymbolTableTests
{
    const ulong Text = 0xffffffff81000000;
    const ulong Rodata = 0xffffffff81800000;
    const ulong Data = 0xffffffff81a00000;
    const ulong Bss = 0xffffffff81c00000;

    sealed class Image : IDisposable
    {
        public required ElfFile Elf { get; init; }
        public required CrashSymbolTable Crash { get; init; }
        public void Dispose() => Elf.Dispose();
    }

    static Image Kernel()
    {
        var b = new ElfBuilder();
        var text = b.AddSection(".text", ElfBuilder.ShtProgbits, ElfBuilder.ShfAlloc | ElfBuilder.ShfExecinstr, new byte[0x1000], Text);
        var hot = b.AddSection(".text.hot", ElfBuilder.ShtProgbits, ElfBuilder.ShfAlloc | ElfBuilder.ShfExecinstr, new byte[0x10], Text + 0xa00);
        var rodata = b.AddSection(".rodata", ElfBuilder.ShtProgbits, ElfBuilder.ShfAlloc, new byte[0x100], Rodata);
        var param = b.AddSection("__param", ElfBuilder.ShtProgbits, ElfBuilder.ShfAlloc, new byte[0x100], Rodata + 0x200);
        var data = b.AddSection(".data", ElfBuilder.ShtProgbits, ElfBuilder.ShfAlloc | ElfBuilder.ShfWrite, new byte[0x1000], Data);
        var percpu = b.AddSection(".data..percpu", ElfBuilder.ShtProgbits, ElfBuilder.ShfAlloc | ElfBuilder.ShfWrite, new byte[0x200], 0);
        var bss = b.AddNobits(".bss", ElfBuilder.ShfAlloc | ElfBuilder.ShfWrite, Bss, 0x1000);
        b.AddSegment(Text, 0x900000).AddSegment(Data, 0x201000);
        const byte L = ElfBuilder.StbLocal, G = ElfBuilder.StbGlobal;
        const byte N = ElfBuilder.SttNotype, F = ElfBuilder.SttFunc, O = ElfBuilder.SttObject, S = ElfBuilder.SttSection;
        b.AddSymbol("", Text, 0, S, L, text)
         .AddSymbol("", Text + 0xa00, 0, S, L, hot)
         .AddSymbol("", Rodata, 0, S, L, rodata)
         .AddSymbol("", Rodata + 0x200, 0, S, L, param)
         .AddSymbol("", Data, 0, S, L, data)
         .AddSymbol("", 0, 0, S, L, percpu)
         .AddSymbol("", Bss, 0, S, L, bss)
         .AddSymbol("main.c", 0, 0, ElfBuilder.SttFile, L, ElfBuilder.ShnAbs)
         .AddSymbol("cpu_number", 0x100, 4, O, L, percpu)
         .AddSymbol("foo.isra.0", Text + 0x100, 0x20, F, L, text)
         .AddSymbol("foo", Text + 0x200, 0x20, F, L, text)
         .AddSymbol("bar.part.0.isra.0", Text + 0x300, 0x20, F, L, text)
         .AddSymbol("baz.isra.0.cold", Text + 0x400, 0x20, F, L, text)
         .AddSymbol("qux.constprop.0", Text + 0x500, 0x20, F, L, text)
         .AddSymbol("hot_fn", Text + 0xa00, 0x10, F, L, hot)
         .AddSymbol("init_thread_union", Data, 0x100, O, G, data)
         .AddSymbol("__per_cpu_start", 0, 0, N, G, percpu)
         .AddSymbol("fixed_percpu_data", 0, 0x28, O, G, percpu)
         .AddSymbol("__per_cpu_end", 0x200, 0, N, G, percpu)
         .AddSymbol("phys_startup_64", 0x1000000, 0, N, G, ElfBuilder.ShnAbs)
         .AddSymbol("init_per_cpu__gdt_page", Data + 0x800, 0, N, G, ElfBuilder.ShnAbs)
         .AddSymbol("_text", Text, 0, N, G, text)
         .AddSymbol("_stext", Text, 0, N, G, text)
         .AddSymbol("startup_64", Text, 0x40, F, G, text)
         .AddSymbol("__sched_text_start", Text + 0x600, 0, N, G, text)
         .AddSymbol("schedule", Text + 0x600, 0x80, F, G, text)
         .AddSymbol("__kprobes_text_start", Text + 0x700, 0, N, G, text)
         .AddSymbol("__kprobes_text_end", Text + 0x700, 0, N, G, text)
         .AddSymbol("SyS_read", Text + 0x800, 0x10, F, G, text)
         .AddSymbol("sys_read", Text + 0x800, 0x10, F, G, text)
         .AddSymbol("_etext", Text + 0x1000, 0, N, G, text)
         .AddSymbol("linux_banner", Rodata, 0x40, O, G, rodata)
         .AddSymbol("__param_initcall_debug", Rodata + 0x200, 0x20, O, L, param)
         .AddSymbol("jiffies", Data + 0x10, 8, O, G, data)
         .AddSymbol("empty_zero_page", Bss, 0x1000, O, G, bss)
         .AddSymbol("_end", Bss + 0x1000, 0, N, G, bss);
        var elf = ElfFile.Open(b.WriteTo(Path.Combine(Fixtures.NewTempDirectory(), "vmlinux")));
        var crash = SymbolTable.FromElf(elf).Crash;
        Assert.NotNull(crash);
        return new Image { Elf = elf, Crash = crash };
    }

    static IEnumerable<string> Lines(CrashSymbolTable t) => t.SortedByAddress.Select(s => $"{s.Address:x} ({s.NmType}) {s.Name}");

    [Fact]
    public void KeepsPerCpuVariablesAndEverythingFromTextOnInNmOrder()
    {
        using var k = Kernel();
        // Dropped: ".data..percpu" (sorts before __per_cpu_start), the file symbol "main.c" ('a'),
        // phys_startup_64 ('A'), ".text" (sorts before _stext).
        Assert.Equal(
        [
            "0 (D) __per_cpu_start", "0 (D) fixed_percpu_data", "100 (d) cpu_number", "200 (D) __per_cpu_end",
            "ffffffff81000000 (T) _stext", "ffffffff81000000 (T) _text", "ffffffff81000000 (T) startup_64",
            "ffffffff81000100 (t) foo", "ffffffff81000200 (t) foo", "ffffffff81000300 (t) bar.part.0",
            "ffffffff81000400 (t) baz", "ffffffff81000500 (t) qux.constprop.0",
            "ffffffff81000600 (T) __sched_text_start", "ffffffff81000600 (T) schedule",
            "ffffffff81000700 (T) __kprobes_text_end", "ffffffff81000700 (T) __kprobes_text_start",
            "ffffffff81000800 (T) SyS_read", "ffffffff81000800 (T) sys_read",
            "ffffffff81000a00 (t) .text.hot", "ffffffff81000a00 (t) hot_fn", "ffffffff81001000 (T) _etext",
            "ffffffff81800000 (r) .rodata", "ffffffff81800000 (R) linux_banner",
            "ffffffff81800200 (r) __param", "ffffffff81800200 (r) __param_initcall_debug",
            "ffffffff81a00000 (d) .data", "ffffffff81a00000 (D) init_thread_union", "ffffffff81a00010 (D) jiffies",
            "ffffffff81a00800 (A) init_per_cpu__gdt_page",
            "ffffffff81c00000 (b) .bss", "ffffffff81c00000 (B) empty_zero_page", "ffffffff81c01000 (B) _end",
        ], Lines(k.Crash));
        Assert.Equal(Text, k.Crash.FirstKernelSymbol);
    }

    [Theory]
    [InlineData("foo.isra.0", "foo")]
    [InlineData("foo.part.3", "foo")]
    [InlineData("vfs_statfs.part.0.isra.0", "vfs_statfs.part.0")] // ".isra." is looked for first
    [InlineData("link_path_walk.part.0.constprop.0", "link_path_walk")]
    [InlineData("rapl_event_update.isra.0.cold", "rapl_event_update")]
    [InlineData("mm_init.constprop.0", "mm_init.constprop.0")]
    [InlineData("__handle_sysrq.cold", "__handle_sysrq.cold")]
    [InlineData("fooisra.0", "fooisra.0")]
    public void StripSymbolEndCutsIsraElsePart(string name, string stripped) =>
        Assert.Equal(stripped, CrashSymbolTable.StripSymbolEnd(name));

    [Fact]
    public void NameSearchUsesStrippedNamesInTableOrder()
    {
        using var k = Kernel();
        Assert.Equal([Text + 0x100, Text + 0x200], k.Crash.LookupAll("foo").Select(s => s.Address));
        Assert.True(k.Crash.TryLookup("foo", out var first));
        Assert.Equal(Text + 0x100, first.Address);
        Assert.False(k.Crash.TryLookup("foo.isra.0", out _));
        Assert.Empty(k.Crash.LookupAll("phys_startup_64"));
        Assert.True(k.Crash.TryLookup(".data", out var data));
        Assert.Equal((Data, 'd', SymbolKind.Section), (data.Address, data.NmType, data.Kind));
    }

    [Theory]
    [InlineData(Text, "_stext", 0UL)]                          // first at the address
    [InlineData(Text + 0x10, "startup_64", 0x10UL)]            // inside: last at the address
    [InlineData(Text + 0x600, "schedule", 0UL)]                // "_text_start" gives way to the next
    [InlineData(Text + 0x700, "__kprobes_text_end", 0UL)]      // "..._text_end" sorts first and stays
    [InlineData(Text + 0x701, "__kprobes_text_start", 1UL)]
    [InlineData(Text + 0x800, "sys_read", 0UL)]                // past a SyS_ alias
    [InlineData(Text + 0xa00, "hot_fn", 0UL)]                  // past a ".text." section symbol
    [InlineData(Text + 0x5000, "_etext", 0x4000UL)]            // padding
    [InlineData(Rodata, ".rodata", 0UL)]                       // section symbols sort before '_' and letters
    [InlineData(Rodata + 0x200, "__param", 0UL)]
    [InlineData(Data, ".data", 0UL)]
    [InlineData(Data + 1, "init_thread_union", 1UL)]
    [InlineData(Data + 0x808, "init_per_cpu__gdt_page", 8UL)]
    [InlineData(Bss + 0x1000, "_end", 0UL)]
    public void AddressSearchIsValueSearch(ulong address, string name, ulong offset)
    {
        using var k = Kernel();
        Assert.True(k.Crash.TryFindByAddress(address, out var s, out var off));
        Assert.Equal((name, offset), (s.Name, off));
    }

    [Theory]
    [InlineData(0UL)]            // per-cpu offsets are below the first kernel symbol
    [InlineData(0x100UL)]
    [InlineData(0x1000000UL)]
    [InlineData(Text - 1)]
    [InlineData(Bss + 0x1001)]   // past the last symbol
    public void AddressSearchIsLimitedToTheKernelSymbolRange(ulong address)
    {
        using var k = Kernel();
        Assert.False(k.Crash.InRange(address));
        Assert.False(k.Crash.TryFindByAddress(address, out _, out _));
    }

    [Fact]
    public void SymbolsInsideTheAllocatedSectionsMoveWithKaslr()
    {
        using var k = Kernel();
        Assert.True(k.Crash.MovesWithKaslr(Text));
        Assert.True(k.Crash.MovesWithKaslr(Data + 0x800)); // absolute init_per_cpu__gdt_page moves too
        Assert.True(k.Crash.MovesWithKaslr(Bss + 0x1000)); // _end: the end is included
        Assert.False(k.Crash.MovesWithKaslr(0x100));       // per-cpu offsets do not
        Assert.False(k.Crash.MovesWithKaslr(0x1000000));
    }

    [Fact]
    public void OnlyKernelImagesGetATable()
    {
        var b = new ElfBuilder();
        var text = b.AddSection(".text", ElfBuilder.ShtProgbits, ElfBuilder.ShfAlloc | ElfBuilder.ShfExecinstr, new byte[0x100], Text);
        b.AddSymbol("main", Text, 0x10, ElfBuilder.SttFunc, ElfBuilder.StbGlobal, text);
        using var noText = ElfFile.Open(b.WriteTo(Path.Combine(Fixtures.NewTempDirectory(), "prog")));
        Assert.Null(SymbolTable.FromElf(noText).Crash);

        var r = new ElfBuilder { Type = ElfBuilder.EtRel };
        var rtext = r.AddSection(".text", ElfBuilder.ShtProgbits, ElfBuilder.ShfAlloc | ElfBuilder.ShfExecinstr, new byte[0x100]);
        r.AddSymbol("_text", 0, 0, ElfBuilder.SttNotype, ElfBuilder.StbGlobal, rtext);
        using var module = ElfFile.Open(r.WriteTo(Path.Combine(Fixtures.NewTempDirectory(), "m.ko")));
        Assert.Null(SymbolTable.FromElf(module).Crash);
    }

    [FixtureFact]
    public void FixtureVmlinuxTableHasCrashsCountAndOrder()
    {
        // crash 8.0.2 `sym -l` on the fixture kernel (sysrq dump, KASLR 0xe00000): 43,889 lines,
        // per-cpu variables first, _end last; the .bss start holds seven symbols in this order.
        var crash = FixtureKernel.Vmlinux.Symbols.Crash!;
        Assert.Equal(43_889, crash.Count);
        Assert.Equal("0 (D) __per_cpu_start", Lines(crash).First());
        Assert.Equal("ffffffff81e20000 (B) _end", Lines(crash).Last());
        const ulong BssStart = 0xffffffff81d08000;
        Assert.Equal(
            [".bss", ".data_nosave", "__bss_start", "__nosave_begin", "__nosave_end", "__smp_locks_end", "empty_zero_page"],
            crash.SortedByAddress.Where(s => s.Address == BssStart).Select(s => s.Name));
        Assert.Equal("? ?", string.Join(' ', crash.SortedByAddress.Where(s => s.Name is ".data_nosave" or "__nosave_begin").Select(s => s.NmType)));
        Assert.Equal(2, crash.LookupAll("rapl_event_update").Count); // .isra.0 and .isra.0.cold
        Assert.False(crash.TryLookup("rapl_event_update.isra.0", out _));
        Assert.True(crash.TryLookup("mm_init.constprop.0", out _));
    }
}
