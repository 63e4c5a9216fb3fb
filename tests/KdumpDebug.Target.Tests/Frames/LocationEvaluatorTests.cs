using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Dwarf;
using KdumpDebug.Debuginfo.Elf;
using KdumpDebug.Target.Frames;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Target.Tests.Frames;

/// <summary>
/// The location evaluator on expressions built in code, one operation family per test, against a
/// frame whose registers, memory, CFA, frame base and entry values are given here; and call-site
/// lookup on DWARF built with <see cref="DwarfBuilder"/>.
/// </summary>
public sealed class LocationEvaluatorTests
{
    /// <summary>A frame: rbx (3) = 0x1000, rbp (6) = 0x2000, rsp (7) = 0x3000 known; rax (0) unknown; memory is a dictionary of 8-byte words.</summary>
    sealed class Frame : ILocationContext
    {
        public Dictionary<ulong, ulong> Registers { get; } = new() { [3] = 0x1000, [6] = 0x2000, [7] = 0x3000 };
        public Dictionary<ulong, ulong> Memory { get; } = new() { [0x2008] = 0xdeadbeefcafef00d, [0x3010] = 0x42 };
        public ulong? Cfa { get; set; } = 0x3040;
        public Dictionary<ulong, ulong> EntryValues { get; } = new() { [5] = 0x7777 }; // rdi at entry

        public bool TryReadRegister(ulong dwarfRegister, out ulong value) => Registers.TryGetValue(dwarfRegister, out value);

        public bool TryReadMemory(ulong address, Span<byte> buffer, out string? error)
        {
            error = null;
            if (!Memory.TryGetValue(address, out var word)) { error = $"no memory at {address:x}"; return false; }
            BitConverter.GetBytes(word).AsSpan(0, buffer.Length).CopyTo(buffer);
            return true;
        }

        public bool TryGetCfa(out ulong cfa) { cfa = Cfa ?? 0; return Cfa is not null; }

        public bool TryGetFrameBase(out ulong frameBase, out string? error)
        {
            error = null;
            return TryGetCfa(out frameBase); // DW_AT_frame_base DW_OP_call_frame_cfa, as GCC emits for the kernel
        }

        public ulong RelocateAddress(ulong dwarfAddress) => dwarfAddress + 0xe00000;

        public bool TryGetEntryValue(ReadOnlyMemory<byte> expression, out ulong value, out string? error)
        {
            error = "no call site";
            value = 0;
            var e = expression.Span;
            return e.Length == 1 && e[0] >= 0x50 && e[0] <= 0x6f && EntryValues.TryGetValue((ulong)(e[0] - 0x50), out value);
        }
    }

    static DwarfLocation Eval(params object[] parts) => LocationEvaluator.Evaluate(Bytes(parts), 8, 4, new Frame());

    static byte[] Bytes(params object[] parts)
    {
        var m = new MemoryStream();
        foreach (var p in parts)
        {
            switch (p)
            {
                case DwOp o: m.WriteByte((byte)o); break;
                case byte b: m.WriteByte(b); break;
                case ulong u: m.Write(BitConverter.GetBytes(u)); break;
                case short s: m.Write(BitConverter.GetBytes(s)); break;
                case byte[] a: m.Write(a); break;
                default: throw new ArgumentException(p.ToString());
            }
        }
        return m.ToArray();
    }

    static byte[] U(ulong v) => DwarfBuilder.UlebBytes(v);
    static byte[] S(long v) => DwarfBuilder.SlebBytes(v);

    static ulong Value(DwarfLocation location)
    {
        var piece = Assert.Single(location.Pieces);
        Assert.True(piece.Kind is LocationPieceKind.Value or LocationPieceKind.Register, $"{piece}");
        return BitConverter.ToUInt64(piece.Value.AsSpan(0, 8));
    }

    static ulong Address(DwarfLocation location)
    {
        Assert.True(location.IsSingleMemory, string.Join(", ", location.Pieces));
        return location.Pieces[0].Address;
    }

