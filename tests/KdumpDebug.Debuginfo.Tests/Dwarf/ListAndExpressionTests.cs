using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Dwarf;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Debuginfo.Tests.Dwarf;

/// <summary>Range lists, location lists (DWARF 5 and 4) and the DW_OP decoder on inputs built in code.</summary>
public class ListAndExpressionTests
{
    static byte[] Bytes(params object[] parts)
    {
        var m = new MemoryStream();
        foreach (var p in parts)
        {
            switch (p)
            {
                case byte b: m.WriteByte(b); break;
                case DwRle r: m.WriteByte((byte)r); break;
                case DwLle l: m.WriteByte((byte)l); break;
                case DwOp o: m.WriteByte((byte)o); break;
                case ulong u: m.Write(BitConverter.GetBytes(u)); break;
                case byte[] a: m.Write(a); break;
                default: throw new ArgumentException(p.ToString());
            }
        }
        return m.ToArray();
    }

    [Fact]
    public void RngListsDecodeEveryEntryKind()
    {
        var b = new DwarfBuilder();
        var addrBase = b.AddAddressTable(0x5000, 0x6000, 0x6100);
        var list = Bytes(
            DwRle.OffsetPair, DwarfBuilder.UlebBytes(0x10), DwarfBuilder.UlebBytes(0x20),          // base is the unit's low_pc 0x1000
            DwRle.BaseAddress, 0x2000UL, DwRle.OffsetPair, DwarfBuilder.UlebBytes(0), DwarfBuilder.UlebBytes(8),
            DwRle.BaseAddressx, DwarfBuilder.UlebBytes(0), DwRle.OffsetPair, DwarfBuilder.UlebBytes(1), DwarfBuilder.UlebBytes(2),
            DwRle.StartxEndx, DwarfBuilder.UlebBytes(1), DwarfBuilder.UlebBytes(2),
            DwRle.StartxLength, DwarfBuilder.UlebBytes(0), DwarfBuilder.UlebBytes(4),
            DwRle.StartEnd, 0x7000UL, 0x7010UL,
            DwRle.StartLength, 0x8000UL, DwarfBuilder.UlebBytes(0x30),
            DwRle.StartLength, 0x9000UL, DwarfBuilder.UlebBytes(0), // empty: dropped
            DwRle.EndOfList);
        var (rngBase, offsets) = b.AddListTable(".debug_rnglists", list);
        var root = b.AddUnit().SetRoot().Attr(DwAt.LowPc, DwForm.Addr, 0x1000UL).Attr(DwAt.AddrBase, DwForm.SecOffset, addrBase)
            .Attr(DwAt.RnglistsBase, DwForm.SecOffset, rngBase);
        root.Child(DwTag.LexicalBlock).Label("block").Attr(DwAt.Ranges, DwForm.SecOffset, offsets[0]);
        root.Child(DwTag.Subprogram).Label("f").Attr(DwAt.Name, DwForm.String, "f").Attr(DwAt.LowPc, DwForm.Addr, 0x4000UL).Attr(DwAt.HighPc, DwForm.Data4, 0x40);
        using var built = new BuiltDwarf(b);
        Assert.Equal(
        [
            new AddressRange(0x1010, 0x1020), new AddressRange(0x2000, 0x2008), new AddressRange(0x5001, 0x5002),
            new AddressRange(0x6000, 0x6100), new AddressRange(0x5000, 0x5004), new AddressRange(0x7000, 0x7010),
            new AddressRange(0x8000, 0x8030),
        ], RangeLists.ForDie(built.Die("block")));
        Assert.Equal([new AddressRange(0x4000, 0x4040)], RangeLists.ForDie(built.Die("f")));
    }

