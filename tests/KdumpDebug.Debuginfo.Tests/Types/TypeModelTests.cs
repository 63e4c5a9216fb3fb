using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Dwarf;
using KdumpDebug.Debuginfo.Tests.Dwarf;
using KdumpDebug.Debuginfo.Types;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Debuginfo.Tests.Types;

/// <summary>The C type model and gdb-style printing on DWARF built in code: every kind, both bit-field encodings, declarations across units.</summary>
public class TypeModelTests
{
    static readonly DwarfBuilder.Ref Int = new("int"), UInt = new("uint"), Char = new("char"), ULong = new("ulong");

    static DwarfBuilder.Entry BaseTypes(DwarfBuilder.Entry root)
    {
        root.Child(DwTag.BaseType).Label("int").Attr(DwAt.Name, DwForm.String, "int").Attr(DwAt.ByteSize, DwForm.Data1, 4).Attr(DwAt.Encoding, DwForm.Data1, (int)DwAte.Signed);
        root.Child(DwTag.BaseType).Label("uint").Attr(DwAt.Name, DwForm.Strp, "unsigned int").Attr(DwAt.ByteSize, DwForm.Data1, 4).Attr(DwAt.Encoding, DwForm.Data1, (int)DwAte.Unsigned);
        root.Child(DwTag.BaseType).Label("char").Attr(DwAt.Name, DwForm.String, "char").Attr(DwAt.ByteSize, DwForm.Data1, 1).Attr(DwAt.Encoding, DwForm.Data1, (int)DwAte.SignedChar);
        root.Child(DwTag.BaseType).Label("ulong").Attr(DwAt.Name, DwForm.Strp, "long unsigned int").Attr(DwAt.ByteSize, DwForm.Data1, 8).Attr(DwAt.Encoding, DwForm.Data1, (int)DwAte.Unsigned);
        return root;
    }

