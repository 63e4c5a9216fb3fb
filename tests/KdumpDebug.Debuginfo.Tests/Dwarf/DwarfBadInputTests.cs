using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Dwarf;
using KdumpDebug.Debuginfo.Types;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Debuginfo.Tests.Dwarf;

/// <summary>
/// Corrupt DWARF gives one-line errors naming the section and offset, and the rest of the debug
/// info stays usable: the other units still index and their types still build.
/// </summary>
public class DwarfBadInputTests
{
    // A healthy unit with "struct good { int x; }" and a variable, to check what survives.
    static void AddGoodUnit(DwarfBuilder b, string suffix = "")
    {
        var root = b.AddUnit().SetRoot().Attr(DwAt.Name, DwForm.String, "good.c");
        root.Child(DwTag.BaseType).Label("int" + suffix).Attr(DwAt.Name, DwForm.String, "int").Attr(DwAt.ByteSize, DwForm.Data1, 4).Attr(DwAt.Encoding, DwForm.Data1, (int)DwAte.Signed);
        root.Child(DwTag.StructureType).Attr(DwAt.Name, DwForm.String, "good" + suffix).Attr(DwAt.ByteSize, DwForm.Data1, 4)
            .Child(DwTag.Member).Attr(DwAt.Name, DwForm.String, "x").Attr(DwAt.Type, DwForm.Ref4, new DwarfBuilder.Ref("int" + suffix)).Attr(DwAt.DataMemberLocation, DwForm.Data1, 0);
        root.Child(DwTag.Variable).Attr(DwAt.Name, DwForm.String, "good_var" + suffix).Attr(DwAt.Type, DwForm.Ref4, new DwarfBuilder.Ref("int" + suffix))
            .Attr(DwAt.Location, DwForm.Exprloc, new byte[] { (byte)DwOp.Addr, 0x00, 0x10, 0, 0, 0, 0, 0, 0 });
    }

    [Fact]
    public void UnitLengthPastTheSectionIsReportedAndEarlierUnitsStayUsable()
    {
        var b = new DwarfBuilder();
        AddGoodUnit(b);
        var bad = b.AddUnit();
        bad.SetRoot().Child(DwTag.BaseType).Attr(DwAt.Name, DwForm.String, "lost");
        bad.LengthAdjust = 0x1000;
        using var built = new BuiltDwarf(b);
        Assert.Single(built.Dwarf.Units);
        var error = Assert.Single(built.Dwarf.Errors);
        Assert.Contains(".debug_info at offset 0x" + built.Layout["unit1"].ToString("x"), error.Message);
        Assert.Contains("unit_length", error.Message);
        Assert.Contains("past the end of the section", error.Message);
        Assert.Equal(4UL, built.Types.FindType("struct good").Size);
    }

    [Fact]
    public void UnsupportedVersionSkipsOnlyThatUnit()
    {
        var b = new DwarfBuilder();
        var bad = b.AddUnit();
        bad.VersionOverride = 9;
        bad.SetRoot();
        AddGoodUnit(b);
        using var built = new BuiltDwarf(b);
        Assert.Contains("unit version 9 is not supported", Assert.Single(built.Dwarf.Errors).Message);
        Assert.True(built.Types.TryFindVariable("good_var", out var v));
        Assert.Equal(0x1000UL, v.Address);
    }

    [Fact]
    public void UndefinedAbbreviationCodeNamesTheSectionAndOffsetAndOtherUnitsIndex()
    {
        var b = new DwarfBuilder();
        var root = b.AddUnit().SetRoot();
        root.Child(DwTag.BaseType).Attr(DwAt.Name, DwForm.String, "before").Attr(DwAt.ByteSize, DwForm.Data1, 1);
        root.Child(DwTag.BaseType).Label("bad").Attr(DwAt.Name, DwForm.String, "broken").ForcedCode = 99;
        AddGoodUnit(b);
        using var built = new BuiltDwarf(b);
        var e = Assert.Throws<DumpFormatException>(() => built.Die("bad").Tag);
        Assert.Equal($"{built.Path}: .debug_info at offset 0x{built.Layout["bad"]:x}: abbreviation code 99 is not defined in the table at .debug_abbrev 0x0", e.Message);
        var indexError = Assert.Single(built.Index.Errors);
        Assert.Contains("abbreviation code 99 is not defined", indexError);
        Assert.Contains(".debug_info at offset 0x", indexError);
        Assert.Single(built.Index.Find("before")); // found before the error
        Assert.Equal(4UL, built.Types.FindType("struct good").Size); // the other unit
    }

    [Fact]
    public void UnknownFormIsAnErrorNamingTheAttribute()
    {
        var b = new DwarfBuilder();
        var root = b.AddUnit().SetRoot();
        root.Child(DwTag.Variable).Label("v").Attr(DwAt.Name, DwForm.String, "v").Attr(DwAt.Type, (DwForm)0x7e, 1);
        AddGoodUnit(b);
        using var built = new BuiltDwarf(b);
        var e = Assert.Throws<DumpFormatException>(() => built.Die("v").GetReference(DwAt.Type));
        Assert.Contains(".debug_info at offset 0x", e.Message);
        Assert.Contains("DW_AT_type has form 0x7e, which is not a known DWARF form", e.Message);
        Assert.Contains("not a known DWARF form", Assert.Single(built.Index.Errors));
        Assert.True(built.Types.TryFindVariable("good_var", out _));
    }

