using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Cfi;

namespace KdumpDebug.Debuginfo.Tests.Cfi;

/// <summary>The DWARF CFI reader on sections built in code: every DW_CFA instruction, both formats.</summary>
public class CfiTableTests
{
    const string File = "test.o";

    static CfiTable DebugFrame(byte[] bytes) => new(bytes, CfiFormat.DebugFrame, 0, File);

    static UnwindRow Row(CfiTable table, ulong address)
    {
        Assert.True(table.TryFindRow(address, out var row), $"no row at {address:x}");
        return row;
    }

    /// <summary>The FDE of the fixture's __crash_kexec (readelf --debug-dump=frames), rebuilt at 0x1000.</summary>
    static CfiTable CrashKexecLike()
    {
        var b = new CfiBuilder();
        var cie = b.AddCie(Op.X86Cie);
        b.AddFde(cie, 0x1000, 0x127, Op.Seq(
            Op.AdvanceLoc(1), Op.DefCfaOffset(16), Op.Offset(3, 2),
            Op.AdvanceLoc(12), Op.DefCfaOffset(192),
            Op.AdvanceLoc1(141), Op.RememberState, Op.DefCfaOffset(16),
            Op.AdvanceLoc(1), Op.Restore(3), Op.DefCfaOffset(8),
            Op.AdvanceLoc(5), Op.RestoreState));
        return DebugFrame(b.Build());
    }

    [Fact]
    public void PrologueBodyAndEpilogueRowsFollowTheInstructions()
    {
        var table = CrashKexecLike();
        var entry = Row(table, 0x1000);
        Assert.Equal(CfaRule.RegisterPlus(UnwindRegister.Rsp, 8), entry.Cfa);
        Assert.Equal(RegisterRule.AtCfa(-8), entry[UnwindRegister.Rip]);
        Assert.Equal(RegisterRuleKind.Unspecified, entry[UnwindRegister.Rbx].Kind);
        Assert.Equal((0x1000UL, 0x1001UL), (entry.Start, entry.End));
        Assert.Equal(UnwindRowSource.Cfi, entry.Source);
        Assert.Equal(UnwindRowKind.Call, entry.Kind);

        var pushed = Row(table, 0x1001);
        Assert.Equal(CfaRule.RegisterPlus(UnwindRegister.Rsp, 16), pushed.Cfa);
        Assert.Equal(RegisterRule.AtCfa(-16), pushed[UnwindRegister.Rbx]);

        var body = Row(table, 0x1050);
        Assert.Equal(CfaRule.RegisterPlus(UnwindRegister.Rsp, 192), body.Cfa);
        Assert.Equal(RegisterRule.AtCfa(-16), body[UnwindRegister.Rbx]);
        Assert.Equal((0x100dUL, 0x109aUL), (body.Start, body.End));

        var popping = Row(table, 0x109a);
        Assert.Equal(CfaRule.RegisterPlus(UnwindRegister.Rsp, 16), popping.Cfa);
        var returned = Row(table, 0x109b);
        Assert.Equal(CfaRule.RegisterPlus(UnwindRegister.Rsp, 8), returned.Cfa);
        Assert.Equal(RegisterRuleKind.Unspecified, returned[UnwindRegister.Rbx].Kind);

        // restore_state brings back the CFA rule and the rbx rule of the body after the early return
        // (where the crash note's rip, __crash_kexec+0x115, is).
        var after = Row(table, 0x1115);
        Assert.Equal(CfaRule.RegisterPlus(UnwindRegister.Rsp, 192), after.Cfa);
        Assert.Equal(RegisterRule.AtCfa(-16), after[UnwindRegister.Rbx]);
        Assert.Equal((0x10a0UL, 0x1127UL), (after.Start, after.End));

        Assert.False(table.TryFindRow(0x1127, out _));
        Assert.False(table.TryFindRow(0xfff, out _));
    }

