using KdumpDebug.Debuginfo.Dwarf;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Debuginfo.Tests.Dwarf;

/// <summary>Every attribute form decodes to the value written, through the public DIE API, in DWARF 5, 4 and 64-bit units.</summary>
public class DwarfFormTests
{
    static (BuiltDwarf Built, DwarfBuilder Builder) FormsUnit()
    {
        var b = new DwarfBuilder();
        var strBase = b.AddStrOffsets("zero", "one", "two", "three", "four");
        var addrBase = b.AddAddressTable(0xffffffff81000000, 0xffffffff81000010, 0xffffffff81000020, 0xffffffff81000030, 0xffffffff81000040);
        var (rngBase, _) = b.AddListTable(".debug_rnglists",
            [(byte)DwRle.StartLength, .. BitConverter.GetBytes(0xffffffff81001000UL), .. DwarfBuilder.UlebBytes(0x20), (byte)DwRle.EndOfList]);
        var (locBase, _) = b.AddListTable(".debug_loclists",
            [(byte)DwLle.StartLength, .. BitConverter.GetBytes(0xffffffff81002000UL), .. DwarfBuilder.UlebBytes(0x10), 1, (byte)DwOp.Reg5, (byte)DwLle.EndOfList]);
        var u = b.AddUnit();
        var root = u.SetRoot()
            .Attr(DwAt.Name, DwForm.Strp, "forms.c")
            .Attr(DwAt.StrOffsetsBase, DwForm.SecOffset, strBase)
            .Attr(DwAt.AddrBase, DwForm.SecOffset, addrBase)
            .Attr(DwAt.RnglistsBase, DwForm.SecOffset, rngBase)
            .Attr(DwAt.LoclistsBase, DwForm.SecOffset, locBase);
        root.Child(DwTag.BaseType).Label("int")
            .Attr(DwAt.Name, DwForm.String, "int").Attr(DwAt.ByteSize, DwForm.Data1, 4).Attr(DwAt.Encoding, DwForm.Data1, (int)DwAte.Signed);
        root.Child(DwTag.Variable).Label("v")
            .Attr(DwAt.Name, DwForm.Strx1, 1)
            .Attr(DwAt.LowPc, DwForm.Addr, 0xffffffff81234567UL)
            .Attr(DwAt.HighPc, DwForm.Addrx, 1)
            .Attr(DwAt.EntryPc, DwForm.Addrx1, 2)
            .Attr(DwAt.CallPc, DwForm.Addrx2, 3)
            .Attr(DwAt.CallReturnPc, DwForm.Addrx3, 4)
            .Attr(DwAt.CallTarget, DwForm.Addrx4, 0)
            .Attr(DwAt.ByteSize, DwForm.Data1, 0xfe)
            .Attr(DwAt.BitSize, DwForm.Data2, 0xfedc)
            .Attr(DwAt.DeclLine, DwForm.Data4, 0xfedcba98u)
            .Attr(DwAt.ConstValue, DwForm.Data8, 0xfedcba9876543210UL)
            .Attr(DwAt.Count, DwForm.Data16, Enumerable.Range(1, 16).Select(i => (byte)i).ToArray())
            .Attr(DwAt.LowerBound, DwForm.Sdata, -1234567L)
            .Attr(DwAt.UpperBound, DwForm.Udata, 1234567890123UL)
            .Attr(DwAt.Producer, DwForm.LineStrp, "line string")
            .Attr(DwAt.Description, DwForm.Strx, 2)
            .Attr(DwAt.LinkageName, DwForm.Strx2, 3)
            .Attr(DwAt.CompDir, DwForm.Strx3, 4)
            .Attr(DwAt.Extension, DwForm.Strx4, 0)
            .Attr(DwAt.Type, DwForm.Ref1, new DwarfBuilder.Ref("int"))
            .Attr(DwAt.Specification, DwForm.Ref2, new DwarfBuilder.Ref("int"))
            .Attr(DwAt.AbstractOrigin, DwForm.Ref4, new DwarfBuilder.Ref("int"))
            .Attr(DwAt.Import, DwForm.Ref8, new DwarfBuilder.Ref("int"))
            .Attr(DwAt.ContainingType, DwForm.RefUdata, new DwarfBuilder.Ref("int"))
            .Attr(DwAt.ObjectPointer, DwForm.RefAddr, new DwarfBuilder.Ref("int"))
            .Attr(DwAt.StmtList, DwForm.SecOffset, 0x1234)
            .Attr(DwAt.Location, DwForm.Exprloc, new byte[] { (byte)DwOp.Addr, 0x10, 0, 0, 0, 0, 0, 0, 0 })
            .Attr(DwAt.External, DwForm.Flag, 1)
            .Attr(DwAt.Declaration, DwForm.FlagPresent)
            .Attr(DwAt.DeclColumn, DwForm.ImplicitConst, null, -42)
            .Attr(DwAt.FrameBase, DwForm.Loclistx, 0)
            .Attr(DwAt.Ranges, DwForm.Rnglistx, 0)
            .Attr(DwAt.DiscrValue, DwForm.Block, new byte[] { 1, 2, 3 })
            .Attr(DwAt.DiscrList, DwForm.Block1, new byte[] { 4, 5 })
            .Attr(DwAt.DefaultValue, DwForm.Block2, new byte[] { 6 })
            .Attr(DwAt.Allocated, DwForm.Block4, new byte[] { 7, 8, 9, 10 })
            .AttrIndirect(DwAt.Priority, DwForm.Udata, 300)
            .Attr(DwAt.Signature, DwForm.Data1, 0);
        return (new BuiltDwarf(b), b);
    }

