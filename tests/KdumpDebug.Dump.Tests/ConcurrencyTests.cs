using KdumpDebug.TestSupport;

namespace KdumpDebug.Dump.Tests;

/// <summary>Reads from several threads through a small page cache return the same bytes as the raw dump.</summary>
public class ConcurrencyTests
{
    [FixtureTheory]
    [InlineData("sysrq/vmcore.kdump-zlib")]
    [InlineData("sysrq/vmcore.kdump-lzo")]
    [InlineData("sysrq-qemu/vmcore.qemu-kdump-zlib")]
    public void Parallel_reads_with_constant_eviction_are_correct(string relative)
    {
        var path = Fixtures.Plain(relative);
        using var dump = DumpOpener.Open(path, cachePages: 8);
        var reference = relative.StartsWith("sysrq-qemu") ? "sysrq-qemu/vmcore.qemu.elf.zst" : "sysrq/vmcore.kdump-raw.zst";
        using var raw = DumpFixtures.Open(reference);
        var pfns = dump.Memory.EnumeratePresentPfns().Take(20000).ToArray();
        Parallel.For(0, 4, worker =>
        {
            var random = new Random(worker);
            var a = new byte[300];
            var b = new byte[300];
            for (var i = 0; i < 3000; i++)
            {
                // Mostly a few hot pages (cache hits), sometimes any page (misses and evictions),
                // at any offset, sometimes across a page boundary.
                var pfn = random.Next(4) == 0 ? pfns[random.Next(pfns.Length)] : pfns[random.Next(16)];
                var address = pfn * 4096 + (ulong)random.Next(4096 - 150);
                var length = random.Next(1, 300);
                if (raw.Memory.GetPageStatus((address + (ulong)length - 1) / 4096) != PageStatus.Present) length = (int)(4096 - address % 4096);
                dump.Memory.Read(address, a.AsSpan(0, length));
                raw.Memory.Read(address, b.AsSpan(0, length));
                Assert.True(a.AsSpan(0, length).SequenceEqual(b.AsSpan(0, length)), $"worker {worker}: {address:x}+{length}");
            }
        });
    }
}