    [Fact]
    public void EveryRegisterRuleInstructionSetsItsRule()
    {
        byte[] expr = [0x76, 0x68, 0x06]; // DW_OP_breg6 -24; DW_OP_deref
        var b = new CfiBuilder();
        var cie = b.AddCie(Op.X86Cie);
        b.AddFde(cie, 0x2000, 0x100, Op.Seq(
            Op.Undefined(0), Op.SameValue(3), Op.Register(1, 5),
            Op.OffsetExtended(12, 3), Op.OffsetExtendedSf(13, -4) /* factored: -4 * -8 = +32 */,
            Op.ValOffset(14, 2), Op.ValOffsetSf(15, 1),
            Op.Expression(6, expr), Op.ValExpression(2, 0x77, 0x10),
            Op.GnuNegativeOffsetExtended(4, 1),
            Op.OffsetExtended(17, 1) /* xmm0: not tracked, ignored */, Op.GnuArgsSize(16), Op.Nop,
            Op.AdvanceLoc2(0x10), Op.DefCfaRegister(6), Op.Offset(16, 2),
            Op.AdvanceLoc4(0x10), Op.RestoreExtended(16), Op.DefCfaSf(7, -2),
            Op.SetLoc(0x2030), Op.DefCfaOffsetSf(-3),
            Op.AdvanceLoc(1), Op.DefCfaExpression(expr),
            Op.AdvanceLoc(1), Op.DefCfa(49, 8) /* rflags: tracked, odd but legal */));
        var table = DebugFrame(b.Build());

        var r = Row(table, 0x2000);
        Assert.Equal(RegisterRule.Undefined, r[UnwindRegister.Rax]);
        Assert.Equal(RegisterRule.SameValue, r[UnwindRegister.Rbx]);
        Assert.Equal(RegisterRule.InRegister(UnwindRegister.Rdi), r[UnwindRegister.Rdx]);
        Assert.Equal(RegisterRule.AtCfa(-24), r[UnwindRegister.R12]);
        Assert.Equal(RegisterRule.AtCfa(32), r[UnwindRegister.R13]);
        Assert.Equal(RegisterRule.ValueAtCfa(-16), r[UnwindRegister.R14]);
        Assert.Equal(RegisterRule.ValueAtCfa(-8), r[UnwindRegister.R15]);
        Assert.Equal(RegisterRuleKind.Expression, r[UnwindRegister.Rbp].Kind);
        Assert.Equal(expr, r[UnwindRegister.Rbp].Expression.ToArray());
        Assert.Equal(RegisterRuleKind.ValExpression, r[UnwindRegister.Rcx].Kind);
        Assert.Equal(new byte[] { 0x77, 0x10 }, r[UnwindRegister.Rcx].Expression.ToArray());
        Assert.Equal(RegisterRule.AtCfa(8), r[UnwindRegister.Rsi]);
        Assert.Equal((0x2000UL, 0x2010UL), (r.Start, r.End));

        var r2 = Row(table, 0x2010);
        Assert.Equal(CfaRule.RegisterPlus(UnwindRegister.Rbp, 8), r2.Cfa);
        Assert.Equal(RegisterRule.AtCfa(-16), r2[UnwindRegister.Rip]);

        var r3 = Row(table, 0x2020);
        Assert.Equal(RegisterRule.AtCfa(-8), r3[UnwindRegister.Rip]); // restored to the CIE's rule
        Assert.Equal(CfaRule.RegisterPlus(UnwindRegister.Rsp, 16), r3.Cfa);

        var r4 = Row(table, 0x2030);
        Assert.Equal(CfaRule.RegisterPlus(UnwindRegister.Rsp, 24), r4.Cfa);
        Assert.Equal((0x2030UL, 0x2031UL), (r4.Start, r4.End));

        var r5 = Row(table, 0x2031);
        Assert.Equal(CfaRuleKind.Expression, r5.Cfa.Kind);
        Assert.Equal(expr, r5.Cfa.Expression.ToArray());

        var r6 = Row(table, 0x2032);
        Assert.Equal(CfaRule.RegisterPlus(UnwindRegister.Rflags, 8), r6.Cfa);
    }

