using System.Buffers.Binary;
using KdumpDebug.Debuginfo.Orc;

namespace KdumpDebug.Debuginfo.Tests.Orc;

/// <summary>The three struct orc_entry layouts, the DWARF-fed constructor and the temporary detection heuristic.</summary>
public class OrcEntryLayoutTests
{
    internal static byte[] Entry(short sp, short bp, ushort flags)
    {
        var b = new byte[6];
        BinaryPrimitives.WriteInt16LittleEndian(b, sp);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(2), bp);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(4), flags);
        return b;
    }

    // flags = sp_reg | bp_reg << 4 | type << 8 (| signal/end bits)
    [Theory]
    [InlineData(0x015, OrcRegister.Sp, OrcRegister.PrevSp, OrcType.Call, false)]
    [InlineData(0x105, OrcRegister.Sp, OrcRegister.Undefined, OrcType.Regs, true)]
    [InlineData(0x205, OrcRegister.Sp, OrcRegister.Undefined, OrcType.RegsPartial, true)]
    [InlineData(0x400, OrcRegister.Undefined, OrcRegister.Undefined, OrcType.EndOfStack, false)]
    [InlineData(0x000, OrcRegister.Undefined, OrcRegister.Undefined, OrcType.Undefined, false)]
    [InlineData(0x049, OrcRegister.SpIndirect, OrcRegister.Bp, OrcType.Call, false)]
    public void V1DecodesTypesEndAndImpliedSignal(ushort flags, OrcRegister sp, OrcRegister bp, OrcType type, bool signal)
    {
        var e = OrcEntryLayout.V1.Decode(Entry(16, -16, flags));
        Assert.Equal(new OrcEntry(16, -16, sp, bp, type, signal), e);
        Assert.True(OrcEntryLayout.V1.IsPlausible(Entry(16, -16, flags)));
    }

    [Theory]
    [InlineData(0x415, OrcType.Call, true)]
    [InlineData(0x015, OrcType.Call, false)]
    [InlineData(0x505, OrcType.Regs, true)]
    [InlineData(0x800, OrcType.EndOfStack, false)]
    public void V2HasASignalBitAndEndAtBit11(ushort flags, OrcType type, bool signal)
    {
        var e = OrcEntryLayout.V2.Decode(Entry(8, 0, flags));
        Assert.Equal(type, e.Type);
        Assert.Equal(signal, e.Signal);
    }

    [Theory]
    [InlineData(0x215, OrcType.Call, false)]
    [InlineData(0xa15, OrcType.Call, true)]
    [InlineData(0xb05, OrcType.Regs, true)]
    [InlineData(0xc05, OrcType.RegsPartial, true)]
    [InlineData(0x100, OrcType.EndOfStack, false)]
    [InlineData(0x000, OrcType.Undefined, false)]
    public void V3NumbersUndefinedAndEndAsTypes(ushort flags, OrcType type, bool signal)
    {
        var e = OrcEntryLayout.V3.Decode(Entry(8, 0, flags));
        Assert.Equal(type, e.Type);
        Assert.Equal(signal, e.Signal);
    }

    static readonly Dictionary<string, (int, int)> V61Members = new()
    {
        ["sp_offset"] = (0, 16), ["bp_offset"] = (16, 16), ["sp_reg"] = (32, 4), ["bp_reg"] = (36, 4), ["type"] = (40, 2), ["end"] = (42, 1),
    };

    static readonly Dictionary<string, (int, int)> V64Members = new()
    {
        ["sp_offset"] = (0, 16), ["bp_offset"] = (16, 16), ["sp_reg"] = (32, 4), ["bp_reg"] = (36, 4), ["type"] = (40, 3), ["signal"] = (43, 1),
    };

    [Fact]
    public void MembersFromDwarfGiveTheSameDecodingAsTheKnownLayouts()
    {
        var v61 = OrcEntryLayout.FromMembers(V61Members)!;
        var v64 = OrcEntryLayout.FromMembers(V64Members)!;
        var v63 = OrcEntryLayout.FromMembers(new Dictionary<string, (int, int)>(V61Members) { ["signal"] = (42, 1), ["end"] = (43, 1) })!;
        for (ushort flags = 0; flags < 0x1000; flags++)
        {
            var raw = Entry(24, -8, flags);
            Assert.Equal(OrcEntryLayout.V1.Decode(raw), v61.Decode(raw));
            Assert.Equal(OrcEntryLayout.V2.Decode(raw), v63.Decode(raw));
            Assert.Equal(OrcEntryLayout.V3.Decode(raw), v64.Decode(raw));
            Assert.Equal(OrcEntryLayout.V1.IsPlausible(raw), v61.IsPlausible(raw));
            Assert.Equal(OrcEntryLayout.V3.IsPlausible(raw), v64.IsPlausible(raw));
        }
        Assert.Null(OrcEntryLayout.FromMembers(new Dictionary<string, (int, int)> { ["sp_reg"] = (32, 4), ["bp_reg"] = (36, 4) }));
        Assert.Null(OrcEntryLayout.FromMembers(new Dictionary<string, (int, int)>(V61Members) { ["type"] = (50, 2) }));
    }

    /// <summary>A table as each kernel's objtool writes it: calls, a pt_regs hint, an iret hint, a terminator and end-of-stack entries.</summary>
    static byte[] Table(OrcEntryLayout layout)
    {
        ushort call, regs, partial, end, undefined = 0;
        if (layout == OrcEntryLayout.V3) (call, regs, partial, end) = (0x215, 0xb05, 0xc05, 0x100);
        else if (layout == OrcEntryLayout.V2) (call, regs, partial, end) = (0x015, 0x505, 0x605, 0x800);
        else (call, regs, partial, end) = (0x015, 0x105, 0x205, 0x400);
        ushort[] flags = [call, call, regs, call, partial, undefined, end, call, call];
        return flags.SelectMany(f => Entry(8, -16, f)).ToArray();
    }

    [Fact]
    public void DetectionPicksTheLayoutATableWasWrittenWith()
    {
        foreach (var layout in OrcEntryLayout.Known)
        {
            var detected = OrcEntryLayout.Detect(Table(layout), out var implausible);
            Assert.Equal(layout, detected);
            Assert.Equal(0, implausible);
        }
    }

    [Fact]
    public void ImpossibleRegistersAndTypesAreImplausibleUnderEveryLayout()
    {
        foreach (var layout in OrcEntryLayout.Known)
        {
            Assert.False(layout.IsPlausible(Entry(0, 0, 0x00a))); // sp_reg 10 does not exist
            Assert.False(layout.IsPlausible(Entry(0, 0, 0x025))); // bp_reg DX is never a bp base
            Assert.False(layout.IsPlausible(Entry(0, 0, 0xf005))); // bits past the fields
        }
        Assert.False(OrcEntryLayout.V3.IsPlausible(Entry(0, 0, 0x505))); // type 5
        Assert.False(OrcEntryLayout.V1.IsPlausible(Entry(0, 0, 0x305))); // type 3 in a 2-bit numbering
        Assert.False(OrcEntryLayout.V1.IsPlausible(Entry(0, 0, 0x405))); // end with a base register
    }
}
