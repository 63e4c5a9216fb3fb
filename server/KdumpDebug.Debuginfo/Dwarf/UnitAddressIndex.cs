using KdumpDebug.Debuginfo.Elf;
using KdumpDebug.Debuginfo.Lines;

namespace KdumpDebug.Debuginfo.Dwarf;

/// <summary>
/// Which compilation unit holds a code address, from <c>.debug_aranges</c> (DWARF 5 §6.1.2): one
/// small section read, instead of the root DIE and range list of every unit (hundreds of
/// milliseconds on a distribution kernel's 3,000 units). When every unit of <c>.debug_info</c>
/// has a set in <c>.debug_aranges</c> (as GCC and gas write them for the kernel), an address in
/// none of them is in no unit (<see cref="Covered"/>), so callers need not search further.
/// Thread-safe, immutable.
/// </summary>
public sealed class UnitAddressIndex
{
    readonly AddressRanges? _ranges;

    UnitAddressIndex(AddressRanges? ranges, bool complete)
    {
        _ranges = ranges;
        Complete = complete;
    }

    /// <summary>True when every compile unit has address ranges in <c>.debug_aranges</c>.</summary>
    public bool Complete { get; }

    /// <summary>Reads <paramref name="elf"/>'s <c>.debug_aranges</c> (a linked file's: addresses as linked); empty without one.</summary>
    public static UnitAddressIndex FromElf(ElfFile elf, DwarfInfo dwarf)
    {
        ArgumentNullException.ThrowIfNull(elf);
        ArgumentNullException.ThrowIfNull(dwarf);
        if (!elf.TryGetSection(".debug_aranges", out var section) || section.IsNoBits || elf.Type == ElfFileType.Relocatable)
            return new UnitAddressIndex(null, false);
        var ranges = AddressRanges.FromDebugAranges(elf.Path, section.Name, elf.GetSectionBytes(section).Span, skipZero: true);
        var compileUnits = dwarf.Units.Count(u => !u.IsInTypesSection && u.UnitType == DwUt.Compile);
        return new UnitAddressIndex(ranges, ranges.UnitCount >= compileUnits);
    }

    /// <summary>What <see cref="TryFind"/> can say about an address.</summary>
    public enum Covered
    {
        /// <summary>One unit's ranges hold the address.</summary>
        InUnit,
        /// <summary>The index is complete and no unit holds it.</summary>
        InNoUnit,
        /// <summary>Unknown (no or partial aranges, or two units claim it): search the units themselves.</summary>
        Unknown,
    }

    /// <summary>The <c>.debug_info</c> offset of the unit holding <paramref name="linkAddress"/>, when <see cref="Covered.InUnit"/>.</summary>
    public Covered TryFind(ulong linkAddress, out ulong unitOffset)
    {
        unitOffset = 0;
        if (_ranges is null) return Covered.Unknown;
        if (_ranges.TryFindUnit(linkAddress, out unitOffset)) return Covered.InUnit;
        return Complete && !_ranges.Contains(linkAddress) ? Covered.InNoUnit : Covered.Unknown;
    }
}