    static BuiltDwarf Build()
    {
        var b = new DwarfBuilder();
        var root = BaseTypes(b.AddUnit().SetRoot().Attr(DwAt.Name, DwForm.String, "types.c"));
        // struct flags_new { unsigned int a : 3; unsigned int b : 5; int c; } with DW_AT_data_bit_offset (DWARF 4+)
        var s1 = root.Child(DwTag.StructureType).Attr(DwAt.Name, DwForm.String, "flags_new").Attr(DwAt.ByteSize, DwForm.Data1, 8);
        s1.Child(DwTag.Member).Attr(DwAt.Name, DwForm.String, "a").Attr(DwAt.Type, DwForm.Ref4, UInt).Attr(DwAt.BitSize, DwForm.Data1, 3).Attr(DwAt.DataBitOffset, DwForm.Data1, 0);
        s1.Child(DwTag.Member).Attr(DwAt.Name, DwForm.String, "b").Attr(DwAt.Type, DwForm.Ref4, UInt).Attr(DwAt.BitSize, DwForm.Data1, 5).Attr(DwAt.DataBitOffset, DwForm.Data1, 3);
        s1.Child(DwTag.Member).Attr(DwAt.Name, DwForm.String, "c").Attr(DwAt.Type, DwForm.Ref4, Int).Attr(DwAt.DataMemberLocation, DwForm.Data1, 4);
        // The same layout in the DWARF 2/3 encoding: DW_AT_bit_offset from the storage unit's MSB.
        var s2 = root.Child(DwTag.StructureType).Attr(DwAt.Name, DwForm.String, "flags_old").Attr(DwAt.ByteSize, DwForm.Data1, 8);
        s2.Child(DwTag.Member).Attr(DwAt.Name, DwForm.String, "a").Attr(DwAt.Type, DwForm.Ref4, UInt).Attr(DwAt.ByteSize, DwForm.Data1, 4).Attr(DwAt.BitSize, DwForm.Data1, 3).Attr(DwAt.BitOffset, DwForm.Data1, 29).Attr(DwAt.DataMemberLocation, DwForm.Data1, 0);
        s2.Child(DwTag.Member).Attr(DwAt.Name, DwForm.String, "b").Attr(DwAt.Type, DwForm.Ref4, UInt).Attr(DwAt.ByteSize, DwForm.Data1, 4).Attr(DwAt.BitSize, DwForm.Data1, 5).Attr(DwAt.BitOffset, DwForm.Data1, 24).Attr(DwAt.DataMemberLocation, DwForm.Data1, 0);
        s2.Child(DwTag.Member).Attr(DwAt.Name, DwForm.String, "c").Attr(DwAt.Type, DwForm.Ref4, Int).Attr(DwAt.DataMemberLocation, DwForm.Exprloc, new byte[] { (byte)DwOp.PlusUconst, 4 });
        // struct outer { int first; union { struct { char tag; ulong value; }; int raw; }; char name[2][3]; int tail[]; char zero[0]; }
        var outer = root.Child(DwTag.StructureType).Label("outer").Attr(DwAt.Name, DwForm.String, "outer").Attr(DwAt.ByteSize, DwForm.Data1, 32);
        outer.Child(DwTag.Member).Attr(DwAt.Name, DwForm.String, "first").Attr(DwAt.Type, DwForm.Ref4, Int).Attr(DwAt.DataMemberLocation, DwForm.Data1, 0);
        outer.Child(DwTag.Member).Attr(DwAt.Type, DwForm.Ref4, new DwarfBuilder.Ref("anon_union")).Attr(DwAt.DataMemberLocation, DwForm.Data1, 8);
        outer.Child(DwTag.Member).Attr(DwAt.Name, DwForm.String, "name").Attr(DwAt.Type, DwForm.Ref4, new DwarfBuilder.Ref("char2x3")).Attr(DwAt.DataMemberLocation, DwForm.Data1, 24);
        outer.Child(DwTag.Member).Attr(DwAt.Name, DwForm.String, "tail").Attr(DwAt.Type, DwForm.Ref4, new DwarfBuilder.Ref("flex")).Attr(DwAt.DataMemberLocation, DwForm.Data1, 32);
        outer.Child(DwTag.Member).Attr(DwAt.Name, DwForm.String, "zero").Attr(DwAt.Type, DwForm.Ref4, new DwarfBuilder.Ref("zero")).Attr(DwAt.DataMemberLocation, DwForm.Data1, 32);
        var u = root.Child(DwTag.UnionType).Label("anon_union").Attr(DwAt.ByteSize, DwForm.Data1, 16);
        u.Child(DwTag.Member).Attr(DwAt.Type, DwForm.Ref4, new DwarfBuilder.Ref("anon_struct"));
        u.Child(DwTag.Member).Attr(DwAt.Name, DwForm.String, "raw").Attr(DwAt.Type, DwForm.Ref4, Int);
        var st = root.Child(DwTag.StructureType).Label("anon_struct").Attr(DwAt.ByteSize, DwForm.Data1, 16);
        st.Child(DwTag.Member).Attr(DwAt.Name, DwForm.String, "tag").Attr(DwAt.Type, DwForm.Ref4, Char).Attr(DwAt.DataMemberLocation, DwForm.Data1, 0);
        st.Child(DwTag.Member).Attr(DwAt.Name, DwForm.String, "value").Attr(DwAt.Type, DwForm.Ref4, ULong).Attr(DwAt.DataMemberLocation, DwForm.Data1, 8);
        var arr = root.Child(DwTag.ArrayType).Label("char2x3").Attr(DwAt.Type, DwForm.Ref4, Char);
        arr.Child(DwTag.SubrangeType).Attr(DwAt.Type, DwForm.Ref4, ULong).Attr(DwAt.UpperBound, DwForm.Data1, 1);
        arr.Child(DwTag.SubrangeType).Attr(DwAt.Type, DwForm.Ref4, ULong).Attr(DwAt.Count, DwForm.Data1, 3);
        root.Child(DwTag.ArrayType).Label("flex").Attr(DwAt.Type, DwForm.Ref4, Int).Child(DwTag.SubrangeType).Attr(DwAt.Type, DwForm.Ref4, ULong);
        root.Child(DwTag.ArrayType).Label("zero").Attr(DwAt.Type, DwForm.Ref4, Char).Child(DwTag.SubrangeType).Attr(DwAt.Type, DwForm.Ref4, ULong).Attr(DwAt.UpperBound, DwForm.Data8, ulong.MaxValue);
        root.Child(DwTag.ArrayType).Label("big").Attr(DwAt.Type, DwForm.Ref4, Char).Child(DwTag.SubrangeType).Attr(DwAt.Type, DwForm.Ref4, ULong).Attr(DwAt.UpperBound, DwForm.Data1, 0xa6);
        // enum e_signed { NEG = -1, ZERO, BIG = 100 } (GCC: DW_AT_encoding signed, data1 values); enum e_unsigned { TOP = 0xffffffff }
        var e1 = root.Child(DwTag.EnumerationType).Attr(DwAt.Name, DwForm.String, "e_signed").Attr(DwAt.ByteSize, DwForm.Data1, 4).Attr(DwAt.Encoding, DwForm.Data1, (int)DwAte.Signed).Attr(DwAt.Type, DwForm.Ref4, Int);
        e1.Child(DwTag.Enumerator).Attr(DwAt.Name, DwForm.String, "NEG").Attr(DwAt.ConstValue, DwForm.Data1, 0xff);
        e1.Child(DwTag.Enumerator).Attr(DwAt.Name, DwForm.String, "ZERO").Attr(DwAt.ConstValue, DwForm.Data1, 0);
        e1.Child(DwTag.Enumerator).Attr(DwAt.Name, DwForm.String, "BIG").Attr(DwAt.ConstValue, DwForm.Data1, 100);
        var e2 = root.Child(DwTag.EnumerationType).Attr(DwAt.Name, DwForm.String, "e_unsigned").Attr(DwAt.ByteSize, DwForm.Data1, 4).Attr(DwAt.Encoding, DwForm.Data1, (int)DwAte.Unsigned);
        e2.Child(DwTag.Enumerator).Attr(DwAt.Name, DwForm.String, "TOP").Attr(DwAt.ConstValue, DwForm.Data4, 0xffffffffu);
        // Typedefs and qualifiers: typedef const volatile int cvint; typedef cvint cvint2;
        root.Child(DwTag.VolatileType).Label("vint").Attr(DwAt.Type, DwForm.Ref4, Int);
        root.Child(DwTag.ConstType).Label("cvint_t").Attr(DwAt.Type, DwForm.Ref4, new DwarfBuilder.Ref("vint"));
        root.Child(DwTag.Typedef).Label("cvint").Attr(DwAt.Name, DwForm.String, "cvint").Attr(DwAt.Type, DwForm.Ref4, new DwarfBuilder.Ref("cvint_t"));
        root.Child(DwTag.Typedef).Attr(DwAt.Name, DwForm.String, "cvint2").Attr(DwAt.Type, DwForm.Ref4, new DwarfBuilder.Ref("cvint"));
        // Functions: int (*)(const char *, ...), void (*)(void), int () (unprototyped), char *(*[4])(int)
        root.Child(DwTag.ConstType).Label("cchar").Attr(DwAt.Type, DwForm.Ref4, Char);
        root.Child(DwTag.PointerType).Label("pcchar").Attr(DwAt.ByteSize, DwForm.Data1, 8).Attr(DwAt.Type, DwForm.Ref4, new DwarfBuilder.Ref("cchar"));
        var printf = root.Child(DwTag.SubroutineType).Label("printf_t").Attr(DwAt.Prototyped, DwForm.FlagPresent).Attr(DwAt.Type, DwForm.Ref4, Int);
        printf.Child(DwTag.FormalParameter).Attr(DwAt.Type, DwForm.Ref4, new DwarfBuilder.Ref("pcchar"));
        printf.Child(DwTag.UnspecifiedParameters);
        root.Child(DwTag.SubroutineType).Label("void_void").Attr(DwAt.Prototyped, DwForm.FlagPresent);
        root.Child(DwTag.SubroutineType).Label("knr").Attr(DwAt.Type, DwForm.Ref4, Int);
        var pchar = root.Child(DwTag.PointerType).Label("pchar").Attr(DwAt.ByteSize, DwForm.Data1, 8).Attr(DwAt.Type, DwForm.Ref4, Char);
        root.Child(DwTag.SubroutineType).Label("getname").Attr(DwAt.Prototyped, DwForm.FlagPresent).Attr(DwAt.Type, DwForm.Ref4, new DwarfBuilder.Ref("pchar"))
            .Child(DwTag.FormalParameter).Attr(DwAt.Type, DwForm.Ref4, Int);
        root.Child(DwTag.PointerType).Label("pgetname").Attr(DwAt.ByteSize, DwForm.Data1, 8).Attr(DwAt.Type, DwForm.Ref4, new DwarfBuilder.Ref("getname"));
        root.Child(DwTag.ArrayType).Label("table").Attr(DwAt.Type, DwForm.Ref4, new DwarfBuilder.Ref("pgetname")).Child(DwTag.SubrangeType).Attr(DwAt.Count, DwForm.Data1, 4);
        root.Child(DwTag.PointerType).Label("pchar2x3").Attr(DwAt.ByteSize, DwForm.Data1, 8).Attr(DwAt.Type, DwForm.Ref4, new DwarfBuilder.Ref("char2x3"));
        root.Child(DwTag.PointerType).Label("pvoid").Attr(DwAt.ByteSize, DwForm.Data1, 8);
        root.Child(DwTag.ConstType).Label("cpchar").Attr(DwAt.Type, DwForm.Ref4, new DwarfBuilder.Ref("pchar"));
        // A declaration resolved in another unit, and one resolved nowhere.
        root.Child(DwTag.StructureType).Label("fwd").Attr(DwAt.Name, DwForm.String, "elsewhere").Attr(DwAt.Declaration, DwForm.FlagPresent);
        root.Child(DwTag.StructureType).Label("opaque").Attr(DwAt.Name, DwForm.String, "opaque").Attr(DwAt.Declaration, DwForm.FlagPresent);
        root.Child(DwTag.Variable).Attr(DwAt.Name, DwForm.String, "table_var").Attr(DwAt.Type, DwForm.Ref4, new DwarfBuilder.Ref("table"))
            .Attr(DwAt.Location, DwForm.Exprloc, new byte[] { (byte)DwOp.Addr, 0x40, 0, 0, 0, 0, 0, 0, 0 }).Attr(DwAt.External, DwForm.FlagPresent);
        var f = root.Child(DwTag.Subprogram).Attr(DwAt.Name, DwForm.String, "fn").Attr(DwAt.Prototyped, DwForm.FlagPresent).Attr(DwAt.Type, DwForm.Ref4, Int)
            .Attr(DwAt.LowPc, DwForm.Addr, 0xffffffff81000100UL).Attr(DwAt.HighPc, DwForm.Data4, 0x20);
        f.Child(DwTag.FormalParameter).Attr(DwAt.Name, DwForm.String, "count").Attr(DwAt.Type, DwForm.Ref4, UInt);
        f.Child(DwTag.FormalParameter).Attr(DwAt.Name, DwForm.String, "name").Attr(DwAt.Type, DwForm.Ref4, new DwarfBuilder.Ref("pcchar"));

        var other = BaseTypes(b.AddUnit().SetRoot().Attr(DwAt.Name, DwForm.String, "other.c"));
        other.Child(DwTag.StructureType).Attr(DwAt.Name, DwForm.String, "elsewhere").Attr(DwAt.ByteSize, DwForm.Data1, 4)
            .Child(DwTag.Member).Attr(DwAt.Name, DwForm.String, "x").Attr(DwAt.Type, DwForm.Ref4, new DwarfBuilder.Ref("int")).Attr(DwAt.DataMemberLocation, DwForm.Data1, 0);
        return new BuiltDwarf(b);
    }

