using System.Buffers.Binary;
using KdumpDebug.Debuginfo.Orc;
using KdumpDebug.Target.Unwind;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Target.Tests.Unwind;

/// <summary>Reading a loaded module's ORC table (mod->arch) from memory built in code.</summary>
public class ModuleOrcReaderTests
{
    /// <summary>Member offsets as the DWARF of struct module would give them (made-up values).</summary>
    sealed class Layouts(Dictionary<string, ulong> offsets) : ITypeLayouts
    {
        public bool TryGetMemberOffset(string structName, string memberPath, out ulong offset) => offsets.TryGetValue($"{structName}.{memberPath}", out offset);
        public bool TryGetStructSize(string structName, out ulong size) { size = 0; return false; }
        public bool TryGetMemberSize(string structName, string memberPath, out ulong size) { size = 0; return false; }
    }

    const ulong Module = 0xffff_ffff_c000_8000, Text = 0xffff_ffff_c000_0000, Ips = 0xffff_ffff_c000_4000, Entries = 0xffff_ffff_c000_5000;

    static readonly Layouts ArchLayouts = new(new()
    {
        ["module.arch.num_orcs"] = 0x300, ["module.arch.orc_unwind_ip"] = 0x308, ["module.arch.orc_unwind"] = 0x310,
    });

    static MockTarget ModuleWithTable(uint count)
    {
        var target = new MockTarget();
        var header = new byte[0x318];
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(0x300), count);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(0x308), Ips);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(0x310), Entries);
        target.MapVirtual(Module, header);
        // Two functions at Text and Text + 0x40, then a terminator; ips relative to each slot.
        ulong[] addresses = [Text, Text + 0x40, Text + 0x80];
        var ips = new byte[12];
        for (var i = 0; i < 3; i++) BinaryPrimitives.WriteInt32LittleEndian(ips.AsSpan(i * 4), (int)(long)(addresses[i] - (Ips + (ulong)i * 4)));
        target.MapVirtual(Ips, ips);
        byte[] entries = [8, 0, 0, 0, 0x05, 0, /**/ 16, 0, 0xf0, 0xff, 0x15, 0, /**/ 0, 0, 0, 0, 0, 0];
        target.MapVirtual(Entries, entries);
        return target;
    }

    [Fact]
    public void TheTableIsReadAtItsRunTimeAddresses()
    {
        Assert.True(ModuleOrcReader.TryRead(ModuleWithTable(3), ArchLayouts, Module, "lkdtm", OrcEntryLayout.V1, out var table, out var problem), problem);
        Assert.Equal(3, table!.Count);
        Assert.True(table.TryFind(Text + 0x44, out var e, out var start, out var end));
        Assert.Equal((Text + 0x40, Text + 0x80), (start, end));
        Assert.Equal(new OrcEntry(16, -16, OrcRegister.Sp, OrcRegister.PrevSp, OrcType.Call, false), e);
        Assert.StartsWith("module lkdtm ORC at ffffffffc0004000", table.Source);
    }

    [Fact]
    public void MissingMembersEmptyTablesAndBadCountsAreProblemsNotExceptions()
    {
        Assert.False(ModuleOrcReader.TryRead(ModuleWithTable(3), new Layouts([]), Module, "m", OrcEntryLayout.V1, out _, out var problem));
        Assert.Equal("m: struct module has no arch.num_orcs/orc_unwind_ip/orc_unwind members (kernel without ORC)", problem);
        Assert.False(ModuleOrcReader.TryRead(ModuleWithTable(0), ArchLayouts, Module, "m", OrcEntryLayout.V1, out _, out problem));
        Assert.Equal("m: the module has no ORC table (num_orcs 0)", problem);
        Assert.False(ModuleOrcReader.TryRead(ModuleWithTable(uint.MaxValue), ArchLayouts, Module, "m", OrcEntryLayout.V1, out _, out problem));
        Assert.Equal($"m: mod->arch.num_orcs 4294967295 is more than the limit ({OrcTable.MaxEntries})", problem);
        // 4096 entries claimed: the ip table runs into unmapped pages.
        Assert.False(ModuleOrcReader.TryRead(ModuleWithTable(0x1000), ArchLayouts, Module, "m", OrcEntryLayout.V1, out _, out problem));
        Assert.StartsWith("m: cannot read the module's ORC table: ", problem);
    }
}
