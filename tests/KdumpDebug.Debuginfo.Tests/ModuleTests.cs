using System.Globalization;
using System.Text.RegularExpressions;
using KdumpDebug.Debuginfo.Elf;
using KdumpDebug.Debuginfo.Lines;
using KdumpDebug.Debuginfo.Symbols;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Debuginfo.Tests;

/// <summary>lkdtm.ko (kernel/lkdtm.ko.xz): a relocatable ELF with DWARF and .rela.debug_* sections.</summary>
public partial class ModuleTests
{
    [FixtureFact]
    public void OpensWithBuildIdAndSymbols()
    {
        using var elf = ElfFile.Open(FixtureKernel.LkdtmPath);
        Assert.Equal(ElfFileType.Relocatable, elf.Type);
        Assert.Equal("7ff4652071f7493d6e400be9fb15677840c954bb", elf.BuildId);
        var symbols = SymbolTable.FromElf(elf);
        Assert.True(symbols.TryLookup("lkdtm_EXCEPTION", out var s));
        Assert.Equal(SymbolKind.Function, s.Kind);
        Assert.Equal('t', s.NmType);
        Assert.Equal(".text", elf.Sections[s.SectionIndex].Name);
        Assert.True(symbols.TryLookup("direct_entry.cold", out var cold));
        Assert.Equal(".text.unlikely", elf.Sections[cold.SectionIndex].Name);
    }

    [GeneratedRegex(@"^0x([0-9a-f]+) <lkdtm_EXCEPTION(?:\+(\d+))?>:")]
    private static partial Regex DisLine();

    [FixtureFact]
    public void LinesOfTheLoadedModuleMatchCrashDisDashL()
    {
        // crash's `mod -s lkdtm` then `dis -l lkdtm_EXCEPTION`: place .text where the dump had it
        // (lkdtm_EXCEPTION at the address crash shows) and the other sections apart from it.
        using var elf = ElfFile.Open(FixtureKernel.LkdtmPath);
        var golden = Fixtures.ReadText("oops-module/crash/dis-l-lkdtm_EXCEPTION.txt").Split('\n');
        var first = DisLine().Match(golden.First(l => DisLine().IsMatch(l)));
        var loadedAt = ulong.Parse(first.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        Assert.True(SymbolTable.FromElf(elf).TryLookup("lkdtm_EXCEPTION", out var unplaced));
        var textBase = loadedAt - unplaced.Address;
        ulong Place(ElfSection s) => !s.IsAllocated ? 0 : s.Name == ".text" ? textBase : 0xffffffffd0000000UL + (ulong)s.Index * 0x100000;

        var symbols = SymbolTable.FromElf(elf, Place);
        var lines = LineTable.FromElf(elf, Place)!;
        string? expected = null;
        var instructions = 0;
        foreach (var text in golden)
        {
            var insn = DisLine().Match(text);
            if (!insn.Success)
            {
                if (text.Length > 0) expected = text;
                continue;
            }
            var address = ulong.Parse(insn.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            Assert.True(symbols.TryFindByAddress(address, out var s, out var offset));
            Assert.Equal("lkdtm_EXCEPTION", s.Name);
            Assert.Equal(insn.Groups[2].Success ? ulong.Parse(insn.Groups[2].Value, CultureInfo.InvariantCulture) : 0, offset);
            Assert.True(lines.TryFindLine(address, out var line), text);
            Assert.Equal(expected, $"{line.File}: {line.Line}");
            instructions++;
        }
        Assert.Equal(6, instructions);
        Assert.Equal("./drivers/misc/lkdtm/bugs.c: 95", golden[0]);
    }
}