    [Fact]
    public void BothBitFieldEncodingsGiveTheSameLayout()
    {
        using var built = Build();
        foreach (var name in new[] { "struct flags_new", "struct flags_old" })
        {
            var t = built.Types.FindType(name);
            Assert.Equal([(0UL, 3U), (3UL, 5U), (32UL, 0U)], t.Members.Select(m => (m.BitOffset, m.BitSize)));
            Assert.Equal(4UL, t.FindMember("c").ByteOffset);
            Assert.True(t.Members[0].IsBitField);
            Assert.Equal("struct " + name[7..] + " {\n    unsigned int a : 3;\n    unsigned int b : 5;\n    int c;\n}", TypePrinter.Ptype(t));
        }
    }

    [Fact]
    public void MembersAreFoundThroughAnonymousStructsAndUnionsWithAccumulatedOffsets()
    {
        using var built = Build();
        var outer = built.Types.FindType("struct outer");
        var value = outer.FindMember("value");
        Assert.Equal(16UL, value.ByteOffset); // 8 (union) + 0 (struct) + 8
        Assert.Equal([null, null, "value"], value.Path.Select(m => m.Name));
        Assert.Equal(8UL, outer.FindMember("raw").ByteOffset);
        Assert.Equal(8UL, outer.FindMember("tag").ByteOffset);
        Assert.False(outer.TryFindMember("nothere", out _));
        Assert.Equal("There is no member named nothere.", Assert.Throws<KdumpDebugException>(() => outer.FindMember("nothere")).Message);
        Assert.Equal(
            "struct outer {\n    int first;\n    union {\n        struct {\n            char tag;\n            unsigned long value;\n        };\n        int raw;\n    };\n    char name[2][3];\n    int tail[];\n    char zero[0];\n}",
            TypePrinter.Ptype(outer));
        Assert.Equal(
            "struct outer {\n   [0] int first;\n       union {\n           struct {\n   [8]         char tag;\n  [16]         unsigned long value;\n           };\n   [8]     int raw;\n       };\n  [24] char name[2][3];\n  [32] int tail[];\n  [32] char zero[0];\n}\nSIZE: 32\n",
            TypePrinter.CrashStructDefinition(outer, withOffsets: true));
    }

