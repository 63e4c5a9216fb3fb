using System.Buffers.Binary;
using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Cfi;
using KdumpDebug.Debuginfo.Elf;
using KdumpDebug.Debuginfo.Orc;
using KdumpDebug.Debuginfo.Symbols;
using KdumpDebug.TestSupport;
using static KdumpDebug.Debuginfo.Tests.Orc.OrcEntryLayoutTests;

namespace KdumpDebug.Debuginfo.Tests.Orc;

/// <summary>ORC tables built in code and the fixture's: lookup, sorting, bounds, and the translation into unwind rows.</summary>
public class OrcTableTests
{
    const ulong IpBase = 0xffff_ffff_81a0_0000;

    /// <summary>An .orc_unwind_ip placed at <see cref="IpBase"/> pointing at <paramref name="addresses"/>, and the entries.</summary>
    static OrcTable Build(ulong[] addresses, ushort[] flags, OrcEntryLayout? layout = null, short[]? spOffsets = null)
    {
        var ips = new byte[addresses.Length * 4];
        for (var i = 0; i < addresses.Length; i++)
            BinaryPrimitives.WriteInt32LittleEndian(ips.AsSpan(i * 4), (int)(long)(addresses[i] - (IpBase + (ulong)i * 4)));
        var entries = flags.SelectMany((f, i) => Entry(spOffsets?[i] ?? (short)(8 * (i + 1)), 0, f)).ToArray();
        return new OrcTable(ips, IpBase, entries, layout ?? OrcEntryLayout.V1, "test");
    }

    [Fact]
    public void LookupFindsTheLastEntryAtOrBelowTheAddress()
    {
        var table = Build([0xffff_ffff_8100_0000, 0xffff_ffff_8100_0010, 0xffff_ffff_8100_0020], [0x015, 0x015, 0x000]);
        Assert.False(table.TryFind(0xffff_ffff_80ff_ffff, out _, out _, out _));
        Assert.True(table.TryFind(0xffff_ffff_8100_0000, out var e, out var start, out var end));
        Assert.Equal((8, 0xffff_ffff_8100_0000UL, 0xffff_ffff_8100_0010UL), (e.SpOffset, start, end));
        Assert.True(table.TryFind(0xffff_ffff_8100_001f, out e, out start, out _));
        Assert.Equal((16, 0xffff_ffff_8100_0010UL), (e.SpOffset, start));
        Assert.True(table.TryFind(0xffff_ffff_9000_0000, out e, out _, out end));
        Assert.Equal(OrcType.Undefined, e.Type);
        Assert.Equal(ulong.MaxValue, end);
    }

    [Fact]
    public void AnUnsortedTableIsSortedWithTerminatorsBeforeRealEntries()
    {
        // As in a .ko: a terminator (all zero) at the same address as a real entry, listed after it.
        var table = Build([0x3000, 0x1000, 0x2000, 0x2000], [0x015, 0x015, 0x015, 0x000]);
        Assert.Equal(new ulong[] { 0x1000, 0x2000, 0x2000, 0x3000 }, Enumerable.Range(0, 4).Select(table.AddressAt));
        Assert.True(table.TryFind(0x2000, out var e, out _, out _));
        Assert.Equal(OrcType.Call, e.Type);
        Assert.Equal(24, e.SpOffset);
    }

    [Theory]
    [InlineData(7, 12, ".orc_unwind_ip size", "0x7 bytes is not a multiple of 4")]
    [InlineData(8, 13, ".orc_unwind size", "0xd bytes is not a multiple of 6")]
    [InlineData(8, 18, ".orc_unwind size", "3 entries but .orc_unwind_ip has 2")]
    public void MismatchedSectionSizesAreReported(int ipBytes, int entryBytes, string field, string problem)
    {
        var e = Assert.Throws<DumpFormatException>(() => new OrcTable(new byte[ipBytes], IpBase, new byte[entryBytes], OrcEntryLayout.V1, "vmlinux"));
        Assert.Equal($"vmlinux: {field}: {problem}", e.Message);
    }

