using System.Buffers.Binary;

namespace KdumpDebug.Debuginfo.Tests.Cfi;

/// <summary>
/// Builds .debug_frame or .eh_frame sections in code: CIEs and FDEs with their instructions
/// (<see cref="Op"/> encodes DW_CFA_* instructions), so each test shows its input beside its
/// assertions. Offsets returned by <see cref="AddCie"/> and <see cref="AddFde"/> are where the
/// entry's length field starts, for tests that corrupt the result.
/// </summary>
internal sealed class CfiBuilder(bool ehFrame = false, ulong sectionAddress = 0)
{
    readonly List<byte> _bytes = [];

    public int AddCie(byte[] initialInstructions, byte version = 1, string augmentation = "", ulong codeAlign = 1, long dataAlign = -8,
        ulong returnAddressRegister = 16, byte? fdeEncoding = null, bool dwarf64 = false, byte addressSize = 8)
    {
        var body = new List<byte>();
        if (ehFrame) body.AddRange(new byte[4]);
        else body.AddRange(dwarf64 ? Enumerable.Repeat((byte)0xff, 8) : Enumerable.Repeat((byte)0xff, 4));
        body.Add(version);
        body.AddRange(System.Text.Encoding.ASCII.GetBytes(augmentation));
        body.Add(0);
        if (version == 4)
        {
            body.Add(addressSize);
            body.Add(0);
        }
        body.AddRange(Uleb(codeAlign));
        body.AddRange(Sleb(dataAlign));
        if (version == 1) body.Add((byte)returnAddressRegister);
        else body.AddRange(Uleb(returnAddressRegister));
        if (augmentation.StartsWith('z'))
        {
            var data = new List<byte>();
            foreach (var c in augmentation[1..])
                if (c == 'R') data.Add(fdeEncoding ?? 0);
            body.AddRange(Uleb((ulong)data.Count));
            body.AddRange(data);
        }
        body.AddRange(initialInstructions);
        return Append(body, dwarf64);
    }

    /// <summary>Adds an FDE. For .eh_frame the CIE pointer is made relative and pc_begin pc-relative sdata4 when <paramref name="pcrel"/>.</summary>
    public int AddFde(int cieOffset, ulong start, ulong range, byte[] instructions, bool dwarf64 = false, bool pcrel = false,
        bool augmentationData = false, bool pad = true)
    {
        var offset = _bytes.Count;
        var lengthSize = dwarf64 ? 12 : 4;
        var body = new List<byte>();
        if (ehFrame)
        {
            var pointerField = offset + lengthSize;
            body.AddRange(U32((uint)(pointerField - cieOffset)));
        }
        else body.AddRange(dwarf64 ? U64((ulong)cieOffset) : U32((uint)cieOffset));
        if (ehFrame && pcrel)
        {
            var fieldAddress = sectionAddress + (ulong)(offset + lengthSize + 4);
            body.AddRange(U32((uint)(int)(long)(start - fieldAddress)));
            body.AddRange(U32((uint)range));
        }
        else
        {
            body.AddRange(U64(start));
            body.AddRange(U64(range));
        }
        if (augmentationData) body.Add(0);
        body.AddRange(instructions);
        return Append(body, dwarf64, pad);
    }

    /// <summary>Raw bytes (padding, a terminator, garbage).</summary>
    public CfiBuilder Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public byte[] Build() => [.. _bytes];

    int Append(List<byte> body, bool dwarf64, bool pad = true)
    {
        // Pad to 8 bytes with DW_CFA_nop, as assemblers do.
        var header = dwarf64 ? 12 : 4;
        while (pad && (header + body.Count) % 8 != 0) body.Add(0);
        var offset = _bytes.Count;
        if (dwarf64)
        {
            _bytes.AddRange(U32(0xffffffff));
            _bytes.AddRange(U64((ulong)body.Count));
        }
        else _bytes.AddRange(U32((uint)body.Count));
        _bytes.AddRange(body);
        return offset;
    }

    public static byte[] U32(uint v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        return b;
    }

    public static byte[] U64(ulong v)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, v);
        return b;
    }

    public static byte[] Uleb(ulong v)
    {
        var r = new List<byte>();
        do
        {
            var b = (byte)(v & 0x7f);
            v >>= 7;
            r.Add(v != 0 ? (byte)(b | 0x80) : b);
        } while (v != 0);
        return [.. r];
    }

    public static byte[] Sleb(long v)
    {
        var r = new List<byte>();
        while (true)
        {
            var b = (byte)(v & 0x7f);
            v >>= 7;
            var done = (v == 0 && (b & 0x40) == 0) || (v == -1 && (b & 0x40) != 0);
            r.Add(done ? b : (byte)(b | 0x80));
            if (done) return [.. r];
        }
    }
}