    [Fact]
    public void CodeAlignmentScalesAdvancesAndAnotherReturnColumnMapsToRip()
    {
        var b = new CfiBuilder();
        var cie = b.AddCie(Op.Seq(Op.DefCfa(7, 8), Op.Offset(3, 1)), codeAlign: 4, returnAddressRegister: 3);
        b.AddFde(cie, 0x100, 0x40, Op.Seq(Op.AdvanceLoc(2), Op.DefCfaOffset(16)));
        var table = DebugFrame(b.Build());
        Assert.Equal(CfaRule.RegisterPlus(UnwindRegister.Rsp, 8), Row(table, 0x107).Cfa);
        Assert.Equal(CfaRule.RegisterPlus(UnwindRegister.Rsp, 16), Row(table, 0x108).Cfa);
        Assert.Equal(RegisterRule.AtCfa(-8), Row(table, 0x100)[UnwindRegister.Rip]);
    }

    [Fact]
    public void EhFrameWithPcRelativeAddressesSignalFramesAndTerminator()
    {
        const ulong section = 0xffff_ffff_8100_0000;
        var b = new CfiBuilder(ehFrame: true, sectionAddress: section);
        var cie = b.AddCie(Op.X86Cie, augmentation: "zRS", fdeEncoding: 0x1b /* pcrel | sdata4 */);
        b.AddFde(cie, section - 0x1000, 0x20, Op.Seq(Op.AdvanceLoc(4), Op.DefCfaOffset(16)), pcrel: true, augmentationData: true);
        b.Raw(0, 0, 0, 0); // terminator
        b.Raw(0xde, 0xad, 0xbe, 0xef); // ignored after the terminator
        var table = new CfiTable(b.Build(), CfiFormat.EhFrame, section, File);
        Assert.Single(table.Fdes);
        Assert.Equal(section - 0x1000, table.Fdes[0].InitialLocation);
        var row = Row(table, section - 0x1000 + 4);
        Assert.Equal(CfaRule.RegisterPlus(UnwindRegister.Rsp, 16), row.Cfa);
        Assert.True(row.IsSignalFrame);
        Assert.Equal(".eh_frame", table.SectionName);
    }

    [Fact]
    public void Dwarf64EntriesAndVersion4Cies()
    {
        var b = new CfiBuilder();
        var cie64 = b.AddCie(Op.X86Cie, dwarf64: true, version: 3);
        b.AddFde(cie64, 0x5000, 0x10, Op.Seq(Op.AdvanceLoc(1), Op.DefCfaOffset(24)), dwarf64: true);
        var cie4 = b.AddCie(Op.X86Cie, version: 4);
        b.AddFde(cie4, 0x6000, 0x10, Op.Seq(Op.AdvanceLoc(2), Op.DefCfaOffset(32)));
        var table = DebugFrame(b.Build());
        Assert.Equal(2, table.Fdes.Count);
        Assert.Equal(CfaRule.RegisterPlus(UnwindRegister.Rsp, 24), Row(table, 0x5001).Cfa);
        Assert.Equal(CfaRule.RegisterPlus(UnwindRegister.Rsp, 32), Row(table, 0x6002).Cfa);
        Assert.Equal(4, table.GetCie(table.Fdes[1].CieOffset).Version);
    }

    [Fact]
    public void FdesAreFoundWhateverTheirOrderInTheSection()
    {
        var b = new CfiBuilder();
        var cie = b.AddCie(Op.X86Cie);
        foreach (var start in new ulong[] { 0x9000, 0x1000, 0x5000 })
            b.AddFde(cie, start, 0x100, Op.DefCfaOffset(start >> 8));
        b.AddFde(cie, 0x7000, 0, Op.DefCfaOffset(1)); // empty range: left out of the index
        var table = DebugFrame(b.Build());
        Assert.Equal(new ulong[] { 0x1000, 0x5000, 0x9000 }, table.Fdes.Select(f => f.InitialLocation));
        Assert.Equal(CfaRule.RegisterPlus(UnwindRegister.Rsp, 0x50), Row(table, 0x50ff).Cfa);
        Assert.False(table.TryFindRow(0x7000, out _));
    }

    // Bad input: each gives one DumpFormatException line naming the file, the field and the offset.

