using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Elf;
using KdumpDebug.Debuginfo.Lines;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Debuginfo.Tests;

/// <summary>The line-number state machine and lookups on hand-assembled programs (DWARF 2-5).</summary>
public class LineTableTests
{
    static ElfFile Elf(byte[] debugLine, byte[]? lineStr = null, bool compress = false)
    {
        var b = new ElfBuilder();
        b.AddSection(".text", ElfBuilder.ShtProgbits, ElfBuilder.ShfAlloc | ElfBuilder.ShfExecinstr, new byte[0x100], 0x1000);
        if (compress) b.AddCompressedSection(".debug_line", debugLine);
        else b.AddSection(".debug_line", ElfBuilder.ShtProgbits, 0, debugLine);
        if (lineStr is not null) b.AddSection(".debug_line_str", ElfBuilder.ShtProgbits, 0x30, lineStr);
        return ElfFile.Open(b.WriteTo(Path.Combine(Fixtures.NewTempDirectory(), "lines.elf")));
    }

    static LineProgramWriter Program() => new LineProgramWriter()
        .SetAddress(0x1000).AdvanceLine(9).Copy()           // 0x1000 line 10
        .SetColumn(5).Special(4, 1)                          // 0x1004 line 11 col 5
        .SetFile(2).Special(2, 3)                            // 0x1006 line 14 in the header file
        .SetFile(1).ConstAddPc().Special(0, -3)              // 0x1006+17=0x1017 line 11
        .FixedAdvancePc(0x20).AdvanceLine(20).Copy()         // 0x1037 line 31
        .AdvancePc(9).EndSequence()                          // sequence ends at 0x1040
        .SetAddress(0).Special(0, 1).AdvancePc(0x10).EndSequence()   // a discarded function at 0: skipped
        .SetAddress(0x2000).AdvanceLine(99).Copy().AdvancePc(4).EndSequence();

