
namespace KdumpDebug.Debuginfo.Lines;

/// <summary>
/// The union of the address ranges of all compilation units, read from <c>.debug_aranges</c>
/// (DWARF 5 §6.1.2): sorted, merged, binary-searched. Ranges at address 0 (code the linker
/// discarded) are left out for linked files.
/// </summary>
internal sealed class AddressRanges
{
    readonly ulong[] _starts;
    readonly ulong[] _ends;

    AddressRanges(ulong[] starts, ulong[] ends)
    {
        _starts = starts;
        _ends = ends;
    }

    public int Count => _starts.Length;

    public bool Contains(ulong address)
    {
        int lo = 0, hi = _starts.Length;
        while (lo < hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            if (_starts[mid] <= address) lo = mid + 1; else hi = mid;
        }
        return lo > 0 && address < _ends[lo - 1];
    }

    public static AddressRanges FromDebugAranges(string path, string sectionName, ReadOnlySpan<byte> data, bool skipZero)
    {
        var ranges = new List<(ulong Start, ulong End)>();
        var position = 0;
        while (data.Length - position >= 4)
        {
            var cursor = new LineCursor(data, path, sectionName, position, data.Length);
            ulong length = cursor.U32("unit_length");
            var offset64 = false;
            if (length == 0xffffffff)
            {
                offset64 = true;
                length = cursor.U64("unit_length (64-bit)");
            }
            if (length > (ulong)(data.Length - cursor.Position))
                throw cursor.Error("unit_length", $"0x{length:x} runs past the end of the section (0x{data.Length:x})");
            var end = cursor.Position + (int)length;
            cursor.End = end;
            var version = cursor.U16("version");
            if (version != 2)
                throw cursor.Error("version", $"is {version}, expected 2");
            cursor.Skip(offset64 ? 8u : 4u, "debug_info_offset");
            var addressSize = cursor.U8("address_size");
            if (addressSize is not (4 or 8))
                throw cursor.Error("address_size", $"is {addressSize}, expected 4 or 8");
            var segmentSize = cursor.U8("segment_selector_size");
            if (segmentSize != 0)
                throw cursor.Error("segment_selector_size", $"is {segmentSize}, only flat address spaces (0) are supported");
            // Tuples start at a multiple of twice the address size from the start of the set.
            var tupleSize = 2 * addressSize;
            var skip = (tupleSize - (cursor.Position - position) % tupleSize) % tupleSize;
            cursor.Skip((ulong)skip, "padding");
            while (end - cursor.Position >= tupleSize)
            {
                var start = cursor.Unsigned(addressSize, "address");
                var size = cursor.Unsigned(addressSize, "length");
                if (start == 0 && size == 0) break;
                if (size == 0 || (skipZero && start == 0)) continue;
                ranges.Add((start, start + size < start ? ulong.MaxValue : start + size));
            }
            position = end;
        }
        ranges.Sort();
        var starts = new List<ulong>();
        var ends = new List<ulong>();
        foreach (var (s, e) in ranges)
        {
            if (ends.Count > 0 && s <= ends[^1])
            {
                if (e > ends[^1]) ends[^1] = e;
                continue;
            }
            starts.Add(s);
            ends.Add(e);
        }
        return new AddressRanges(starts.ToArray(), ends.ToArray());
    }
}