    static DumpFormatException Corrupt(Func<object> read)
    {
        var e = Assert.Throws<DumpFormatException>(read);
        Assert.StartsWith($"{File}: ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    [Fact]
    public void AnEntryPastTheSectionEndIsReported()
    {
        var b = new CfiBuilder();
        var cie = b.AddCie(Op.X86Cie);
        b.AddFde(cie, 0x1000, 0x10, Op.DefCfaOffset(16));
        var bytes = b.Build();
        var table = DebugFrame(bytes[..^4]);
        var e = Corrupt(() => table.Fdes);
        Assert.Contains("entry length", e.Message);
        Assert.Contains("run past the end of the section", e.Message);
        Assert.Equal(0x18, e.Offset);
    }

    [Fact]
    public void ACiePointerOutOfRangeIsReported()
    {
        var b = new CfiBuilder();
        b.AddCie(Op.X86Cie);
        b.AddFde(0x7fff_0000, 0x1000, 0x10, Op.DefCfaOffset(16));
        var e = Corrupt(() => DebugFrame(b.Build()).Fdes);
        Assert.Contains("FDE CIE pointer", e.Message);
        Assert.Contains("0x7fff0000 points outside the section", e.Message);
    }

    [Fact]
    public void ACiePointerToAnFdeIsReported()
    {
        var b = new CfiBuilder();
        var cie = b.AddCie(Op.X86Cie);
        var fde = b.AddFde(cie, 0x1000, 0x10, Op.DefCfaOffset(16));
        b.AddFde(fde, 0x2000, 0x10, Op.DefCfaOffset(16));
        var e = Corrupt(() => DebugFrame(b.Build()).Fdes);
        Assert.Contains($"0x{fde:x} is not the start of a CIE", e.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0x0b }, "no state was remembered")]
    [InlineData(new byte[] { 0x3f }, "0x3f is not a call frame instruction")]
    [InlineData(new byte[] { 0x0e, 0x80, 0x80 }, "ULEB128 runs past the end of the entry")]
    [InlineData(new byte[] { 0x02 }, "needs 1 bytes but the entry ends")]
    public void CorruptInstructionsAreReportedWhenTheRowIsComputed(byte[] instructions, string problem)
    {
        var b = new CfiBuilder();
        var cie = b.AddCie(Op.X86Cie);
        // No nop padding: it would complete a truncated operand.
        b.AddFde(cie, 0x1000, 0x10, instructions, pad: false);
        var table = DebugFrame(b.Build());
        var e = Corrupt(() => Row(table, 0x1000));
        Assert.Contains(problem, e.Message);
        Assert.Contains("FDE instructions", e.Message);
    }

    [Fact]
    public void RememberStateNestingIsBounded()
    {
        var b = new CfiBuilder();
        var cie = b.AddCie(Op.X86Cie);
        b.AddFde(cie, 0x1000, 0x10, Enumerable.Repeat((byte)0x0a, CfiTable.MaxRememberDepth + 1).ToArray());
        var e = Corrupt(() => Row(DebugFrame(b.Build()), 0x1000));
        Assert.Contains($"nesting deeper than {CfiTable.MaxRememberDepth}", e.Message);
    }

    [Fact]
    public void UnknownCieVersionAndReservedLengthsAreReported()
    {
        var b = new CfiBuilder();
        var cie = b.AddCie(Op.X86Cie, version: 2);
        b.AddFde(cie, 0x1000, 0x10, Op.Nop);
        Assert.Contains("CIE version at offset 0x8: is 2, expected 1, 3 or 4", Corrupt(() => DebugFrame(b.Build()).Fdes).Message);

        var reserved = new CfiBuilder().Raw(0xf0, 0xff, 0xff, 0xff, 0, 0, 0, 0).Build();
        Assert.Contains("0xfffffff0 is a reserved value", Corrupt(() => DebugFrame(reserved).Fdes).Message);
    }

    [Fact]
    public void AnAugmentationWithoutALengthCannotBeSkipped()
    {
        var b = new CfiBuilder();
        var cie = b.AddCie(Op.X86Cie, augmentation: "xyz");
        b.AddFde(cie, 0x1000, 0x10, Op.Nop);
        Assert.Contains("\"xyz\" is not supported", Corrupt(() => DebugFrame(b.Build()).Fdes).Message);
    }
}
