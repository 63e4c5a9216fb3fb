using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using KdumpDebug.Core.Errors;

namespace KdumpDebug.Debuginfo.Dwarf;

/// <summary>
/// A bounds-checked little-endian reader over one DWARF section (gimli's EndianSlice): reads
/// never pass <see cref="End"/> (the end of the unit or list being read); a read that would throws
/// a one-line <see cref="DumpFormatException"/> naming the file, the section and the offset.
/// Strings and blocks come back as spans of the section (zero-copy). Allocation-free until an
/// error is thrown.
/// </summary>
internal ref struct DwarfCursor
{
    public readonly ReadOnlySpan<byte> Data;
    public int Position;
    public int End;
    readonly string _path;
    readonly string _section;

    public DwarfCursor(ReadOnlySpan<byte> data, int position, int end, string path, string section)
    {
        Data = data;
        Position = position;
        End = end;
        _path = path;
        _section = section;
    }

    public readonly bool AtEnd => Position >= End;

    /// <summary>An error at the current position: "PATH: SECTION at offset 0xPOS: PROBLEM".</summary>
    public readonly DumpFormatException Error(string problem) => new(_path, Position, _section, problem);

    /// <summary>An error at <paramref name="offset"/> of this section.</summary>
    public readonly DumpFormatException ErrorAt(long offset, string problem) => new(_path, offset, _section, problem);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    void Need(int count)
    {
        if ((uint)count > (uint)(End - Position)) ThrowTruncated(count);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    readonly void ThrowTruncated(int count) =>
        throw Error(count < 0 ? "length is negative" : $"needs {count} bytes but the data ends at 0x{End:x}");

    public byte U8()
    {
        Need(1);
        return Data[Position++];
    }

    public ushort U16()
    {
        Need(2);
        var v = BinaryPrimitives.ReadUInt16LittleEndian(Data.Slice(Position, 2));
        Position += 2;
        return v;
    }

    public uint U24()
    {
        Need(3);
        var v = Data[Position] | (uint)Data[Position + 1] << 8 | (uint)Data[Position + 2] << 16;
        Position += 3;
        return v;
    }

    public uint U32()
    {
        Need(4);
        var v = BinaryPrimitives.ReadUInt32LittleEndian(Data.Slice(Position, 4));
        Position += 4;
        return v;
    }

    public ulong U64()
    {
        Need(8);
        var v = BinaryPrimitives.ReadUInt64LittleEndian(Data.Slice(Position, 8));
        Position += 8;
        return v;
    }

    /// <summary>An unsigned value of 1, 2, 3, 4 or 8 bytes (address or offset size).</summary>
    public ulong Sized(int size) => size switch
    {
        1 => U8(),
        2 => U16(),
        3 => U24(),
        4 => U32(),
        8 => U64(),
        _ => throw Error($"unsupported operand size {size}"),
    };

    /// <summary>An offset of the unit's format: 4 bytes (32-bit DWARF) or 8 bytes (64-bit DWARF).</summary>
    public ulong Offset(bool offset64) => offset64 ? U64() : U32();

    /// <summary>ULEB128 (DWARF 5 §7.6); bits past 64 are dropped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Uleb()
    {
        // Most values (abbreviation codes, attribute names and forms) fit in one byte.
        if ((uint)Position < (uint)End && (uint)Position < (uint)Data.Length && Data[Position] < 0x80) return Data[Position++];
        return UlebSlow();
    }

    ulong UlebSlow()
    {
        ulong result = 0;
        var shift = 0;
        while (true)
        {
            Need(1);
            var b = Data[Position++];
            if (shift < 64) result |= (ulong)(b & 0x7f) << shift;
            shift += 7;
            if ((b & 0x80) == 0) return result;
        }
    }

    /// <summary>SLEB128 (DWARF 5 §7.6).</summary>
    public long Sleb()
    {
        long result = 0;
        var shift = 0;
        byte b;
        do
        {
            Need(1);
            b = Data[Position++];
            if (shift < 64) result |= (long)(b & 0x7f) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        if (shift < 64 && (b & 0x40) != 0) result |= -1L << shift;
        return result;
    }

    /// <summary>Skips a LEB128 number (either signedness).</summary>
    public void SkipLeb()
    {
        while (true)
        {
            Need(1);
            if ((Data[Position++] & 0x80) == 0) return;
        }
    }

    /// <summary>A NUL-terminated string inside [Position, End): its bytes without the NUL.</summary>
    public ReadOnlySpan<byte> CString()
    {
        var rest = Data[Position..End];
        var n = rest.IndexOf((byte)0);
        if (n < 0) throw Error("string is not NUL-terminated before the end of the data");
        Position += n + 1;
        return rest[..n];
    }

    /// <summary><paramref name="count"/> bytes as a span of the section.</summary>
    public ReadOnlySpan<byte> Bytes(ulong count)
    {
        if (count > (ulong)(End - Position)) throw Error($"block of 0x{count:x} bytes runs past the end of the data (0x{End:x})");
        var s = Data.Slice(Position, (int)count);
        Position += (int)count;
        return s;
    }

    public void Skip(ulong count)
    {
        if (count > (ulong)(End - Position)) throw Error($"0x{count:x} bytes run past the end of the data (0x{End:x})");
        Position += (int)count;
    }
}