    [Fact]
    public void RegisterLocationsReadKnownRegistersAndReportUnknownOnes()
    {
        Assert.Equal(0x1000UL, Value(Eval(DwOp.Reg3)));
        Assert.Equal(0x2000UL, Value(Eval(DwOp.Regx, U(6))));
        var rax = Assert.Single(Eval(DwOp.Reg0).Pieces);
        Assert.Equal(LocationPieceKind.Absent, rax.Kind);
        Assert.Equal("not available (rax is not saved in this frame)", rax.Reason);
        Assert.Equal(LocationPieceKind.Register, Eval(DwOp.Reg3).Pieces[0].Kind);
    }

    [Fact]
    public void RegisterRelativeFrameBaseAndCfaAddresses()
    {
        Assert.Equal(0x2008UL, Address(Eval(DwOp.Breg6, S(8))));
        Assert.Equal(0x2ff0UL, Address(Eval(DwOp.Bregx, U(7), S(-16))));
        Assert.Equal(0x3040UL - 24, Address(Eval(DwOp.Fbreg, S(-24))));
        Assert.Equal(0x3040UL, Address(Eval(DwOp.CallFrameCfa)));
        Assert.Equal(0xffffffff82000000UL + 0xe00000, Address(Eval(DwOp.Addr, 0xffffffff82000000UL)));
        // A base register the frame does not know: no address.
        Assert.StartsWith("not available (rax", Eval(DwOp.Breg0, S(0)).Pieces[0].Reason);
        var noCfa = LocationEvaluator.Evaluate(Bytes(DwOp.Fbreg, S(8)), 8, 4, new Frame { Cfa = null });
        Assert.Equal(LocationPieceKind.Absent, noCfa.Pieces[0].Kind);
    }

    [Fact]
    public void StackValuesConstantsArithmeticAndDereference()
    {
        Assert.Equal(5UL, Value(Eval(DwOp.Lit5, DwOp.StackValue)));
        Assert.Equal(unchecked((ulong)-5L), Value(Eval(DwOp.Const1s, (byte)0xfb, DwOp.StackValue)));
        Assert.Equal(0x1234UL, Value(Eval(DwOp.Const2u, (short)0x1234, DwOp.StackValue)));
        Assert.Equal(300UL, Value(Eval(DwOp.Constu, U(300), DwOp.StackValue)));
        Assert.Equal(unchecked((ulong)-300L), Value(Eval(DwOp.Consts, S(-300), DwOp.StackValue)));
        // pde = container_of(inode, ...): DW_OP_breg5 RDI+32, DW_OP_deref, DW_OP_const1u 0x30, DW_OP_minus (proc_reg_write).
        var frame = new Frame();
        frame.Registers[5] = 0x2008 - 32;
        Assert.Equal(0xdeadbeefcafef00dUL - 0x30, Address(LocationEvaluator.Evaluate(Bytes(DwOp.Breg5, S(32), DwOp.Deref, DwOp.Const1u, (byte)0x30, DwOp.Minus), 8, 4, frame)));
        Assert.Equal(0x0dUL, Value(Eval(DwOp.Breg6, S(8), DwOp.DerefSize, (byte)1, DwOp.StackValue)));
        Assert.Equal(0x1000UL * 3 + 7, Value(Eval(DwOp.Breg3, S(0), DwOp.Lit3, DwOp.Mul, DwOp.PlusUconst, U(7), DwOp.StackValue)));
        Assert.Equal(1UL, Value(Eval(DwOp.Lit2, DwOp.Lit3, DwOp.Lt, DwOp.StackValue)));
        Assert.Equal(0xffUL, Value(Eval(DwOp.Const2u, (short)0x1ff, DwOp.Const1u, (byte)0xff, DwOp.And, DwOp.StackValue)));
        Assert.Equal(2UL, Value(Eval(DwOp.Lit1, DwOp.Lit2, DwOp.Swap, DwOp.Drop, DwOp.StackValue)));
        Assert.Equal(unchecked((ulong)-4L), Value(Eval(DwOp.Lit8, DwOp.Neg, DwOp.Lit1, DwOp.Shra, DwOp.StackValue)));
        // Unreadable memory: absent with the reason.
        Assert.Equal("no memory at 5", Eval(DwOp.Lit5, DwOp.Deref).Pieces[0].Reason);
        Assert.Equal("division by zero in a location expression", Eval(DwOp.Lit1, DwOp.Lit0, DwOp.Div, DwOp.StackValue).Pieces[0].Reason);
    }