/// <summary>DW_CFA_* instruction encoders (DWARF 5 §6.4.2).</summary>
internal static class Op
{
    public static byte[] Seq(params byte[][] ops) => ops.SelectMany(o => o).ToArray();
    public static byte[] AdvanceLoc(byte delta) => [(byte)(0x40 | delta)];
    public static byte[] AdvanceLoc1(byte delta) => [0x02, delta];
    public static byte[] AdvanceLoc2(ushort delta) => [0x03, (byte)delta, (byte)(delta >> 8)];
    public static byte[] AdvanceLoc4(uint delta) => [0x04, .. CfiBuilder.U32(delta)];
    public static byte[] SetLoc(ulong address) => [0x01, .. CfiBuilder.U64(address)];
    public static byte[] Offset(byte reg, ulong factored) => [(byte)(0x80 | reg), .. CfiBuilder.Uleb(factored)];
    public static byte[] Restore(byte reg) => [(byte)(0xc0 | reg)];
    public static byte[] Nop => [0x00];
    public static byte[] OffsetExtended(ulong reg, ulong factored) => [0x05, .. CfiBuilder.Uleb(reg), .. CfiBuilder.Uleb(factored)];
    public static byte[] RestoreExtended(ulong reg) => [0x06, .. CfiBuilder.Uleb(reg)];
    public static byte[] Undefined(ulong reg) => [0x07, .. CfiBuilder.Uleb(reg)];
    public static byte[] SameValue(ulong reg) => [0x08, .. CfiBuilder.Uleb(reg)];
    public static byte[] Register(ulong reg, ulong from) => [0x09, .. CfiBuilder.Uleb(reg), .. CfiBuilder.Uleb(from)];
    public static byte[] RememberState => [0x0a];
    public static byte[] RestoreState => [0x0b];
    public static byte[] DefCfa(ulong reg, ulong offset) => [0x0c, .. CfiBuilder.Uleb(reg), .. CfiBuilder.Uleb(offset)];
    public static byte[] DefCfaRegister(ulong reg) => [0x0d, .. CfiBuilder.Uleb(reg)];
    public static byte[] DefCfaOffset(ulong offset) => [0x0e, .. CfiBuilder.Uleb(offset)];
    public static byte[] DefCfaExpression(params byte[] expr) => [0x0f, .. CfiBuilder.Uleb((ulong)expr.Length), .. expr];
    public static byte[] Expression(ulong reg, params byte[] expr) => [0x10, .. CfiBuilder.Uleb(reg), .. CfiBuilder.Uleb((ulong)expr.Length), .. expr];
    public static byte[] OffsetExtendedSf(ulong reg, long factored) => [0x11, .. CfiBuilder.Uleb(reg), .. CfiBuilder.Sleb(factored)];
    public static byte[] DefCfaSf(ulong reg, long factored) => [0x12, .. CfiBuilder.Uleb(reg), .. CfiBuilder.Sleb(factored)];
    public static byte[] DefCfaOffsetSf(long factored) => [0x13, .. CfiBuilder.Sleb(factored)];
    public static byte[] ValOffset(ulong reg, ulong factored) => [0x14, .. CfiBuilder.Uleb(reg), .. CfiBuilder.Uleb(factored)];
    public static byte[] ValOffsetSf(ulong reg, long factored) => [0x15, .. CfiBuilder.Uleb(reg), .. CfiBuilder.Sleb(factored)];
    public static byte[] ValExpression(ulong reg, params byte[] expr) => [0x16, .. CfiBuilder.Uleb(reg), .. CfiBuilder.Uleb((ulong)expr.Length), .. expr];
    public static byte[] GnuArgsSize(ulong size) => [0x2e, .. CfiBuilder.Uleb(size)];
    public static byte[] GnuNegativeOffsetExtended(ulong reg, ulong factored) => [0x2f, .. CfiBuilder.Uleb(reg), .. CfiBuilder.Uleb(factored)];

    /// <summary>GCC's x86-64 CIE: CFA = rsp + 8, return address at CFA - 8.</summary>
    public static byte[] X86Cie => Seq(DefCfa(7, 8), Offset(16, 1));
}