    [Fact]
    public void CallEntriesBecomeCallRows()
    {
        var row = new OrcEntry(24, -16, OrcRegister.Sp, OrcRegister.PrevSp, OrcType.Call, false).ToUnwindRow(0x10, 0x20)!;
        Assert.Equal((UnwindRowSource.Orc, UnwindRowKind.Call, false), (row.Source, row.Kind, row.IsSignalFrame));
        Assert.Equal(CfaRule.RegisterPlus(UnwindRegister.Rsp, 24), row.Cfa);
        Assert.Equal(RegisterRule.AtCfa(-8), row[UnwindRegister.Rip]);
        Assert.Equal(RegisterRule.ValueAtCfa(0), row[UnwindRegister.Rsp]);
        Assert.Equal(RegisterRule.AtCfa(-16), row[UnwindRegister.Rbp]);
        Assert.Equal(RegisterRule.Undefined, row[UnwindRegister.Rbx]); // ORC does not track it
        Assert.Equal(RegisterRule.Undefined, row[UnwindRegister.Rax]);
        Assert.Equal(RegisterRule.SameValue, row[UnwindRegister.Cs]);
        Assert.Equal((0x10UL, 0x20UL), (row.Start, row.End));

        var unchangedBp = new OrcEntry(8, 0, OrcRegister.Sp, OrcRegister.Undefined, OrcType.Call, true).ToUnwindRow(0, 1)!;
        Assert.Equal(RegisterRule.SameValue, unchangedBp[UnwindRegister.Rbp]);
        Assert.True(unchangedBp.IsSignalFrame);

        var bpRelative = new OrcEntry(16, -8, OrcRegister.Bp, OrcRegister.Bp, OrcType.Call, false).ToUnwindRow(0, 1)!;
        Assert.Equal(CfaRule.RegisterPlus(UnwindRegister.Rbp, 16), bpRelative.Cfa);
        Assert.Equal(RegisterRuleKind.Expression, bpRelative[UnwindRegister.Rbp].Kind);
        Assert.Equal(new byte[] { 0x76, 0x78 }, bpRelative[UnwindRegister.Rbp].Expression.ToArray()); // DW_OP_breg6 -8
    }

    [Theory]
    [InlineData(OrcRegister.R10, UnwindRegister.R10)]
    [InlineData(OrcRegister.R13, UnwindRegister.R13)]
    [InlineData(OrcRegister.Di, UnwindRegister.Rdi)]
    [InlineData(OrcRegister.Dx, UnwindRegister.Rdx)]
    public void RegisterBasesIgnoreTheOffsetAsTheKernelDoes(OrcRegister orc, UnwindRegister register)
    {
        var row = new OrcEntry(40, 0, orc, OrcRegister.Undefined, OrcType.Call, false).ToUnwindRow(0, 1)!;
        Assert.Equal(CfaRule.RegisterPlus(register, 0), row.Cfa);
    }

    [Fact]
    public void IndirectBasesBecomeExpressions()
    {
        var sp = new OrcEntry(8, 0, OrcRegister.SpIndirect, OrcRegister.Undefined, OrcType.Call, false).ToUnwindRow(0, 1)!;
        // *(rsp + 0) + 8: DW_OP_breg7 0; DW_OP_deref; DW_OP_consts 8; DW_OP_plus
        Assert.Equal(new byte[] { 0x77, 0x00, 0x06, 0x11, 0x08, 0x22 }, sp.Cfa.Expression.ToArray());
        var bp = new OrcEntry(-8, 0, OrcRegister.BpIndirect, OrcRegister.Undefined, OrcType.Call, false).ToUnwindRow(0, 1)!;
        // *(rbp - 8): DW_OP_breg6 -8; DW_OP_deref
        Assert.Equal(new byte[] { 0x76, 0x78, 0x06 }, bp.Cfa.Expression.ToArray());
    }

    [Fact]
    public void RegsAndPartialEntriesReadThePtRegs()
    {
        var regs = new OrcEntry(0, 0, OrcRegister.Sp, OrcRegister.Undefined, OrcType.Regs, true).ToUnwindRow(0, 1)!;
        Assert.Equal((UnwindRowKind.Regs, true), (regs.Kind, regs.IsSignalFrame));
        Assert.Equal(RegisterRule.AtCfa(0), regs[UnwindRegister.R15]);
        Assert.Equal(RegisterRule.AtCfa(32), regs[UnwindRegister.Rbp]);
        Assert.Equal(RegisterRule.AtCfa(120), regs[UnwindRegister.OrigRax]);
        Assert.Equal(RegisterRule.AtCfa(128), regs[UnwindRegister.Rip]);
        Assert.Equal(RegisterRule.AtCfa(152), regs[UnwindRegister.Rsp]);
        Assert.Equal(RegisterRule.AtCfa(160), regs[UnwindRegister.Ss]);
        Assert.Equal(RegisterRule.SameValue, regs[UnwindRegister.FsBase]);

        var partial = new OrcEntry(8, 0, OrcRegister.Sp, OrcRegister.Undefined, OrcType.RegsPartial, true).ToUnwindRow(0, 1)!;
        Assert.Equal(UnwindRowKind.RegsPartial, partial.Kind);
        Assert.Equal(RegisterRule.AtCfa(0), partial[UnwindRegister.Rip]);
        Assert.Equal(RegisterRule.AtCfa(8), partial[UnwindRegister.Cs]);
        Assert.Equal(RegisterRule.AtCfa(16), partial[UnwindRegister.Rflags]);
        Assert.Equal(RegisterRule.AtCfa(24), partial[UnwindRegister.Rsp]);
        Assert.Equal(RegisterRule.SameValue, partial[UnwindRegister.Rbx]);
    }

