using KdumpDebug.Debuginfo.Cfi;
using KdumpDebug.Debuginfo.Elf;
using KdumpDebug.Debuginfo.Symbols;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Debuginfo.Tests.Cfi;

/// <summary>The CFI reader on the fixture kernel's .debug_frame and lkdtm.ko's relocated .debug_frame.</summary>
public class CfiFixtureTests
{
    [FixtureFact]
    public void EveryVmlinuxFdeRunsToItsLastAddress()
    {
        var table = CfiTable.FromElf(FixtureKernel.Vmlinux.Elf);
        Assert.NotNull(table);
        Assert.Equal(CfiFormat.DebugFrame, table.Format);
        // readelf --debug-dump=frames lists 19060 FDEs in the fixture vmlinux, none of them empty.
        Assert.Equal(19060, table.Fdes.Count);
        var startingAtCall = 0;
        foreach (var fde in table.Fdes)
        {
            var first = table.ComputeRow(fde, fde.InitialLocation);
            var last = table.ComputeRow(fde, fde.EndLocation - 1);
            Assert.Equal(RegisterRule.AtCfa(-8), first[UnwindRegister.Rip]);
            Assert.NotEqual(CfaRuleKind.Unknown, first.Cfa.Kind);
            Assert.NotEqual(CfaRuleKind.Unknown, last.Cfa.Kind);
            if (first.Cfa == CfaRule.RegisterPlus(UnwindRegister.Rsp, 8)) startingAtCall++;
        }
        // Functions start right after a call (CFA = rsp + 8); GCC's .cold parts start inside their
        // parent's frame, with the parent's CFA (e.g. __handle_sysrq.cold).
        Assert.InRange(startingAtCall, 17000, 19059);
    }

    [FixtureFact]
    public void CrashKexecBodyRowMatchesReadelf()
    {
        // readelf: FDE pc=ffffffff810c8bf0..ffffffff810c8d17: def_cfa_offset 16, rbx at cfa-16,
        // def_cfa_offset 192 from +0xd; the crash note's rip is __crash_kexec+0x115.
        var vmlinux = FixtureKernel.Vmlinux;
        Assert.True(vmlinux.Symbols.TryLookup("__crash_kexec", out var symbol));
        var table = CfiTable.FromElf(vmlinux.Elf)!;
        Assert.True(table.TryFindRow(symbol.Address + 0x115, out var row));
        Assert.Equal(CfaRule.RegisterPlus(UnwindRegister.Rsp, 192), row.Cfa);
        Assert.Equal(RegisterRule.AtCfa(-16), row[UnwindRegister.Rbx]);
        Assert.Equal(RegisterRule.AtCfa(-8), row[UnwindRegister.Rip]);
        // The row restored after the early-return epilogue (remember_state at +0x9a, restore_state at +0xa0).
        Assert.Equal(symbol.Address + 0xa0, row.Start);
        Assert.Equal(symbol.Address + 0x127, row.End);
    }

    [FixtureFact]
    public void ModuleDebugFrameIsRelocatedToThePlacedSections()
    {
        using var elf = ElfFile.Open(FixtureKernel.LkdtmPath);
        Assert.Equal(ElfFileType.Relocatable, elf.Type);
        // Place each allocated section at a distinct made-up address, as the module loader would.
        ulong Place(ElfSection s) => 0xffff_ffff_c000_0000UL + (ulong)s.Index * 0x10000;
        var table = CfiTable.FromElf(elf, Place);
        Assert.NotNull(table);
        var symbols = SymbolTable.FromElf(elf);
        Assert.True(symbols.TryLookup("lkdtm_EXCEPTION", out var exception));
        var text = elf.Sections[exception.SectionIndex];
        var address = Place(text) + exception.Address;
        Assert.True(table.TryFindFde(address, out var fde));
        Assert.Equal(address, fde.InitialLocation);
        var row = table.ComputeRow(fde, address);
        Assert.Equal(CfaRule.RegisterPlus(UnwindRegister.Rsp, 8), row.Cfa);
        // Every FDE lands in a placed code section.
        foreach (var f in table.Fdes)
            Assert.Contains(elf.Sections, s => s.IsAllocated && f.InitialLocation >= Place(s) && f.EndLocation <= Place(s) + s.Size);
    }
}
