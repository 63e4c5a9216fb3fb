using System.Buffers.Binary;
using System.Text;
using KdumpDebug.Core.Errors;

namespace KdumpDebug.Debuginfo.Lines;

/// <summary>
/// A bounds-checked little-endian reader over <c>.debug_line</c> (gimli's EndianSlice idea): every
/// read past <see cref="End"/> throws a one-line <see cref="DumpFormatException"/> naming the unit
/// and the field being read. Allocation-free except for strings.
/// </summary>
internal ref struct LineCursor
{
    readonly ReadOnlySpan<byte> _data;
    readonly string _path;
    readonly string _section;

    public int Position;
    public int End;
    /// <summary>Offset of the unit being read, for error messages.</summary>
    public long UnitOffset;

    public LineCursor(ReadOnlySpan<byte> data, string path, string section, int position, int end)
    {
        _data = data;
        _path = path;
        _section = section;
        Position = position;
        End = end;
        UnitOffset = position;
    }

    public readonly bool AtEnd => Position >= End;

    public readonly DumpFormatException Error(string field, string problem) =>
        new(_path, null, $"{_section} unit at 0x{UnitOffset:x} {field}", problem);

    readonly void Need(int count, string field)
    {
        if (count < 0 || End - Position < count)
            throw Error(field, $"needs {count} bytes at 0x{Position:x} but the unit ends at 0x{End:x}");
    }

    public byte U8(string field)
    {
        Need(1, field);
        return _data[Position++];
    }

    public ushort U16(string field)
    {
        Need(2, field);
        var v = BinaryPrimitives.ReadUInt16LittleEndian(_data[Position..]);
        Position += 2;
        return v;
    }

    public uint U32(string field)
    {
        Need(4, field);
        var v = BinaryPrimitives.ReadUInt32LittleEndian(_data[Position..]);
        Position += 4;
        return v;
    }

    public ulong U64(string field)
    {
        Need(8, field);
        var v = BinaryPrimitives.ReadUInt64LittleEndian(_data[Position..]);
        Position += 8;
        return v;
    }

    /// <summary>An unsigned integer of <paramref name="size"/> bytes (1, 2, 4 or 8).</summary>
    public ulong Unsigned(int size, string field) => size switch
    {
        1 => U8(field),
        2 => U16(field),
        4 => U32(field),
        8 => U64(field),
        _ => throw Error(field, $"unsupported operand size {size}"),
    };

    /// <summary>ULEB128 (DWARF 5 §7.6); bits past 64 are dropped.</summary>
    public ulong Uleb(string field)
    {
        ulong result = 0;
        var shift = 0;
        while (true)
        {
            Need(1, field);
            var b = _data[Position++];
            if (shift < 64) result |= (ulong)(b & 0x7f) << shift;
            shift += 7;
            if ((b & 0x80) == 0) return result;
        }
    }

    /// <summary>SLEB128 (DWARF 5 §7.6).</summary>
    public long Sleb(string field)
    {
        long result = 0;
        var shift = 0;
        byte b;
        do
        {
            Need(1, field);
            b = _data[Position++];
            if (shift < 64) result |= (long)(b & 0x7f) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        if (shift < 64 && (b & 0x40) != 0) result |= -1L << shift;
        return result;
    }

    /// <summary>A NUL-terminated string inside the unit.</summary>
    public string CString(string field)
    {
        var rest = _data[Position..End];
        var n = rest.IndexOf((byte)0);
        if (n < 0) throw Error(field, $"string at 0x{Position:x} is not NUL-terminated before the end of the unit");
        var s = Encoding.UTF8.GetString(rest[..n]);
        Position += n + 1;
        return s;
    }

    public void Skip(ulong count, string field)
    {
        if (count > int.MaxValue) throw Error(field, $"length 0x{count:x} is larger than the unit");
        Need((int)count, field);
        Position += (int)count;
    }
}