    [Fact]
    public void Dwarf4RangesAndLocUseBaseSelectionEntries()
    {
        var b = new DwarfBuilder();
        var ranges = b.Section(".debug_ranges");
        ranges.Write(Bytes(0x10UL, 0x20UL, ulong.MaxValue, 0x3000UL, 0UL, 4UL, 0UL, 0UL));
        var loc = b.Section(".debug_loc");
        loc.Write(Bytes(0x0UL, 0x8UL, (byte)1, (byte)0, DwOp.Reg0, ulong.MaxValue, 0x9000UL, 0x4UL, 0x6UL, (byte)2, (byte)0, DwOp.Breg7, (byte)8, 0UL, 0UL));
        var root = b.AddUnit(version: 4).SetRoot().Attr(DwAt.LowPc, DwForm.Addr, 0x100UL);
        root.Child(DwTag.LexicalBlock).Label("block").Attr(DwAt.Ranges, DwForm.SecOffset, 0);
        root.Child(DwTag.Variable).Label("v").Attr(DwAt.Name, DwForm.String, "v").Attr(DwAt.Location, DwForm.SecOffset, 0);
        using var built = new BuiltDwarf(b);
        Assert.Equal([new AddressRange(0x110, 0x120), new AddressRange(0x3000, 0x3004)], RangeLists.ForDie(built.Die("block")));
        Assert.True(built.Die("v").TryGetAttribute(DwAt.Location, out var location));
        Assert.Equal(AttributeClass.LocList, location.Class);
        var entries = LocationLists.Read(location);
        Assert.Equal(2, entries.Count);
        Assert.Equal((0x100UL, 0x108UL), (entries[0].Begin, entries[0].End));
        Assert.Equal([(byte)DwOp.Reg0], entries[0].Expression.ToArray());
        Assert.Equal((0x9004UL, 0x9006UL), (entries[1].Begin, entries[1].End));
        var ops = DwarfExpression.Decode(entries[1].Expression, 8, 4);
        Assert.Equal(DwOp.Breg7, Assert.Single(ops).Opcode);
        Assert.Equal(8L, (long)ops[0].Operand1);
    }

    [Fact]
    public void LocListsDecodeEveryEntryKindAndSkipViewPairs()
    {
        var b = new DwarfBuilder();
        var addrBase = b.AddAddressTable(0xa000, 0xb000);
        byte[] expr = [(byte)DwOp.Lit1, (byte)DwOp.StackValue];
        var list = Bytes(
            DwLle.GnuViewPair, (byte)1, (byte)2,
            DwLle.OffsetPair, (byte)0x10, (byte)0x20, (byte)2, expr,
            DwLle.BaseAddressx, (byte)1, DwLle.OffsetPair, (byte)0, (byte)1, (byte)2, expr,
            DwLle.StartxEndx, (byte)0, (byte)1, (byte)2, expr,
            DwLle.StartxLength, (byte)1, (byte)3, (byte)2, expr,
            DwLle.BaseAddress, 0xc000UL, DwLle.StartEnd, 0xd000UL, 0xd008UL, (byte)2, expr,
            DwLle.StartLength, 0xe000UL, (byte)5, (byte)2, expr,
            DwLle.DefaultLocation, (byte)2, expr,
            DwLle.EndOfList);
        var (locBase, _) = b.AddListTable(".debug_loclists", list);
        var root = b.AddUnit().SetRoot().Attr(DwAt.LowPc, DwForm.Addr, 0x1000UL).Attr(DwAt.AddrBase, DwForm.SecOffset, addrBase).Attr(DwAt.LoclistsBase, DwForm.SecOffset, locBase);
        root.Child(DwTag.Variable).Label("v").Attr(DwAt.Name, DwForm.String, "v").Attr(DwAt.Location, DwForm.Loclistx, 0);
        using var built = new BuiltDwarf(b);
        Assert.True(built.Die("v").TryGetAttribute(DwAt.Location, out var location));
        var entries = LocationLists.Read(location);
        Assert.Equal(
            [(0x1010UL, 0x1020UL, false), (0xb000UL, 0xb001UL, false), (0xa000UL, 0xb000UL, false), (0xb000UL, 0xb003UL, false),
             (0xd000UL, 0xd008UL, false), (0xe000UL, 0xe005UL, false), (0UL, 0UL, true)],
            entries.Select(e => (e.Begin, e.End, e.IsDefault)));
        Assert.All(entries, e => Assert.Equal(expr, e.Expression.ToArray()));
        Assert.True(entries[^1].Contains(0x123456));
    }