    [Fact]
    public void BranchesSkipAndLoopBounded()
    {
        // lit1; bra +1; lit7 (skipped); lit9; stack_value -> 9
        Assert.Equal(9UL, Value(Eval(DwOp.Lit1, DwOp.Bra, (short)1, DwOp.Lit7, DwOp.Lit9, DwOp.StackValue)));
        // lit0; bra +1 (not taken); lit7; stack_value -> 7
        Assert.Equal(7UL, Value(Eval(DwOp.Lit0, DwOp.Bra, (short)1, DwOp.Lit7, DwOp.StackValue)));
        Assert.Equal(4UL, Value(Eval(DwOp.Skip, (short)1, DwOp.Lit3, DwOp.Lit4, DwOp.StackValue)));
        // skip -3: jumps to itself forever; stopped.
        Assert.Contains("more than", Eval(DwOp.Skip, unchecked((short)-3)).Pieces[0].Reason);
        Assert.Throws<DumpFormatException>(() => Eval(DwOp.Skip, (short)2, DwOp.Lit1)); // past the end
    }

    [Fact]
    public void ImplicitValuesPiecesAndOptimizedOut()
    {
        var implicitValue = Assert.Single(Eval(DwOp.ImplicitValue, U(3), (byte)1, (byte)2, (byte)3).Pieces);
        Assert.Equal([1, 2, 3], implicitValue.Value);
        Assert.Equal("optimized out", Assert.Single(Eval().Pieces).Reason);
        // struct fd { struct file *file; unsigned int flags; }: file in rbx, flags the constant 0, 4 bytes.
        var pieces = Eval(DwOp.Reg3, DwOp.Piece, U(8), DwOp.Lit0, DwOp.StackValue, DwOp.Piece, U(4)).Pieces;
        Assert.Equal([(LocationPieceKind.Register, 8UL), (LocationPieceKind.Value, 4UL)], pieces.Select(p => (p.Kind, p.Size)));
        // A piece in memory, a piece optimized out (empty), a piece in an unknown register.
        var mixed = Eval(DwOp.Breg6, S(0), DwOp.Piece, U(4), DwOp.Piece, U(4), DwOp.Reg0, DwOp.Piece, U(8)).Pieces;
        Assert.Equal([LocationPieceKind.Memory, LocationPieceKind.Absent, LocationPieceKind.Absent], mixed.Select(p => p.Kind));
        Assert.Equal(0x2000UL, mixed[0].Address);
        var implicitPointer = Assert.Single(Eval(DwOp.ImplicitPointer, (short)0, (short)0, (byte)0).Pieces);
        Assert.Equal(LocationPieceKind.Absent, implicitPointer.Kind);
        Assert.Equal("optimized out (implicit pointer)", implicitPointer.Reason);
    }

    [Fact]
    public void EntryValuesComeFromTheContext()
    {
        // DW_OP_entry_value(DW_OP_reg5 RDI), DW_OP_stack_value: write_sysrq_trigger's file.
        Assert.Equal(0x7777UL, Value(Eval(DwOp.EntryValue, U(1), DwOp.Reg5, DwOp.StackValue)));
        Assert.Equal(0x7777UL + 8, Value(Eval(DwOp.GnuEntryValue, U(1), DwOp.Reg5, DwOp.PlusUconst, U(8), DwOp.StackValue)));
        var missing = Assert.Single(Eval(DwOp.EntryValue, U(1), DwOp.Reg4, DwOp.StackValue).Pieces);
        Assert.Equal(LocationPieceKind.Absent, missing.Kind);
        Assert.Equal("no call site", missing.Reason);
    }

