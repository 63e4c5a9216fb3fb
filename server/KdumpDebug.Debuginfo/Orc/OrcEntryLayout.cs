using System.Buffers.Binary;

namespace KdumpDebug.Debuginfo.Orc;

/// <summary>
/// The bit layout of <c>struct orc_entry</c>'s flag bits (bytes 4-5, after the two s16 offsets)
/// and how the type field is numbered. Three layouts have existed (arch/x86/include/asm/orc_types.h):
/// <list type="table">
/// <item><term><see cref="V1"/></term><description>v4.14 (commit 39358a033b2e "objtool, x86: Add
/// facility for asm code to provide unwind hints") to v6.2: <c>sp_reg:4 bp_reg:4 type:2 end:1</c>;
/// types CALL=0, REGS=1, REGS_PARTIAL=2 (REGS_IRET before v5.6); sp_reg UNDEFINED with end set
/// marks the end of the stack.</description></item>
/// <item><term><see cref="V2"/></term><description>v6.3 (commit ffb1b4a41016 "x86/unwind/orc: Add
/// 'signal' field to ORC metadata"): <c>sp_reg:4 bp_reg:4 type:2 signal:1 end:1</c>.</description></item>
/// <item><term><see cref="V3"/></term><description>v6.4 (commit fb799447ae29 "x86,objtool: Split
/// UNWIND_HINT_EMPTY in two"): <c>sp_reg:4 bp_reg:4 type:3 signal:1</c>, types UNDEFINED=0,
/// END_OF_STACK=1, CALL=2, REGS=3, REGS_PARTIAL=4, and no end bit.</description></item>
/// </list>
/// The right layout comes from the vmlinux's own DWARF for <c>struct orc_entry</c> through
/// <see cref="FromMembers"/>. Until the DWARF reader feeds it, <see cref="Detect"/> picks the layout
/// under which the table decodes consistently: that is a TEMPORARY heuristic (see its comment).
/// </summary>
public sealed record OrcEntryLayout(
    string Name,
    int SpRegShift, int SpRegBits,
    int BpRegShift, int BpRegBits,
    int TypeShift, int TypeBits,
    int SignalShift,
    int EndShift,
    bool HasUndefinedAndEndTypes)
{
    /// <summary>Bytes per entry (two s16 offsets and a 16-bit flags word, packed).</summary>
    public const int EntrySize = 6;

    /// <summary>v4.14 to v6.2: <c>sp_reg:4 bp_reg:4 type:2 end:1</c>.</summary>
    public static readonly OrcEntryLayout V1 = new("v4.14-v6.2 (type:2 end:1)", 0, 4, 4, 4, 8, 2, -1, 10, false);

    /// <summary>v6.3: <c>sp_reg:4 bp_reg:4 type:2 signal:1 end:1</c>.</summary>
    public static readonly OrcEntryLayout V2 = new("v6.3 (type:2 signal:1 end:1)", 0, 4, 4, 4, 8, 2, 10, 11, false);

    /// <summary>v6.4 and later: <c>sp_reg:4 bp_reg:4 type:3 signal:1</c>.</summary>
    public static readonly OrcEntryLayout V3 = new("v6.4+ (type:3 signal:1)", 0, 4, 4, 4, 8, 3, 11, -1, true);

    /// <summary>The known layouts, newest first.</summary>
    public static IReadOnlyList<OrcEntryLayout> Known { get; } = [V3, V2, V1];

    ushort UsedMask
    {
        get
        {
            var mask = Mask(SpRegShift, SpRegBits) | Mask(BpRegShift, BpRegBits) | Mask(TypeShift, TypeBits);
            if (SignalShift >= 0) mask |= 1 << SignalShift;
            if (EndShift >= 0) mask |= 1 << EndShift;
            return (ushort)mask;
        }
    }

    static int Mask(int shift, int bits) => ((1 << bits) - 1) << shift;

    static int Field(ushort flags, int shift, int bits) => (flags >> shift) & ((1 << bits) - 1);

    /// <summary>
    /// A layout from the members of <c>struct orc_entry</c> as DWARF describes them: member name to
    /// (bit offset from the start of the structure, bit size), e.g. from DW_AT_data_bit_offset and
    /// DW_AT_bit_size. Needs <c>sp_reg</c>, <c>bp_reg</c> and <c>type</c> in bits 32-47;
    /// <c>signal</c> and <c>end</c> are optional. The type numbering follows the end member: a
    /// structure with <c>end</c> numbers CALL=0 (v6.3 and older), one without it UNDEFINED=0.
    /// Returns null when a needed member is missing or out of range.
    /// </summary>
    public static OrcEntryLayout? FromMembers(IReadOnlyDictionary<string, (int BitOffset, int BitSize)> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        const int flagsStart = 32;
        bool TryGet(string name, out int shift, out int bits)
        {
            shift = bits = 0;
            if (!members.TryGetValue(name, out var m)) return false;
            shift = m.BitOffset - flagsStart;
            bits = m.BitSize;
            return shift >= 0 && bits > 0 && shift + bits <= 16;
        }
        if (!TryGet("sp_reg", out var spShift, out var spBits) || !TryGet("bp_reg", out var bpShift, out var bpBits)
            || !TryGet("type", out var typeShift, out var typeBits))
            return null;
        var signalShift = TryGet("signal", out var s, out var sb) && sb == 1 ? s : -1;
        var endShift = TryGet("end", out var e, out var eb) && eb == 1 ? e : -1;
        var hasEnd = members.ContainsKey("end");
        return new OrcEntryLayout($"from DWARF (type:{typeBits}{(signalShift >= 0 ? " signal:1" : "")}{(hasEnd ? " end:1" : "")})",
            spShift, spBits, bpShift, bpBits, typeShift, typeBits, signalShift, endShift, !hasEnd);
    }

    /// <summary>Decodes one 6-byte entry, normalizing the type to <see cref="OrcType"/>.</summary>
    public OrcEntry Decode(ReadOnlySpan<byte> entry)
    {
        var spOffset = BinaryPrimitives.ReadInt16LittleEndian(entry);
        var bpOffset = BinaryPrimitives.ReadInt16LittleEndian(entry[2..]);
        var flags = BinaryPrimitives.ReadUInt16LittleEndian(entry[4..]);
        var spReg = (OrcRegister)Field(flags, SpRegShift, SpRegBits);
        var bpReg = (OrcRegister)Field(flags, BpRegShift, BpRegBits);
        var rawType = Field(flags, TypeShift, TypeBits);
        var signal = SignalShift >= 0 && ((flags >> SignalShift) & 1) != 0;
        OrcType type;
        if (HasUndefinedAndEndTypes)
        {
            type = rawType <= (int)OrcType.RegsPartial ? (OrcType)rawType : OrcType.Undefined;
        }
        else
        {
            var end = EndShift >= 0 && ((flags >> EndShift) & 1) != 0;
            if (spReg == OrcRegister.Undefined) type = end ? OrcType.EndOfStack : OrcType.Undefined;
            else type = rawType switch { 0 => OrcType.Call, 1 => OrcType.Regs, 2 => OrcType.RegsPartial, _ => OrcType.Undefined };
            // Before the signal bit (v6.3), the REGS types implied it and CALL did not.
            if (SignalShift < 0) signal = type is OrcType.Regs or OrcType.RegsPartial;
        }
        return new OrcEntry(spOffset, bpOffset, spReg, bpReg, type, signal);
    }

    /// <summary>
    /// False when the raw entry cannot have been written by objtool under this layout: bits outside
    /// the fields, an sp_reg or bp_reg number objtool never emits, a type number out of range, or a
    /// type that contradicts sp_reg (an undefined/end entry with a base register, a frame without one).
    /// </summary>
    public bool IsPlausible(ReadOnlySpan<byte> entry)
    {
        var flags = BinaryPrimitives.ReadUInt16LittleEndian(entry[4..]);
        if ((flags & ~UsedMask) != 0) return false;
        var spReg = Field(flags, SpRegShift, SpRegBits);
        var bpReg = Field(flags, BpRegShift, BpRegBits);
        var rawType = Field(flags, TypeShift, TypeBits);
        var signal = SignalShift >= 0 && ((flags >> SignalShift) & 1) != 0;
        if (spReg > (int)OrcRegister.SpIndirect) return false;
        if (bpReg is not ((int)OrcRegister.Undefined or (int)OrcRegister.PrevSp or (int)OrcRegister.Bp)) return false;
        if (HasUndefinedAndEndTypes)
        {
            if (rawType > (int)OrcType.RegsPartial) return false;
            var frameless = rawType is (int)OrcType.Undefined or (int)OrcType.EndOfStack;
            return frameless == (spReg == (int)OrcRegister.Undefined);
        }
        var end = EndShift >= 0 && ((flags >> EndShift) & 1) != 0;
        if (rawType > 2) return false;
        if (end && spReg != (int)OrcRegister.Undefined) return false;
        if (spReg == (int)OrcRegister.Undefined && (rawType != 0 || signal || bpReg != 0)) return false;
        return true;
    }

    /// <summary>
    /// TEMPORARY heuristic, to be replaced by <see cref="FromMembers"/> fed from the vmlinux's DWARF
    /// (or the 20-byte <c>.orc_header</c> hash that v6.4+ and 6.3.10+ kernels carry, commit
    /// b9f174c811e3): decodes every entry under each known layout, newest first, and returns the one
    /// with the fewest implausible entries (<see cref="IsPlausible"/>); ties go to the newer layout.
    /// Real tables decode with zero implausible entries under their own layout and many under the
    /// others: V1 tables have end-of-stack entries (bit 10 with no sp_reg) that V2 rejects, V1 CALL
    /// entries are type 0 = UNDEFINED-with-a-register under V3, and V3 end/undefined entries or
    /// signal bits are out of place under V1/V2. A table that no layout rejects decodes to the same
    /// unwind rows under the tied layouts (e.g. a module without end-of-stack entries never sets
    /// bit 10, so V1 and V2 agree); a module table should still use the vmlinux's layout. Cost: one
    /// pass over the table per layout.
    /// </summary>
    public static OrcEntryLayout Detect(ReadOnlySpan<byte> entries, out int implausibleEntries)
    {
        var best = V1;
        var bestCount = int.MaxValue;
        foreach (var layout in Known)
        {
            var count = 0;
            for (var offset = 0; offset + EntrySize <= entries.Length && count < bestCount; offset += EntrySize)
                if (!layout.IsPlausible(entries.Slice(offset, EntrySize))) count++;
            if (count < bestCount)
            {
                best = layout;
                bestCount = count;
            }
        }
        implausibleEntries = bestCount == int.MaxValue ? 0 : bestCount;
        return best;
    }
}