    [Fact]
    public void ExpressionDecoderReadsOperandsOfEveryShape()
    {
        var expr = Bytes(
            DwOp.Addr, 0xffffffff81000000UL,
            DwOp.Const1s, (byte)0xff, DwOp.Const2u, (byte)0x34, (byte)0x12, DwOp.Consts, DwarfBuilder.SlebBytes(-300),
            DwOp.Fbreg, DwarfBuilder.SlebBytes(-16), DwOp.Breg6, DwarfBuilder.SlebBytes(8), DwOp.Bregx, (byte)17, DwarfBuilder.SlebBytes(-1),
            DwOp.PlusUconst, DwarfBuilder.UlebBytes(1000), DwOp.Piece, (byte)8, DwOp.BitPiece, (byte)3, (byte)5,
            DwOp.Skip, (byte)2, (byte)0, DwOp.Bra, (byte)0xfe, (byte)0xff,
            DwOp.ImplicitValue, (byte)2, (byte)0xaa, (byte)0xbb,
            DwOp.EntryValue, (byte)1, DwOp.Reg5, DwOp.StackValue,
            DwOp.ImplicitPointer, (byte)0x10, (byte)0, (byte)0, (byte)0, DwarfBuilder.SlebBytes(4),
            DwOp.Addrx, (byte)3, DwOp.ConstType, (byte)0x30, (byte)4, (byte)1, (byte)2, (byte)3, (byte)4,
            DwOp.RegvalType, (byte)3, (byte)0x30, DwOp.DerefType, (byte)4, (byte)0x30, DwOp.Convert, (byte)0x30,
            DwOp.Lit31, DwOp.Reg31, DwOp.CallFrameCfa);
        var ops = DwarfExpression.Decode(expr, 8, 4);
        Assert.Equal(
        [
            DwOp.Addr, DwOp.Const1s, DwOp.Const2u, DwOp.Consts, DwOp.Fbreg, DwOp.Breg6, DwOp.Bregx, DwOp.PlusUconst, DwOp.Piece,
            DwOp.BitPiece, DwOp.Skip, DwOp.Bra, DwOp.ImplicitValue, DwOp.EntryValue, DwOp.StackValue, DwOp.ImplicitPointer,
            DwOp.Addrx, DwOp.ConstType, DwOp.RegvalType, DwOp.DerefType, DwOp.Convert, DwOp.Lit31, DwOp.Reg31, DwOp.CallFrameCfa,
        ], ops.Select(o => o.Opcode));
        Assert.Equal(0xffffffff81000000UL, ops[0].Operand1);
        Assert.Equal(-1L, (long)ops[1].Operand1);
        Assert.Equal(0x1234UL, ops[2].Operand1);
        Assert.Equal(-300L, (long)ops[3].Operand1);
        Assert.Equal(-16L, (long)ops[4].Operand1);
        Assert.Equal((17UL, -1L), (ops[6].Operand1, (long)ops[6].Operand2));
        Assert.Equal(1000UL, ops[7].Operand1);
        Assert.Equal((3UL, 5UL), (ops[9].Operand1, ops[9].Operand2));
        Assert.Equal(-2L, (long)ops[11].Operand1);
        Assert.Equal(new byte[] { 0xaa, 0xbb }, ops[12].Block.ToArray());
        Assert.Equal(new byte[] { (byte)DwOp.Reg5 }, ops[13].Block.ToArray());
        Assert.Equal((0x10UL, 4L), (ops[15].Operand1, (long)ops[15].Operand2));
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, ops[17].Block.ToArray());
        Assert.Equal(expr.Length, ops[^1].End);
    }

    [Fact]
    public void TruncatedOrUnknownExpressionsAreErrors()
    {
        Assert.Contains("needs 8 bytes", Assert.Throws<DumpFormatException>(() => DwarfExpression.Decode(new byte[] { (byte)DwOp.Addr, 1, 2 }, 8, 4)).Message);
        Assert.Contains("opcode 0x1 is not a DWARF expression operation", Assert.Throws<DumpFormatException>(() => DwarfExpression.Decode(new byte[] { 1 }, 8, 4)).Message);
    }
}
