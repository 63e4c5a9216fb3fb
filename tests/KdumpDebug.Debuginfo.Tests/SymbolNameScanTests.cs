using KdumpDebug.Debuginfo.Symbols;
using KdumpDebug.TestSupport;
using Xunit;

namespace KdumpDebug.Debuginfo.Tests;

/// <summary>
/// The one-name scan must never disagree with the full table: whatever it answers (found or not
/// found) is what the table's lookup (crash's table first, then any ELF symbol) gives; where it
/// cannot be sure it says so.
/// </summary>
public class SymbolNameScanTests
{
    static bool TableLookup(SymbolTable table, string name, out ElfSymbol symbol) =>
        (table.Crash is { } crash && crash.TryLookup(name, out symbol)) || table.TryLookup(name, out symbol);

    [FixtureFact]
    public void AgreesWithTheTableOnASampleOfRealNames()
    {
        var vmlinux = FixtureKernel.Vmlinux;
        var table = vmlinux.Symbols;
        // Every 40th name (about 1,100), plus the names commands look up first, clone names,
        // names crash strips, and names that exist nowhere.
        var names = table.SortedByAddress.Where((_, i) => i % 40 == 0).Select(s => s.Name)
            .Concat(["init_task", "jiffies", "linux_banner", "init_top_pgt", "__per_cpu_start", "_text", "_end",
                "rapl_event_update", "rapl_event_update.isra.0", "mm_init.constprop.0", "runqueues",
                "no_such_symbol_anywhere", "init_task.comm", "jiffies_", ".data", ""])
            .Distinct().ToArray();
        var decided = 0;
        foreach (var name in names)
        {
            var result = SymbolNameScan.Find(vmlinux.Elf, name, out var scanned);
            var inTable = TableLookup(table, name, out var expected);
            switch (result)
            {
                case SymbolScanResult.Found:
                    Assert.True(inTable, name);
                    Assert.Equal(expected, scanned);
                    decided++;
                    break;
                case SymbolScanResult.NotFound:
                    Assert.False(inTable, name);
                    decided++;
                    break;
            }
        }
        // The scan is only worth having if it decides nearly every lookup itself.
        Assert.True(decided > names.Length * 9 / 10, $"decided {decided} of {names.Length}");
        Assert.Equal(SymbolScanResult.Found, SymbolNameScan.Find(vmlinux.Elf, "init_task", out var task));
        Assert.Equal('D', task.NmType);
        Assert.Equal(SymbolScanResult.NotFound, SymbolNameScan.Find(vmlinux.Elf, "init_task.comm", out _));
        Assert.Equal(SymbolScanResult.Ambiguous, SymbolNameScan.Find(vmlinux.Elf, "rapl_event_update", out _));
    }
}