    [Fact]
    public void ArraysKnowTheirDimensions()
    {
        using var built = Build();
        var name = built.Types.TypeOf(built.Die("char2x3"));
        Assert.Equal((2UL, 3UL, 6UL), (name.Count!.Value, name.Element.Count!.Value, name.Size!.Value));
        var flex = built.Types.TypeOf(built.Die("flex"));
        Assert.Null(flex.Count);
        Assert.Null(flex.Size);
        Assert.Equal(0UL, built.Types.TypeOf(built.Die("zero")).Count);
        Assert.Equal(167UL, built.Types.TypeOf(built.Die("big")).Count); // data1 0xa6 with an unsigned index type
    }

    [Fact]
    public void EnumeratorsAreSignedAsTheEnumSays()
    {
        using var built = Build();
        var signed = built.Types.FindType("enum e_signed");
        Assert.True(signed.IsSigned);
        Assert.Equal([("NEG", -1L), ("ZERO", 0L), ("BIG", 100L)], signed.Enumerators.Select(e => (e.Name, e.Value)));
        Assert.Equal("enum e_signed {NEG = -1, ZERO, BIG = 100}", TypePrinter.Ptype(signed));
        var unsigned = built.Types.FindType("e_unsigned");
        Assert.False(unsigned.IsSigned);
        Assert.Equal(0xffffffffL, Assert.Single(unsigned.Enumerators).Value);
        Assert.True(built.Types.TryFindEnumerator("BIG", out var enumType, out var big));
        Assert.Same(signed, enumType);
        Assert.Equal(100, big.Value);
        Assert.Equal("enum e_signed {\n  NEG = -1\n  ZERO = 0\n  BIG = 100\n};\n", TypePrinter.CrashEnum(signed));
    }