    [Fact]
    public void EndOfStackUndefinedAndUnknownRegistersGiveNoFrame()
    {
        Assert.Equal(UnwindRowKind.EndOfStack, new OrcEntry(0, 0, 0, 0, OrcType.EndOfStack, false).ToUnwindRow(0, 1)!.Kind);
        Assert.Null(new OrcEntry(0, 0, 0, 0, OrcType.Undefined, false).ToUnwindRow(0, 1));
        Assert.Null(new OrcEntry(8, 0, OrcRegister.PrevSp, 0, OrcType.Call, false).ToUnwindRow(0, 1));
        Assert.Null(new OrcEntry(8, 0, OrcRegister.Sp, OrcRegister.Dx, OrcType.Call, false).ToUnwindRow(0, 1));
    }

    [FixtureFact]
    public void FixtureVmlinuxTableDecodesUnderTheV61Layout()
    {
        var vmlinux = FixtureKernel.Vmlinux;
        var table = OrcTable.FromElf(vmlinux.Elf);
        Assert.NotNull(table);
        Assert.Equal(OrcEntryLayout.V1, table.Layout);
        Assert.Equal(0, table.ImplausibleEntries);
        // .orc_unwind_ip is 0x8335c bytes: 134359 entries.
        Assert.Equal(134359, table.Count);
        Assert.True(vmlinux.Symbols.TryLookup("_stext", out var stext));
        Assert.True(table.FirstAddress <= stext.Address);

        // The syscall entry saves a full pt_regs before calling do_syscall_64.
        Assert.True(vmlinux.Symbols.TryLookup("entry_SYSCALL_64_after_hwframe", out var entry));
        Assert.True(table.TryFind(entry.Address + 0x6e - 1, out var e, out _, out _));
        Assert.Equal(OrcType.Regs, e.Type);
        Assert.Equal(OrcRegister.Sp, e.SpRegister);
        // ret_from_fork ends every kernel thread's stack.
        Assert.True(vmlinux.Symbols.TryLookup("ret_from_fork", out var fork));
        Assert.Contains(Enumerable.Range(0, 64).Select(i => table.TryFind(fork.Address + (ulong)i, out var x, out _, out _) ? x.Type : OrcType.Undefined),
            t => t == OrcType.EndOfStack);
        // objtool left __crash_kexec without ORC in this kernel: only its DWARF CFI describes it.
        Assert.True(vmlinux.Symbols.TryLookup("__crash_kexec", out var crashKexec));
        Assert.True(table.TryFind(crashKexec.Address + 0x115, out e, out _, out _));
        Assert.Equal(OrcType.Undefined, e.Type);
    }

    [FixtureFact]
    public void ModuleTableIsRelocatedAndSorted()
    {
        using var elf = ElfFile.Open(FixtureKernel.LkdtmPath);
        ulong Place(ElfSection s) => 0xffff_ffff_c000_0000UL + (ulong)s.Index * 0x10000;
        // A module comes from the same build as the vmlinux: the unwinder passes the vmlinux's layout.
        var table = OrcTable.FromElf(elf, Place, OrcEntryLayout.V1);
        Assert.NotNull(table);
        Assert.Equal(0x8a4 / 4, table.Count);
        Assert.Equal(OrcEntryLayout.V1, table.Layout);
        // Detected alone, a module table without end-of-stack entries cannot tell v6.1 from v6.3 (bit 10
        // is never set), and then both layouts give the same unwind rows.
        var detected = OrcTable.FromElf(elf, Place)!;
        Assert.Equal(0, detected.ImplausibleEntries);
        for (var i = 0; i < table.Count; i++)
            Assert.Equal(table.EntryAt(i).ToUnwindRow(0, 1)?.ToString(), detected.EntryAt(i).ToUnwindRow(0, 1)?.ToString());
        Assert.True(SymbolTable.FromElf(elf).TryLookup("lkdtm_EXCEPTION", out var exception));
        var address = Place(elf.Sections[exception.SectionIndex]) + exception.Address;
        Assert.True(table.TryFind(address, out var e, out var start, out _));
        Assert.Equal(address, start);
        Assert.Equal(new OrcEntry(8, 0, OrcRegister.Sp, OrcRegister.Undefined, OrcType.Call, false), e);
        for (var i = 1; i < table.Count; i++) Assert.True(table.AddressAt(i - 1) <= table.AddressAt(i));
    }
}
