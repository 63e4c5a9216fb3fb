using KdumpDebug.Debuginfo.Dwarf;
using KdumpDebug.Debuginfo.Symbols;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Debuginfo.Tests.Dwarf;

/// <summary>.debug_aranges as the map from code address to unit, checked against the units' own ranges.</summary>
public class UnitAddressIndexTests
{
    [FixtureFact]
    public void EveryUnitIsInArangesAndItNamesTheUnitWhoseRangesHoldTheAddress()
    {
        var vmlinux = FixtureKernel.Vmlinux;
        var index = vmlinux.UnitsByAddress!;
        Assert.True(index.Complete);
        var functions = vmlinux.Symbols.SortedByAddress.Where(s => s.Kind == SymbolKind.Function && s.Size > 0).ToArray();
        var inUnit = 0;
        for (var i = 0; i < functions.Length; i += 11)
        {
            var address = functions[i].Address + functions[i].Size / 2;
            var covered = index.TryFind(address, out var unitOffset);
            Assert.NotEqual(UnitAddressIndex.Covered.Unknown, covered);
            // The units whose root DIE ranges hold the address: the same unit, or none at all.
            var holders = vmlinux.Dwarf!.Units.Where(u => RangeLists.ForDie(u.Root).Any(r => r.Begin != 0 && r.Begin <= address && address < r.End))
                .Select(u => u.Offset.Value).ToArray();
            if (covered == UnitAddressIndex.Covered.InUnit)
            {
                Assert.Equal([unitOffset], holders);
                inUnit++;
            }
            else
                Assert.Empty(holders);
        }
        Assert.True(inUnit > functions.Length / 11 * 9 / 10, $"{inUnit} in a unit");
    }
}