    [Fact]
    public void TypedefsAndQualifiersStripAsAsked()
    {
        using var built = Build();
        var cvint2 = built.Types.FindType("cvint2");
        Assert.Equal(CTypeKind.Typedef, cvint2.Kind);
        Assert.Equal(CTypeKind.Const, cvint2.StripTypedefs().Kind);
        Assert.Equal(CTypeKind.Integer, cvint2.Unqualified().Kind);
        Assert.Equal((true, true), cvint2.Qualifiers);
        Assert.Equal(4UL, cvint2.Size);
        Assert.True(cvint2.IsIntegral);
        Assert.Equal("cvint2", TypePrinter.TypeName(cvint2));
        Assert.Equal("const volatile int", TypePrinter.Ptype(cvint2));
    }

    [Fact]
    public void FunctionTypesAndDeclaratorsPrintLikeGdb()
    {
        using var built = Build();
        var t = built.Types;
        string Name(string label) => TypePrinter.TypeName(t.TypeOf(built.Die(label)));
        Assert.Equal("int (const char *, ...)", Name("printf_t"));
        Assert.True(t.TypeOf(built.Die("printf_t")).IsVariadic);
        Assert.Equal("void (void)", Name("void_void"));
        Assert.Equal("int ()", Name("knr"));
        Assert.Equal("char *(*[4])(int)", Name("table"));
        Assert.Equal("char (*)[2][3]", Name("pchar2x3"));
        Assert.Equal("void *", Name("pvoid"));
        Assert.Equal("char * const", Name("cpchar"));
        Assert.Equal("char *(*table_var[4])(int)", TypePrinter.Declaration(t.TypeOf(built.Die("table")), "table_var"));
        Assert.Equal("char (*p)[2][3]", TypePrinter.Declaration(t.TypeOf(built.Die("pchar2x3")), "p"));
        Assert.Equal("char * const cp", TypePrinter.Declaration(t.TypeOf(built.Die("cpchar")), "cp"));
        Assert.True(t.TryFindFunction("fn", out var fn));
        Assert.Equal("int fn(unsigned int, const char *)", TypePrinter.Declaration(fn.Type, fn.Name));
        Assert.Equal(["count", "name"], fn.ParameterNames);
        Assert.Equal((0xffffffff81000100UL, 0xffffffff81000120UL), (fn.LowPc!.Value, fn.HighPc!.Value));
        Assert.True(t.TryFindVariable("table_var", out var v));
        Assert.Equal(0x40UL, v.Address);
        Assert.Equal(32UL, v.Type.Size);
    }