    [Fact]
    public void MalformedExpressionsThrowDumpFormatErrors()
    {
        Assert.Throws<DumpFormatException>(() => Eval(DwOp.Plus));             // stack underflow
        Assert.Throws<DumpFormatException>(() => Eval(DwOp.Const4u, (byte)1)); // truncated operand
        Assert.Throws<DumpFormatException>(() => Eval((byte)0xff));            // not an opcode
        Assert.Throws<DumpFormatException>(() => Eval(DwOp.Lit1, DwOp.DerefSize, (byte)9));
    }

    [Fact]
    public void CallSitesAreFoundByReturnAddressInsideBlocksAndInlinedCode()
    {
        var b = new DwarfBuilder();
        var root = b.AddUnit().SetRoot().Attr(DwAt.Name, DwForm.String, "caller.c");
        var caller = root.Child(DwTag.Subprogram).Label("caller").Attr(DwAt.Name, DwForm.String, "caller")
            .Attr(DwAt.LowPc, DwForm.Addr, 0x1000UL).Attr(DwAt.HighPc, DwForm.Data4, 0x100);
        var site = caller.Child(DwTag.CallSite).Label("site1").Attr(DwAt.CallReturnPc, DwForm.Addr, 0x1010UL);
        site.Child(DwTag.CallSiteParameter).Attr(DwAt.Location, DwForm.Exprloc, new byte[] { (byte)DwOp.Reg5 })
            .Attr(DwAt.CallValue, DwForm.Exprloc, new byte[] { (byte)DwOp.Breg6, 0 });
        site.Child(DwTag.CallSiteParameter).Attr(DwAt.Location, DwForm.Exprloc, new byte[] { (byte)DwOp.Reg4 })
            .Attr(DwAt.CallValue, DwForm.Exprloc, new byte[] { (byte)DwOp.Lit3, (byte)DwOp.StackValue });
        var block = caller.Child(DwTag.LexicalBlock);
        var inlined = block.Child(DwTag.InlinedSubroutine);
        inlined.Child(DwTag.GnuCallSite).Label("site2").Attr(DwAt.LowPc, DwForm.Addr, 0x1080UL);
        var path = Path.Combine(Fixtures.NewTempDirectory(), "callsites.elf");
        File.WriteAllBytes(path, b.BuildElf());
        using var elf = ElfFile.Open(path);
        var dwarf = DwarfInfo.FromElf(elf)!;
        var callerDie = dwarf.GetDie(new DebugInfoOffset((ulong)b.Layout["caller"]));
        Assert.True(CallSites.TryFind(callerDie, 0x1010, out var found));
        Assert.Equal((ulong)b.Layout["site1"], found.Offset.Value);
        Assert.True(CallSites.TryFind(callerDie, 0x1080, out found));
        Assert.Equal((ulong)b.Layout["site2"], found.Offset.Value);
        Assert.False(CallSites.TryFind(callerDie, 0x1011, out _));
        Assert.True(CallSites.TryFindParameterValue(dwarf.GetDie(new DebugInfoOffset((ulong)b.Layout["site1"])), [(byte)DwOp.Reg4], out var value));
        Assert.Equal(3UL, LocationEvaluator.TryEvaluateValue(value.Memory, 8, 4, new Frame(), out var v, out _) ? v : 0);
        Assert.False(CallSites.TryFindParameterValue(dwarf.GetDie(new DebugInfoOffset((ulong)b.Layout["site1"])), [(byte)DwOp.Reg1], out _));
    }
}