    [Fact]
    public void EveryFormDecodesToItsValue()
    {
        var (built, _) = FormsUnit();
        using var _ = built;
        var v = built.Die("v");
        var intDie = built.Die("int");
        AttributeValue A(DwAt name)
        {
            Assert.True(v.TryGetAttribute(name, out var a), $"{name} missing");
            return a;
        }
        Assert.Equal("one", A(DwAt.Name).AsString());
        Assert.Equal(0xffffffff81234567UL, A(DwAt.LowPc).AsAddress());
        Assert.Equal(0xffffffff81000010UL, A(DwAt.HighPc).AsAddress());
        Assert.Equal(0xffffffff81000020UL, A(DwAt.EntryPc).AsAddress());
        Assert.Equal(0xffffffff81000030UL, A(DwAt.CallPc).AsAddress());
        Assert.Equal(0xffffffff81000040UL, A(DwAt.CallReturnPc).AsAddress());
        Assert.Equal(0xffffffff81000000UL, A(DwAt.CallTarget).AsAddress());
        Assert.Equal(0xfeUL, A(DwAt.ByteSize).AsUnsigned());
        Assert.Equal(-2L, A(DwAt.ByteSize).AsSigned()); // data1 0xfe read as a signed value
        Assert.Equal(0xfedcUL, A(DwAt.BitSize).AsUnsigned());
        Assert.Equal(0xfedcba98UL, A(DwAt.DeclLine).AsUnsigned());
        Assert.Equal(0xfedcba9876543210UL, A(DwAt.ConstValue).AsUnsigned());
        Assert.Equal(Enumerable.Range(1, 16).Select(i => (byte)i).ToArray(), A(DwAt.Count).Bytes.ToArray());
        Assert.Equal(-1234567L, A(DwAt.LowerBound).AsSigned());
        Assert.True(A(DwAt.LowerBound).IsSigned);
        Assert.Equal(1234567890123UL, A(DwAt.UpperBound).AsUnsigned());
        Assert.Equal("line string", A(DwAt.Producer).AsString());
        Assert.Equal("two", A(DwAt.Description).AsString());
        Assert.Equal("three", A(DwAt.LinkageName).AsString());
        Assert.Equal("four", A(DwAt.CompDir).AsString());
        Assert.Equal("zero", A(DwAt.Extension).AsString());
        foreach (var r in new[] { DwAt.Type, DwAt.Specification, DwAt.AbstractOrigin, DwAt.Import, DwAt.ContainingType, DwAt.ObjectPointer })
        {
            Assert.Equal(AttributeClass.Reference, A(r).Class);
            Assert.Equal(intDie, A(r).AsDie());
        }
        Assert.Equal(AttributeClass.LinePtr, A(DwAt.StmtList).Class);
        Assert.Equal(0x1234UL, A(DwAt.StmtList).RawValue);
        Assert.Equal(AttributeClass.ExprLoc, A(DwAt.Location).Class);
        Assert.Equal(9, A(DwAt.Location).Bytes.Length);
        Assert.True(A(DwAt.External).AsFlag());
        Assert.True(A(DwAt.Declaration).AsFlag());
        Assert.Equal(-42L, A(DwAt.DeclColumn).AsSigned());
        Assert.Equal(AttributeClass.LocList, A(DwAt.FrameBase).Class);
        var locations = LocationLists.Read(A(DwAt.FrameBase));
        Assert.Equal(new LocationListEntry(0xffffffff81002000, 0xffffffff81002010, false, default).Begin, Assert.Single(locations).Begin);
        Assert.Equal([(byte)DwOp.Reg5], locations[0].Expression.ToArray());
        Assert.Equal(AttributeClass.RngList, A(DwAt.Ranges).Class);
        Assert.Equal([new AddressRange(0xffffffff81001000, 0xffffffff81001020)], RangeLists.Read(v.Unit, A(DwAt.Ranges).AsRangeListOffset()));
        Assert.Equal(new byte[] { 1, 2, 3 }, A(DwAt.DiscrValue).Bytes.ToArray());
        Assert.Equal(new byte[] { 4, 5 }, A(DwAt.DiscrList).Bytes.ToArray());
        Assert.Equal(new byte[] { 6 }, A(DwAt.DefaultValue).Bytes.ToArray());
        Assert.Equal(new byte[] { 7, 8, 9, 10 }, A(DwAt.Allocated).Bytes.ToArray());
        Assert.Equal(DwForm.Udata, A(DwAt.Priority).Form); // the form behind DW_FORM_indirect
        Assert.Equal(300UL, A(DwAt.Priority).AsUnsigned());
        // The attribute after the indirect one is still found: its size was right.
        Assert.Equal(0UL, A(DwAt.Signature).AsUnsigned());
        Assert.Equal(38, v.Attributes.Count());
    }