    [Fact]
    public void DeclarationsResolveToDefinitionsInOtherUnits()
    {
        using var built = Build();
        var fwd = built.Types.TypeOf(built.Die("fwd"));
        Assert.True(fwd.IsComplete);
        Assert.Equal(4UL, fwd.Size);
        Assert.Equal("x", Assert.Single(fwd.Members).Name);
        var opaque = built.Types.TypeOf(built.Die("opaque"));
        Assert.False(opaque.IsComplete);
        Assert.Null(opaque.Size);
        Assert.Empty(opaque.Members);
        Assert.Equal("struct opaque {\n    <incomplete type>\n}", TypePrinter.Ptype(opaque));
        Assert.Same(opaque, built.Types.FindType("struct opaque"));
    }

    [Fact]
    public void TypeNamesParseLikeCasts()
    {
        using var built = Build();
        var t = built.Types;
        Assert.Same(t.FindType("long unsigned int"), t.FindType("unsigned long"));
        Assert.Equal("unsigned long", t.FindType("unsigned long").ToString());
        Assert.Equal("unsigned int", t.FindType("unsigned").ToString());
        Assert.Equal("struct outer *", t.FindType("struct outer *").ToString());
        Assert.Equal(8UL, t.FindType("struct outer *").Size);
        Assert.Equal("const char *", t.FindType("const char *").ToString());
        Assert.Equal("char **", t.FindType("char**").ToString());
        Assert.Equal("int *[4]", t.FindType("int *[4]").ToString());
        Assert.Equal(32UL, t.FindType("int *[4]").Size);
        Assert.Equal("struct outer", t.FindType("outer").ToString()); // a tag found by plain name
        // A base type the DWARF never uses is synthesized with its x86-64 size.
        var ll = t.FindType("unsigned long long");
        Assert.Equal((8UL, false, "unsigned long long"), (ll.Size!.Value, ll.IsSigned, ll.ToString()));
        Assert.Equal(2UL, t.FindType("short").Size);
        Assert.Same(t.Void, t.FindType("void"));
        Assert.False(t.TryFindType("struct nothere", out _));
        Assert.False(t.TryFindType("int int x ;", out _));
        Assert.Equal("No symbol \"nothere\" in current context.", Assert.Throws<KdumpDebugException>(() => t.FindType("nothere")).Message);
    }

    [Fact]
    public void BaseTypeNamesCanonicalizeLikeGdb()
    {
        Assert.Equal("unsigned long", BaseTypeNames.Canonical("long unsigned int"));
        Assert.Equal("long long", BaseTypeNames.Canonical("long long int"));
        Assert.Equal("unsigned short", BaseTypeNames.Canonical("short unsigned int"));
        Assert.Equal("short", BaseTypeNames.Canonical("short int"));
        Assert.Equal("signed char", BaseTypeNames.Canonical("signed char"));
        Assert.Equal("unsigned __int128", BaseTypeNames.Canonical("__int128 unsigned"));
        Assert.Equal("_Bool", BaseTypeNames.Canonical("_Bool"));
        Assert.Equal("long long unsigned int", BaseTypeNames.GccSpelling("unsigned long long"));
    }
}