    static void AssertLine(LineTable table, ulong address, string file, int line, int column = -1)
    {
        Assert.True(table.TryFindLine(address, out var l), $"no line for 0x{address:x}");
        Assert.Equal(file, l.File);
        Assert.Equal(line, l.Line);
        if (column >= 0) Assert.Equal(column, l.Column);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void StateMachineRunsStandardExtendedAndSpecialOpcodes(int version)
    {
        var unit = Program().BuildV4(version, ["include/linux"], [("main.c", 0), ("list.h", 1)]);
        using var elf = Elf(unit);
        var table = LineTable.FromElf(elf)!;
        Assert.Equal(2, table.SequenceCount);
        // DWARF 2-4: directory 0 is the compilation directory, which gdb leaves out of the name.
        AssertLine(table, 0x1000, "main.c", 10, 0);
        AssertLine(table, 0x1003, "main.c", 10);
        AssertLine(table, 0x1004, "main.c", 11, 5);
        AssertLine(table, 0x1006, "include/linux/list.h", 14);
        AssertLine(table, 0x1016, "include/linux/list.h", 14);
        AssertLine(table, 0x1017, "main.c", 11);
        AssertLine(table, 0x1037, "main.c", 31);
        AssertLine(table, 0x103f, "main.c", 31);
        AssertLine(table, 0x2003, "main.c", 100);
        Assert.False(table.TryFindLine(0x1040, out _));   // end of sequence
        Assert.False(table.TryFindLine(0xfff, out _));
        Assert.False(table.TryFindLine(0x5, out _));      // the sequence at address 0 was skipped
    }

    [Fact]
    public void Dwarf5PathsJoinCompilationDirectoryIncludeDirectoryAndName()
    {
        var lineStr = new MemoryStream();
        var unit = Program().BuildV5([".", "drivers/tty", "./include/linux"], [("sysrq.c", 1), ("sysrq.c", 1), ("list.h", 2)], lineStr);
        using var elf = Elf(unit, lineStr.ToArray());
        var table = LineTable.FromElf(elf)!;
        // crash prints comp_dir/dir/name: "./drivers/tty/sysrq.c", "././include/linux/list.h".
        AssertLine(table, 0x1000, "./drivers/tty/sysrq.c", 10);
        AssertLine(table, 0x1006, "././include/linux/list.h", 14);
        AssertLine(table, 0x1017, "./drivers/tty/sysrq.c", 11);
    }

    [Fact]
    public void Dwarf5WithInlineStringsAndACompressedSection()
    {
        var unit = Program().BuildV5(["/build", "/usr/include"], [("a.c", 0), ("a.c", 0), ("stdio.h", 1)], null);
        using var elf = Elf(unit, compress: true);
        var table = LineTable.FromElf(elf)!;
        AssertLine(table, 0x1000, "/build/a.c", 10);
        AssertLine(table, 0x1006, "/usr/include/stdio.h", 14);
    }

    [Fact]
    public void RowsRepeatingALineWithADiscriminatorAreDroppedAsGdbDoes()
    {
        // 0x1000: line 5 (stmt); 0x1002: line 5 again with discriminator 1, then line 6 (not stmt).
        // gdb records 0x1002 line 5 only once... then line 6 non-stmt; at 0x1003 crash prints 6.
        var w = new LineProgramWriter()
            .SetAddress(0x1000).AdvanceLine(4).Copy()
            .Discriminator(1).Special(2, 0)
            .Discriminator(1).Special(0, 0)
            .NegateStmt().Discriminator(1).Special(0, 1)
            .NegateStmt().Special(6, 1)
            .AdvancePc(2).EndSequence();
        using var elf = Elf(w.BuildV4(4, [], [("m.c", 0)]));
        var table = LineTable.FromElf(elf)!;
        AssertLine(table, 0x1001, "m.c", 5);
        AssertLine(table, 0x1003, "m.c", 6);
        AssertLine(table, 0x1008, "m.c", 7);
    }

    [Fact]
    public void ANonStatementRowAtAnAddressFallsBackToTheStatementRow()
    {
        // 0x1000: line 3 (stmt), line 4 (not stmt) at the same address: gdb steps back to 3.
        var w = new LineProgramWriter()
            .SetAddress(0x1000).AdvanceLine(2).Copy()
            .NegateStmt().Special(0, 1)
            .NegateStmt().Special(4, 1)
            .AdvancePc(2).EndSequence();
        using var elf = Elf(w.BuildV4(4, [], [("m.c", 0)]));
        var table = LineTable.FromElf(elf)!;
        AssertLine(table, 0x1002, "m.c", 3);
        AssertLine(table, 0x1004, "m.c", 5);
    }

    [Fact]
    public void Dwarf4PathsTakeTheCompilationDirectoryFromTheUnitsDie()
    {
        var unit = Program().BuildV4(4, ["include/linux"], [("main.c", 0), ("list.h", 1)]);
        // .debug_abbrev: code 1, DW_TAG_compile_unit, no children, DW_AT_producer/DW_FORM_strp,
        // DW_AT_language/DW_FORM_data1, DW_AT_comp_dir/DW_FORM_string, DW_AT_stmt_list/DW_FORM_sec_offset.
        byte[] abbrev = [1, 0x11, 0, 0x25, 0x0e, 0x13, 0x0b, 0x1b, 0x08, 0x10, 0x17, 0, 0, 0];
        var die = new List<byte> { 1, 0, 0, 0, 0, 12 };
        die.AddRange("/usr/src/linux\0"u8.ToArray());
        die.AddRange(BitConverter.GetBytes(0u)); // stmt_list 0
        var info = new List<byte>();
        info.AddRange(BitConverter.GetBytes((uint)(2 + 4 + 1 + die.Count)));
        info.AddRange(BitConverter.GetBytes((ushort)4));
        info.AddRange(BitConverter.GetBytes(0u));
        info.Add(8);
        info.AddRange(die);
        var b = new ElfBuilder();
        b.AddSection(".text", ElfBuilder.ShtProgbits, ElfBuilder.ShfAlloc | ElfBuilder.ShfExecinstr, new byte[0x100], 0x1000);
        b.AddSection(".debug_info", ElfBuilder.ShtProgbits, 0, info.ToArray());
        b.AddSection(".debug_abbrev", ElfBuilder.ShtProgbits, 0, abbrev);
        b.AddSection(".debug_line", ElfBuilder.ShtProgbits, 0, unit);
        using var elf = ElfFile.Open(b.WriteTo(Path.Combine(Fixtures.NewTempDirectory(), "v4.elf")));
        var table = LineTable.FromElf(elf)!;
        AssertLine(table, 0x1000, "/usr/src/linux/main.c", 10);
        AssertLine(table, 0x1006, "/usr/src/linux/include/linux/list.h", 14);
    }

    [Fact]
    public void NoDebugLineSectionGivesNull()
    {
        var b = new ElfBuilder();
        b.AddSection(".text", ElfBuilder.ShtProgbits, ElfBuilder.ShfAlloc, [1]);
        using var elf = ElfFile.Open(b.WriteTo(Path.Combine(Fixtures.NewTempDirectory(), "x")));
        Assert.Null(LineTable.FromElf(elf));
    }

    [Fact]
    public void TruncatedProgramIsAFormatErrorNamingTheUnit()
    {
        var unit = Program().BuildV4(4, [], [("m.c", 0)]);
        BitConverter.GetBytes((uint)unit.Length).CopyTo(unit, 0); // unit_length 4 bytes too long
        using var elf = Elf(unit);
        var table = LineTable.FromElf(elf)!;
        var e = Assert.Throws<DumpFormatException>(() => table.TryFindLine(0x1000, out _));
        Assert.Contains(".debug_line unit at 0x0 unit_length", e.Message);
        Assert.StartsWith(elf.Path, e.Message);
    }

    [Fact]
    public void BadVersionAndZeroLineRangeAreFormatErrors()
    {
        var unit = Program().BuildV4(4, [], [("m.c", 0)]);
        unit[4] = 9;
        using (var elf = Elf(unit))
            Assert.Contains("version", Assert.Throws<DumpFormatException>(() => LineTable.FromElf(elf)!.TryFindLine(0x1000, out _)).Message);
        unit[4] = 4;
        unit[4 + 2 + 4 + 4] = 0; // line_range (after min_inst, max_ops, default_is_stmt, line_base)
        using (var elf = Elf(unit))
            Assert.Contains("line_range", Assert.Throws<DumpFormatException>(() => LineTable.FromElf(elf)!.TryFindLine(0x1000, out _)).Message);
    }

    [Fact]
    public void FileIndexCountPastTheHeaderIsAFormatError()
    {
        var lineStr = new MemoryStream();
        var unit = Program().BuildV5(["."], [("a.c", 0)], lineStr);
        // Directory count is the byte after the directory entry format (format count 1, type 1, form 0x1f).
        var headerStart = 4 + 2 + 2 + 4;
        var dirCount = headerStart + 6 + 12 + 3;
        Assert.Equal(1, unit[dirCount]);
        unit[dirCount] = 0x7f;
        using var elf = Elf(unit, lineStr.ToArray());
        var e = Assert.Throws<DumpFormatException>(() => LineTable.FromElf(elf)!.TryFindLine(0x1000, out _));
        Assert.Contains("directories", e.Message);
    }
}

/// <summary>
/// The one-unit shortcut (.debug_aranges names the unit, only its line program is indexed) must
/// answer exactly what the whole-section index answers, on the real fixture kernel.
/// </summary>
public class LineTableShortcutTests
{
    [FixtureFact]
    public void OneUnitLookupsEqualTheFullIndexOnTheFixtureKernel()
    {
        var vmlinux = FixtureKernel.Vmlinux;
        var table = LineTable.FromElf(vmlinux.Elf)!;
        var functions = vmlinux.Symbols.SortedByAddress.Where(s => s.Kind == Symbols.SymbolKind.Function && s.Size > 0).ToArray();
        // A C function's line comes from its own unit's program, without indexing the others.
        Assert.True(vmlinux.Symbols.TryLookup("sysrq_handle_crash", out var crashFunction));
        Assert.True(table.TryFindLine(crashFunction.Address + 4, out var first));
        Assert.EndsWith("drivers/tty/sysrq.c", first.File);
        Assert.False(table.FullIndexBuilt);
        Assert.True(functions.Length > 15_000, $"{functions.Length} functions");
        var checkedCount = 0;
        var found = 0;
        for (var i = 0; i < functions.Length; i += 7)
        {
            var f = functions[i];
            foreach (var address in new[] { f.Address, f.Address + 1, f.Address + f.Size / 2, f.Address + f.Size - 1 })
            {
                var quick = table.TryFindLine(address, out var a);
                var full = table.TryFindLineByFullIndex(address, out var b);
                Assert.True(quick == full && a == b, $"{f.Name} 0x{address:x}: shortcut {quick} {a}, full index {full} {b}");
                checkedCount++;
                if (quick) found++;
            }
        }
        Assert.True(found > checkedCount * 8 / 10, $"lines for {found} of {checkedCount} addresses");
    }
}
