using System.Globalization;
using KdumpDebug.Debuginfo.Symbols;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Debuginfo.Tests;

/// <summary>The fixture vmlinux (Linux 6.1.192, DWARF 5) against its System.map and BUILD-INFO.txt.</summary>
public class VmlinuxTests
{
    static string BuildInfo(string key) =>
        Fixtures.ReadText("kernel/BUILD-INFO.txt").Split('\n').First(l => l.StartsWith(key + " ", StringComparison.Ordinal))[(key.Length + 1)..];

    [FixtureFact]
    public void IdentityMatchesBuildInfo()
    {
        var v = FixtureKernel.Vmlinux;
        Assert.Equal("5dea1542984f3483a36a4aab66b7c1727255e9fa", v.BuildId);
        Assert.Equal(BuildInfo("vmlinux_build_id"), v.BuildId);
        Assert.Equal("6.1.192-fixture", v.Release);
        Assert.Equal(BuildInfo("linux_banner") + "\n", v.LinuxBanner);
        Assert.Equal(Fixtures.Path("kernel/vmlinux.xz"), v.OriginalPath);
        Assert.EndsWith(Path.Combine("5dea1542984f3483a36a4aab66b7c1727255e9fa", "vmlinux"), v.PlainPath);
        Assert.Equal(91_719_240, new FileInfo(v.PlainPath).Length);
        Assert.Equal(Elf.ElfFileType.Executable, v.Elf.Type);
        Assert.NotNull(v.Lines);
    }

    [FixtureFact]
    public void EverySystemMapSymbolHasItsAddressAndLetter()
    {
        var symbols = FixtureKernel.Vmlinux.Symbols;
        var lines = File.ReadAllLines(Fixtures.Path("kernel/System.map"));
        Assert.True(lines.Length > 30_000);
        var mismatches = new List<string>();
        foreach (var line in lines)
        {
            var parts = line.Split(' ');
            var address = ulong.Parse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var letter = parts[1][0];
            var name = parts[2];
            if (!symbols.LookupAll(name).Any(s => s.Address == address && s.NmType == letter))
                mismatches.Add($"{line}: have {string.Join(", ", symbols.LookupAll(name).Select(s => $"{s.Address:x} {s.NmType}"))}");
            // crash names no address below _text: per-cpu offsets and small absolute values.
            if (address < symbols.Crash!.FirstKernelSymbol)
            {
                if (symbols.TryFindByAddress(address, out var below, out _)) mismatches.Add($"{line}: by address gives {below.Name}");
            }
            else if (!symbols.TryFindByAddress(address, out var found, out var offset) || found.Address != address || offset != 0)
                mismatches.Add($"{line}: by address gives {found.Name}+{offset}");
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(20)));
    }

    [FixtureFact]
    public void SortedByAddressIsSystemMapOrder()
    {
        // System.map is `nm -n` filtered: its symbols appear in the same relative order in ours.
        var sorted = FixtureKernel.Vmlinux.Symbols.SortedByAddress;
        // Local symbols may repeat a name at one address (e.g. several "__key.0"): keep each position.
        var positions = new Dictionary<(ulong, string), Queue<int>>();
        for (var i = 0; i < sorted.Count; i++)
        {
            var key = (sorted[i].Address, sorted[i].Name);
            if (!positions.TryGetValue(key, out var queue)) positions[key] = queue = new Queue<int>();
            queue.Enqueue(i);
        }
        var last = -1;
        foreach (var line in File.ReadLines(Fixtures.Path("kernel/System.map")))
        {
            var parts = line.Split(' ');
            var key = (ulong.Parse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture), parts[2]);
            Assert.True(positions.TryGetValue(key, out var queue) && queue.Count > 0, line);
            int p;
            do p = queue.Dequeue(); while (p <= last && queue.Count > 0);
            Assert.True(p > last, $"{line} is out of order");
            last = p;
        }
    }

    [FixtureFact]
    public void LookupByNameFindsKernelSymbols()
    {
        var symbols = FixtureKernel.Vmlinux.Symbols;
        Assert.True(symbols.TryLookup("sysrq_handle_crash", out var s));
        Assert.Equal(0xffffffff8204d940UL - 0xe00000, s.Address);
        Assert.Equal('t', s.NmType);
        Assert.Equal(SymbolKind.Function, s.Kind);
        Assert.False(s.IsGlobal);
        Assert.True(symbols.TryLookup("init_task", out var t));
        Assert.Equal(SymbolKind.Object, t.Kind);
        Assert.True(t.Size > 1000);
        Assert.True(symbols.Count > 40_000);
    }
}
