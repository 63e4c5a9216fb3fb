
namespace KdumpDebug.Debuginfo.Lines;

/// <summary>
/// The union of the address ranges of all compilation units, read from <c>.debug_aranges</c>
/// (DWARF 5 §6.1.2): sorted, merged, binary-searched. Ranges at address 0 (code the linker
/// discarded) are left out for linked files. Also keeps which unit (its <c>.debug_info</c>
/// offset) each range belongs to, so a lookup can go straight to that unit's line program.
/// </summary>
internal sealed class AddressRanges
{
    readonly ulong[] _starts;
    readonly ulong[] _ends;
    // Unmerged, sorted by start: one entry per (range, unit).
    readonly ulong[] _unitStarts;
    readonly ulong[] _unitEnds;
    readonly ulong[] _unitOffsets;

    AddressRanges(ulong[] starts, ulong[] ends, (ulong Start, ulong End, ulong Unit)[] unitRanges)
    {
        _starts = starts;
        _ends = ends;
        _unitStarts = unitRanges.Select(r => r.Start).ToArray();
        _unitEnds = unitRanges.Select(r => r.End).ToArray();
        _unitOffsets = unitRanges.Select(r => r.Unit).ToArray();
    }

    /// <summary>
    /// The <c>.debug_info</c> offset of the unit whose range holds <paramref name="address"/>; false
    /// when none does, or when two units claim it (then the caller must search every program).
    /// </summary>
    public bool TryFindUnit(ulong address, out ulong unitOffset)
    {
        unitOffset = 0;
        int lo = 0, hi = _unitStarts.Length;
        while (lo < hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            if (_unitStarts[mid] <= address) lo = mid + 1; else hi = mid;
        }
        var found = false;
        // Ranges are short and rarely overlap: scan back over those starting at or below.
        for (var i = lo - 1; i >= 0 && lo - i <= 64; i--)
        {
            if (address >= _unitEnds[i]) continue;
            if (found && _unitOffsets[i] != unitOffset) return false;
            unitOffset = _unitOffsets[i];
            found = true;
        }
        return found;
    }

    public int Count => _starts.Length;

    /// <summary>How many distinct units have a set here (possibly empty: a unit with data only).</summary>
    public int UnitCount { get; private init; }

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
        var unitRanges = new List<(ulong Start, ulong End, ulong Unit)>();
        var units = new HashSet<ulong>();
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
            var unit = offset64 ? cursor.U64("debug_info_offset") : cursor.U32("debug_info_offset");
            units.Add(unit);
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
                var rangeEnd = start + size < start ? ulong.MaxValue : start + size;
                ranges.Add((start, rangeEnd));
                unitRanges.Add((start, rangeEnd, unit));
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
        unitRanges.Sort();
        return new AddressRanges(starts.ToArray(), ends.ToArray(), unitRanges.ToArray()) { UnitCount = units.Count };
    }
}
