using System.Buffers.Binary;
using KdumpDebug.Core.Errors;

namespace KdumpDebug.Debuginfo.Cfi;

/// <summary>
/// A bounds-checked little-endian reader over one call-frame section: reads never pass
/// <see cref="End"/> (the end of the CIE or FDE being read); a read that would throws a one-line
/// <see cref="DumpFormatException"/> naming the file, the section and the offset. Allocation-free
/// until an error is thrown.
/// </summary>
internal ref struct CfiCursor
{
    public readonly ReadOnlySpan<byte> Data;
    public int Position;
    public int End;
    readonly string _path;
    readonly string _section;

    public CfiCursor(ReadOnlySpan<byte> data, int position, int end, string path, string section)
    {
        Data = data;
        Position = position;
        End = end;
        _path = path;
        _section = section;
    }

    public readonly bool AtEnd => Position >= End;

    public readonly DumpFormatException Error(string field, string problem) => new(_path, Position, $"{_section} {field}", problem);

    public readonly DumpFormatException ErrorAt(long offset, string field, string problem) => new(_path, offset, $"{_section} {field}", problem);

    void Need(int count, string field)
    {
        if (count < 0 || End - Position < count)
            throw Error(field, $"needs {count} bytes but the entry ends at 0x{End:x}");
    }

    public byte U8(string field = "byte")
    {
        Need(1, field);
        return Data[Position++];
    }

    public ushort U16(string field = "value")
    {
        Need(2, field);
        var v = BinaryPrimitives.ReadUInt16LittleEndian(Data[Position..]);
        Position += 2;
        return v;
    }

    public uint U32(string field = "value")
    {
        Need(4, field);
        var v = BinaryPrimitives.ReadUInt32LittleEndian(Data[Position..]);
        Position += 4;
        return v;
    }

    public ulong U64(string field = "value")
    {
        Need(8, field);
        var v = BinaryPrimitives.ReadUInt64LittleEndian(Data[Position..]);
        Position += 8;
        return v;
    }

    /// <summary>An unsigned value of <paramref name="size"/> bytes (1, 2, 4 or 8).</summary>
    public ulong Unsigned(int size, string field) => size switch
    {
        1 => U8(field),
        2 => U16(field),
        4 => U32(field),
        8 => U64(field),
        _ => throw Error(field, $"address size {size} is not 1, 2, 4 or 8"),
    };

    /// <summary>ULEB128 (DWARF 5 §7.6); more than 10 bytes or bits past 64 is an error.</summary>
    public ulong ULeb(string field = "ULEB128")
    {
        ulong result = 0;
        var shift = 0;
        var start = Position;
        while (true)
        {
            if (Position >= End) throw ErrorAt(start, field, $"ULEB128 runs past the end of the entry (0x{End:x})");
            var b = Data[Position++];
            if (shift < 64) result |= (ulong)(b & 0x7f) << shift;
            else if ((b & 0x7f) != 0) throw ErrorAt(start, field, "ULEB128 does not fit in 64 bits");
            if ((b & 0x80) == 0) return result;
            shift += 7;
            if (shift > 70) throw ErrorAt(start, field, "ULEB128 is longer than 10 bytes");
        }
    }

    /// <summary>SLEB128 (DWARF 5 §7.6).</summary>
    public long SLeb(string field = "SLEB128")
    {
        long result = 0;
        var shift = 0;
        var start = Position;
        byte b;
        do
        {
            if (Position >= End) throw ErrorAt(start, field, $"SLEB128 runs past the end of the entry (0x{End:x})");
            b = Data[Position++];
            if (shift < 64) result |= (long)(b & 0x7f) << shift;
            shift += 7;
            if (shift > 70) throw ErrorAt(start, field, "SLEB128 is longer than 10 bytes");
        } while ((b & 0x80) != 0);
        if (shift < 64 && (b & 0x40) != 0) result |= -1L << shift;
        return result;
    }

    /// <summary>A NUL-terminated string inside the entry.</summary>
    public string CString(string field)
    {
        var rest = Data[Position..End];
        var nul = rest.IndexOf((byte)0);
        if (nul < 0) throw Error(field, "string is not NUL-terminated inside the entry");
        var s = System.Text.Encoding.ASCII.GetString(rest[..nul]);
        Position += nul + 1;
        return s;
    }

    /// <summary>Skips <paramref name="count"/> bytes (checked).</summary>
    public void Skip(ulong count, string field)
    {
        if (count > (ulong)(End - Position)) throw Error(field, $"0x{count:x} bytes run past the end of the entry (0x{End:x})");
        Position += (int)count;
    }

    /// <summary>
    /// A pointer in <c>.eh_frame</c> encoding <paramref name="encoding"/> (<see cref="DwEhPe"/>):
    /// pc-relative values are relative to the field's own address (<paramref name="sectionAddress"/>
    /// + position). Text-, data- and function-relative bases and indirect pointers are not used on
    /// x86-64 Linux and are reported as errors.
    /// </summary>
    public ulong EncodedPointer(byte encoding, ulong sectionAddress, int addressSize, string field)
    {
        if (encoding == DwEhPe.Omit) return 0;
        var fieldAddress = sectionAddress + (ulong)Position;
        var fieldOffset = Position;
        ulong value = (encoding & 0x0f) switch
        {
            DwEhPe.Absptr => Unsigned(addressSize, field),
            DwEhPe.Uleb128 => ULeb(field),
            DwEhPe.Udata2 => U16(field),
            DwEhPe.Udata4 => U32(field),
            DwEhPe.Udata8 => U64(field),
            DwEhPe.Sleb128 => (ulong)SLeb(field),
            DwEhPe.Sdata2 => (ulong)(long)(short)U16(field),
            DwEhPe.Sdata4 => (ulong)(long)(int)U32(field),
            DwEhPe.Sdata8 => U64(field),
            _ => throw ErrorAt(fieldOffset, field, $"pointer encoding 0x{encoding:x2} has an unknown value format"),
        };
        switch (encoding & 0x70)
        {
            case 0:
                break;
            case DwEhPe.Pcrel:
                value = unchecked(value + fieldAddress);
                break;
            default:
                throw ErrorAt(fieldOffset, field, $"pointer encoding 0x{encoding:x2} (relative to text, data or function) is not supported");
        }
        if ((encoding & DwEhPe.Indirect) != 0)
            throw ErrorAt(fieldOffset, field, $"pointer encoding 0x{encoding:x2} is indirect, which needs target memory");
        return value;
    }
}