    [Fact]
    public void RefSig8FindsTheTypeUnit()
    {
        var b = new DwarfBuilder();
        var tu = b.AddUnit(unitType: DwUt.Type);
        tu.TypeSignature = 0x0123456789abcdef;
        tu.TypeLabel = "s";
        tu.SetRoot(DwTag.TypeUnit).Child(DwTag.StructureType).Label("s").Attr(DwAt.Name, DwForm.String, "in_type_unit").Attr(DwAt.ByteSize, DwForm.Data1, 8);
        var cu = b.AddUnit();
        cu.SetRoot().Child(DwTag.Variable).Label("v").Attr(DwAt.Name, DwForm.String, "v").Attr(DwAt.Type, DwForm.RefSig8, 0x0123456789abcdefUL);
        using var built = new BuiltDwarf(b);
        Assert.Equal(DwUt.Type, built.Dwarf.Units[0].UnitType);
        var target = built.Die("v").GetReference(DwAt.Type);
        Assert.Equal("in_type_unit", target.Name);
        Assert.Equal(DwTag.StructureType, target.Tag);
    }

    [Theory]
    [InlineData(4, false)]
    [InlineData(3, false)]
    [InlineData(2, false)]
    [InlineData(5, true)]
    [InlineData(4, true)]
    public void OlderVersionsAnd64BitFormatDecodeOffsetsAndReferences(int version, bool offset64)
    {
        var b = new DwarfBuilder();
        var u = b.AddUnit(version: version, offset64: offset64);
        var root = u.SetRoot().Attr(DwAt.Name, DwForm.Strp, "old.c").Attr(DwAt.StmtList, DwForm.SecOffset, 0x77);
        root.Child(DwTag.BaseType).Label("char").Attr(DwAt.Name, DwForm.Strp, "char").Attr(DwAt.ByteSize, DwForm.Data1, 1).Attr(DwAt.Encoding, DwForm.Data1, (int)DwAte.SignedChar);
        root.Child(DwTag.PointerType).Label("p").Attr(DwAt.Type, DwForm.RefAddr, new DwarfBuilder.Ref("char"));
        using var built = new BuiltDwarf(b);
        var unit = Assert.Single(built.Dwarf.Units);
        Assert.Equal(version, unit.Version);
        Assert.Equal(offset64, unit.Is64BitFormat);
        Assert.Equal("old.c", unit.Name);
        Assert.Equal(new DebugLineOffset(0x77), unit.LineProgram);
        Assert.Equal("char", built.Die("p").GetReference(DwAt.Type).Name);
        Assert.Equal(["char"], built.Index.Find("char").Select(m => m.Die.Name));
    }

    [Fact]
    public void ChildrenAreWalkedWithAndWithoutSiblingAttributes()
    {
        var b = new DwarfBuilder();
        var root = b.AddUnit().SetRoot();
        var s = root.Child(DwTag.StructureType).Label("s").Attr(DwAt.Name, DwForm.String, "s").Attr(DwAt.Sibling, DwForm.Ref4, new DwarfBuilder.Ref("after"));
        s.Child(DwTag.Member).Attr(DwAt.Name, DwForm.String, "a");
        s.Child(DwTag.Member).Attr(DwAt.Name, DwForm.String, "b");
        var t = root.Child(DwTag.StructureType).Label("after").Attr(DwAt.Name, DwForm.String, "t");
        t.Child(DwTag.Member).Attr(DwAt.Name, DwForm.String, "c").Child(DwTag.Member).Attr(DwAt.Name, DwForm.String, "nested");
        root.Child(DwTag.Typedef).Attr(DwAt.Name, DwForm.String, "last");
        using var built = new BuiltDwarf(b);
        Assert.Equal(["s", "t", "last"], built.Dwarf.Units[0].Root.Children.Select(c => c.Name));
        Assert.Equal(["a", "b"], built.Die("s").Children.Select(c => c.Name));
        Assert.Equal(built.Die("s").Offset, built.Dwarf.Units[0].FindParent(built.Die("s").Children.First()).Offset);
        Assert.Equal(["s", "t", "last"], built.Index.Entries.OrderBy(e => e.Die.Value).Select(e => built.Dwarf.GetDie(e.Die).Name));
    }
}
