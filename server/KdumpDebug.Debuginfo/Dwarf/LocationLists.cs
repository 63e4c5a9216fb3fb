using KdumpDebug.Core.Errors;

namespace KdumpDebug.Debuginfo.Dwarf;

/// <summary>
/// Decodes location lists (DWARF 5 §2.6.2): <c>.debug_loclists</c> entries (DW_LLE_*, with GCC's
/// DW_LLE_GNU_view_pair skipped) for DWARF 5 units, <c>.debug_loc</c> (address pairs, 2-byte
/// expression lengths, base-address selection) before. Evaluation of the expressions is left to
/// the caller. Cost: one pass over the list; allocates the result (expressions are zero-copy slices).
/// </summary>
public static class LocationLists
{
    /// <summary>The location list of a location-list attribute value (DW_FORM_sec_offset or DW_FORM_loclistx).</summary>
    public static List<LocationListEntry> Read(in AttributeValue value) =>
        Read(value.Unit, value.AsLocationListOffset());

    /// <summary>
    /// The location list at <paramref name="offset"/> of the unit's section. Offset pairs are relative
    /// to the unit's base address (its root DIE's DW_AT_low_pc) unless the list sets another.
    /// </summary>
    /// <exception cref="DumpFormatException">the list runs past its section or has an unknown entry kind.</exception>
    public static List<LocationListEntry> Read(DwarfUnit unit, LocationListOffset offset)
    {
        ArgumentNullException.ThrowIfNull(unit);
        var result = new List<LocationListEntry>();
        var sections = unit.Dwarf.Sections;
        var v5 = unit.Version >= 5;
        var memory = v5 ? sections.LocListsMemory : sections.LocMemory;
        var data = memory.Span;
        var section = v5 ? ".debug_loclists" : ".debug_loc";
        if (offset.Value >= (ulong)data.Length)
            throw new DumpFormatException(unit.Dwarf.Path, (long)offset.Value, section, $"location list offset is past the end of the section (0x{data.Length:x} bytes)");
        var c = new DwarfCursor(data, (int)offset.Value, data.Length, unit.Dwarf.Path, section);
        var @base = unit.BaseAddress;
        var maxAddress = unit.AddressSize == 8 ? ulong.MaxValue : uint.MaxValue;

        ReadOnlyMemory<byte> Expression(ref DwarfCursor cursor, ulong length)
        {
            var at = cursor.Position;
            cursor.Skip(length);
            return memory.Slice(at, (int)length);
        }

        for (var guard = 0; guard < 1 << 20; guard++)
        {
            if (!v5)
            {
                var begin = c.Sized(unit.AddressSize);
                var end = c.Sized(unit.AddressSize);
                if (begin == 0 && end == 0) return result;
                if (begin == maxAddress) { @base = end; continue; }
                var expression = Expression(ref c, c.U16());
                result.Add(new LocationListEntry(@base + begin, @base + end, false, expression));
                continue;
            }
            var kind = (DwLle)c.U8();
            switch (kind)
            {
                case DwLle.EndOfList:
                    return result;
                case DwLle.BaseAddressx:
                    @base = AttributeValue.ReadAddressIndex(unit, c.Uleb(), default);
                    break;
                case DwLle.StartxEndx:
                {
                    var begin = AttributeValue.ReadAddressIndex(unit, c.Uleb(), default);
                    var end = AttributeValue.ReadAddressIndex(unit, c.Uleb(), default);
                    result.Add(new LocationListEntry(begin, end, false, Expression(ref c, c.Uleb())));
                    break;
                }
                case DwLle.StartxLength:
                {
                    var begin = AttributeValue.ReadAddressIndex(unit, c.Uleb(), default);
                    var end = begin + c.Uleb();
                    result.Add(new LocationListEntry(begin, end, false, Expression(ref c, c.Uleb())));
                    break;
                }
                case DwLle.OffsetPair:
                {
                    var begin = @base + c.Uleb();
                    var end = @base + c.Uleb();
                    result.Add(new LocationListEntry(begin, end, false, Expression(ref c, c.Uleb())));
                    break;
                }
                case DwLle.DefaultLocation:
                    result.Add(new LocationListEntry(0, 0, true, Expression(ref c, c.Uleb())));
                    break;
                case DwLle.BaseAddress:
                    @base = c.Sized(unit.AddressSize);
                    break;
                case DwLle.StartEnd:
                {
                    var begin = c.Sized(unit.AddressSize);
                    var end = c.Sized(unit.AddressSize);
                    result.Add(new LocationListEntry(begin, end, false, Expression(ref c, c.Uleb())));
                    break;
                }
                case DwLle.StartLength:
                {
                    var begin = c.Sized(unit.AddressSize);
                    var end = begin + c.Uleb();
                    result.Add(new LocationListEntry(begin, end, false, Expression(ref c, c.Uleb())));
                    break;
                }
                case DwLle.GnuViewPair:
                    // GCC's -gvariable-location-views: two view numbers before the next entry.
                    c.SkipLeb();
                    c.SkipLeb();
                    break;
                default:
                    throw c.ErrorAt(c.Position - 1, $"location list entry kind 0x{(byte)kind:x} is not a DW_LLE_* value");
            }
        }
        throw c.Error("location list has more than 2^20 entries without DW_LLE_end_of_list");
    }
}
