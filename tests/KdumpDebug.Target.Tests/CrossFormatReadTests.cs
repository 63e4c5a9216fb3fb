using KdumpDebug.Core.Errors;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Target.Tests;

/// <summary>
/// The same 500 kernel text and data addresses, chosen from the symbol table, read through every
/// format of the same crash give identical bytes (the cross-format check).
/// </summary>
public class CrossFormatReadTests
{
    public static IEnumerable<object[]> MultiFormatScenarios() =>
        FixtureTargets.DumpsByScenario.Where(kv => kv.Value.Length > 1).Select(kv => new object[] { kv.Key });

    [FixtureTheory]
    [MemberData(nameof(MultiFormatScenarios))]
    public void Five_hundred_symbol_addresses_read_identically_in_every_format(string scenario)
    {
        var dumps = FixtureTargets.DumpsByScenario[scenario];
        var targets = dumps.Select(FixtureTargets.Open).ToArray();
        try
        {
            var reference = targets[0];
            var candidates = reference.SymbolsByAddress
                .Where(s => s.NmType is 't' or 'T' or 'd' or 'D' or 'r' or 'R' or 'b' or 'B' && s.Size >= 8 && s.Address >= Arch.X86_64.KernelAddressSpace.StartKernelMap) // per-CPU symbols are offsets, not addresses
                .ToArray();
            Assert.True(candidates.Length > 5000);
            var step = candidates.Length / 500;
            var chosen = Enumerable.Range(0, 500).Select(i => candidates[i * step]).ToArray();
            Assert.Contains(chosen, s => s.NmType is 't' or 'T');
            Assert.Contains(chosen, s => s.NmType is 'd' or 'D' or 'b' or 'B');
            var readable = 0;
            foreach (var sym in chosen)
            {
                var len = (int)Math.Min(sym.Size, 64);
                var expected = Read(reference, sym.Address, len);
                for (var i = 1; i < targets.Length; i++)
                {
                    var actual = Read(targets[i], sym.Address, len);
                    if (expected is null && targets[i].Dump.Format == Dump.DumpFormat.Elf)
                    {
                        // makedumpfile -E drops only long runs of filtered pages (a new PT_LOAD after the gap);
                        // a short run stays in its segment with whatever it held. Nothing to compare.
                        continue;
                    }
                    Assert.True(expected is null == actual is null, $"{dumps[i]} {sym.Name}: excluded in one format only");
                    if (expected is not null) Assert.True(expected.AsSpan().SequenceEqual(actual), $"{dumps[i]} {sym.Name} at {sym.Address:x}");
                }
                if (expected is not null) readable++;
            }
            // Kernel text and data are never filtered, except all-zero pages (dump level bit 0).
            Assert.True(readable > 450, $"only {readable} of 500 readable");
        }
        finally
        {
            foreach (var t in targets) t.Dispose();
        }
    }

    static byte[]? Read(KernelTarget target, ulong address, int length)
    {
        var buffer = new byte[length];
        try
        {
            target.ReadVirtual(address, buffer);
            return buffer;
        }
        catch (PageExcludedException)
        {
            return null;
        }
    }
}
