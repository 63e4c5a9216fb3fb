using KdumpDebug.Core.Errors;

namespace KdumpDebug.Debuginfo.Dwarf;

/// <summary>
/// Decodes the address ranges of a DIE: DW_AT_low_pc/DW_AT_high_pc, or the range list DW_AT_ranges
/// names in <c>.debug_rnglists</c> (DWARF 5 §2.17.3, entries DW_RLE_*) or <c>.debug_ranges</c>
/// (DWARF 2-4 pairs with base-address selection entries). Addresses are link-time. Cost: one pass
/// over the list; allocates the result.
/// </summary>
public static class RangeLists
{
    /// <summary>
    /// The ranges of <paramref name="die"/>: one range from DW_AT_low_pc and DW_AT_high_pc
    /// (an address, or since DWARF 4 a length), else the DW_AT_ranges list; empty when it has neither.
    /// Empty ranges (begin == end) are dropped.
    /// </summary>
    public static List<AddressRange> ForDie(Die die)
    {
        var result = new List<AddressRange>();
        // A unit DIE may have DW_AT_low_pc (the base address for its lists, often 0) together
        // with DW_AT_ranges and no DW_AT_high_pc (DWARF 5 §3.1.1): its ranges are the list's.
        if (die.TryGetAttribute(DwAt.LowPc, out var low) && (die.Has(DwAt.HighPc) || !die.Has(DwAt.Ranges)))
        {
            var begin = low.AsAddress();
            if (die.TryGetAttribute(DwAt.HighPc, out var high))
            {
                var end = high.Class == AttributeClass.Address ? high.AsAddress() : begin + high.AsUnsigned();
                if (end > begin) result.Add(new AddressRange(begin, end));
            }
            return result;
        }
        if (die.TryGetAttribute(DwAt.Ranges, out var ranges))
            return Read(die.Unit, ranges.AsRangeListOffset(), die.Unit.Root == die ? null : die.Unit.BaseAddress);
        return result;
    }

    /// <summary>
    /// The range list at <paramref name="offset"/>, read as the unit's version says
    /// (<c>.debug_rnglists</c> for DWARF 5, <c>.debug_ranges</c> before). <paramref name="baseAddress"/>
    /// starts as the unit's base address (its root DIE's DW_AT_low_pc); null means 0 (the root DIE's
    /// own DW_AT_ranges, where offsets are relative to 0 unless the list sets a base).
    /// </summary>
    /// <exception cref="DumpFormatException">the list runs past its section or has an unknown entry kind.</exception>
    public static List<AddressRange> Read(DwarfUnit unit, RangeListOffset offset, ulong? baseAddress = null)
    {
        ArgumentNullException.ThrowIfNull(unit);
        var result = new List<AddressRange>();
        var sections = unit.Dwarf.Sections;
        var v5 = unit.Version >= 5;
        var data = v5 ? sections.RngLists : sections.Ranges;
        var section = v5 ? ".debug_rnglists" : ".debug_ranges";
        if (offset.Value >= (ulong)data.Length)
            throw new DumpFormatException(unit.Dwarf.Path, (long)offset.Value, section, $"range list offset is past the end of the section (0x{data.Length:x} bytes)");
        var c = new DwarfCursor(data, (int)offset.Value, data.Length, unit.Dwarf.Path, section);
        var @base = baseAddress ?? 0;
        var maxAddress = unit.AddressSize == 8 ? ulong.MaxValue : uint.MaxValue;
        for (var guard = 0; guard < 1 << 20; guard++)
        {
            if (!v5)
            {
                // DWARF 2-4 §2.17.3: (begin, end) pairs relative to the base; (max, x) sets the base; (0, 0) ends.
                var begin = c.Sized(unit.AddressSize);
                var end = c.Sized(unit.AddressSize);
                if (begin == 0 && end == 0) return result;
                if (begin == maxAddress) { @base = end; continue; }
                Add(result, @base + begin, @base + end);
                continue;
            }
            var kind = (DwRle)c.U8();
            switch (kind)
            {
                case DwRle.EndOfList:
                    return result;
                case DwRle.BaseAddressx:
                    @base = AddressIndex(unit, c.Uleb());
                    break;
                case DwRle.StartxEndx:
                {
                    var begin = AddressIndex(unit, c.Uleb());
                    Add(result, begin, AddressIndex(unit, c.Uleb()));
                    break;
                }
                case DwRle.StartxLength:
                {
                    var begin = AddressIndex(unit, c.Uleb());
                    Add(result, begin, begin + c.Uleb());
                    break;
                }
                case DwRle.OffsetPair:
                {
                    var begin = c.Uleb();
                    Add(result, @base + begin, @base + c.Uleb());
                    break;
                }
                case DwRle.BaseAddress:
                    @base = c.Sized(unit.AddressSize);
                    break;
                case DwRle.StartEnd:
                {
                    var begin = c.Sized(unit.AddressSize);
                    Add(result, begin, c.Sized(unit.AddressSize));
                    break;
                }
                case DwRle.StartLength:
                {
                    var begin = c.Sized(unit.AddressSize);
                    Add(result, begin, begin + c.Uleb());
                    break;
                }
                default:
                    throw c.ErrorAt(c.Position - 1, $"range list entry kind 0x{(byte)kind:x} is not a DW_RLE_* value");
            }
        }
        throw c.Error("range list has more than 2^20 entries without DW_RLE_end_of_list");
    }

    static void Add(List<AddressRange> result, ulong begin, ulong end)
    {
        if (end > begin) result.Add(new AddressRange(begin, end));
    }

    static ulong AddressIndex(DwarfUnit unit, ulong index) => AttributeValue.ReadAddressIndex(unit, index, default);
}