    [Fact]
    public void ReferenceOutsideTheUnitIsAnError()
    {
        var b = new DwarfBuilder();
        var root = b.AddUnit().SetRoot();
        root.Child(DwTag.Variable).Label("v").Attr(DwAt.Name, DwForm.String, "dangling").Attr(DwAt.Type, DwForm.Ref4, 0x7fff)
            .Attr(DwAt.Location, DwForm.Exprloc, new byte[] { (byte)DwOp.Addr, 0, 0x20, 0, 0, 0, 0, 0, 0 });
        AddGoodUnit(b);
        using var built = new BuiltDwarf(b);
        var e = Assert.Throws<DumpFormatException>(() => built.Die("v").GetReference(DwAt.Type));
        Assert.Contains("DW_AT_type refers to 0x7fff, outside its unit", e.Message);
        Assert.Contains(".debug_info at offset 0x", e.Message);
        // The variable is indexed; asking for its type reports the error; the rest still works.
        Assert.Throws<DumpFormatException>(() => built.Types.TryFindVariable("dangling", out _));
        Assert.True(built.Types.TryFindVariable("good_var", out _));
    }

    [Fact]
    public void TypedefCycleIsDetectedNotAStackOverflow()
    {
        var b = new DwarfBuilder();
        var root = b.AddUnit().SetRoot();
        root.Child(DwTag.Typedef).Label("a").Attr(DwAt.Name, DwForm.String, "loop_a").Attr(DwAt.Type, DwForm.Ref4, new DwarfBuilder.Ref("b"));
        root.Child(DwTag.Typedef).Label("b").Attr(DwAt.Name, DwForm.String, "loop_b").Attr(DwAt.Type, DwForm.Ref4, new DwarfBuilder.Ref("c"));
        root.Child(DwTag.ConstType).Label("c").Attr(DwAt.Type, DwForm.Ref4, new DwarfBuilder.Ref("a"));
        AddGoodUnit(b);
        using var built = new BuiltDwarf(b);
        var e = Assert.Throws<DumpFormatException>(() => built.Types.FindType("loop_a"));
        Assert.Contains(".debug_info at offset 0x", e.Message);
        Assert.Contains("refers back to itself", e.Message);
        Assert.Throws<DumpFormatException>(() => built.Types.FindType("loop_b"));
        Assert.Equal(4UL, built.Types.FindType("struct good").Size);
    }

    [Fact]
    public void AbstractOriginLoopEndsTheLookup()
    {
        var b = new DwarfBuilder();
        var root = b.AddUnit().SetRoot();
        root.Child(DwTag.Subprogram).Label("f").Attr(DwAt.AbstractOrigin, DwForm.Ref4, new DwarfBuilder.Ref("g")).Attr(DwAt.LowPc, DwForm.Addr, 0x1000UL).Attr(DwAt.HighPc, DwForm.Data4, 0x10);
        root.Child(DwTag.Subprogram).Label("g").Attr(DwAt.AbstractOrigin, DwForm.Ref4, new DwarfBuilder.Ref("f")).Attr(DwAt.Inline, DwForm.Data1, 1);
        AddGoodUnit(b);
        using var built = new BuiltDwarf(b);
        Assert.False(built.Die("f").TryGetAttributeFollowingOrigins(DwAt.Name, out _));
        Assert.Empty(built.Index.Errors);
        Assert.Single(built.Index.Find("good_var"));
    }

    [Fact]
    public void SiblingThatPointsBackwardsIsAnError()
    {
        var b = new DwarfBuilder();
        var root = b.AddUnit().SetRoot();
        root.Child(DwTag.BaseType).Label("first").Attr(DwAt.Name, DwForm.String, "first");
        root.Child(DwTag.StructureType).Label("s").Attr(DwAt.Name, DwForm.String, "s").Attr(DwAt.Sibling, DwForm.Ref4, new DwarfBuilder.Ref("first"))
            .Child(DwTag.Member).Attr(DwAt.Name, DwForm.String, "m");
        using var built = new BuiltDwarf(b);
        Assert.Contains("DW_AT_sibling", Assert.Single(built.Index.Errors));
        Assert.Throws<DumpFormatException>(() => built.Dwarf.Units[0].Root.Children.Count());
    }

    [Fact]
    public void AVmlinuxWithoutDwarfReportsNoDebugInfoOnce()
    {
        var path = Path.Combine(Fixtures.NewTempDirectory(), "stripped");
        var elf = new ElfBuilder();
        elf.AddSection(".text", ElfBuilder.ShtProgbits, ElfBuilder.ShfAlloc | ElfBuilder.ShfExecinstr, new byte[16], 0xffffffff81000000);
        elf.WriteTo(path);
        using var v = Vmlinux.Open(path);
        Assert.Null(v.Dwarf);
        Assert.False(v.Types.HasDebugInfo);
        var e = Assert.Throws<NoDebugInfoException>(() => v.Types.TryFindType("task_struct", out _));
        Assert.Equal($"{path}: no debug info (no .debug_info section): types, variables and functions need the vmlinux with DWARF (CONFIG_DEBUG_INFO, or the distribution's debug package)", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Throws<NoDebugInfoException>(() => v.Types.TryFindVariable("jiffies", out _));
        Assert.Throws<NoDebugInfoException>(() => v.Types.TryFindFunction("panic", out _));
    }
}
