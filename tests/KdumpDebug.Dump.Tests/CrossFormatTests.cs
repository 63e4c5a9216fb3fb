using KdumpDebug.Core.Errors;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Dump.Tests;

/// <summary>
/// The same crash saved in several formats gives the same physical memory, page by page. The zlib
/// kdump file is the reference; the other kdump encodings must agree exactly (same bitmaps, same
/// bytes). The ELF files differ only where the formats do (see ElfPhysicalMemory): makedumpfile -E
/// treats zero pages as excluded where a kdump file keeps them as a shared zero page, and writes
/// short runs of excluded pages with their contents.
/// </summary>
public class CrossFormatTests
{
    [FixtureTheory]
    [InlineData("sysrq/vmcore.kdump-lzo")]
    [InlineData("sysrq/vmcore.kdump-raw.zst")]
    [InlineData("sysrq/vmcore.kdump-zlib.flat")]
    public void Kdump_encodings_of_sysrq_agree_on_every_page(string other)
    {
        using var reference = DumpFixtures.Open("sysrq/vmcore.kdump-zlib");
        using var dump = DumpFixtures.Open(other);
        Assert.Equal(reference.Memory.MaxPfn, dump.Memory.MaxPfn);
        var a = new byte[4096];
        var b = new byte[4096];
        var counts = new Dictionary<PageStatus, int>();
        for (ulong pfn = 0; pfn < reference.Memory.MaxPfn; pfn++)
        {
            var status = reference.Memory.GetPageStatus(pfn);
            Assert.Equal(status, dump.Memory.GetPageStatus(pfn));
            counts[status] = counts.GetValueOrDefault(status) + 1;
            if (status == PageStatus.Present)
            {
                reference.Memory.Read(pfn * 4096, a);
                dump.Memory.Read(pfn * 4096, b);
                if (!a.AsSpan().SequenceEqual(b)) Assert.Fail($"PFN {pfn:x} differs in {other}");
            }
            else if (status == PageStatus.Excluded)
            {
                var ex = Assert.Throws<PageExcludedException>(() => dump.Memory.Read(pfn * 4096 + 8, b.AsSpan(0, 8)));
                Assert.Equal(pfn, ex.Pfn);
                Assert.Equal(31, ex.DumpLevel);
            }
        }
        // The bitmaps of this dump: 57211 RAM pages, 6601 of them dumped (1039 of those are zero
        // pages sharing one data block, makedumpfile.log's "Pages filled with zero: 0x40f").
        Assert.Equal(6601, counts[PageStatus.Present]);
        Assert.Equal(57211 - 6601, counts[PageStatus.Excluded]);
    }

    [FixtureTheory]
    [InlineData("sysrq/vmcore.kdump-zlib", "sysrq/vmcore.elf.zst")]
    [InlineData("oops-module/vmcore.kdump-zlib", "oops-module/vmcore.elf.zst")]
    public void Makedumpfile_elf_agrees_with_kdump_on_every_dumped_page(string kdumpPath, string elfPath)
    {
        using var kdump = DumpFixtures.Open(kdumpPath);
        using var elf = DumpFixtures.Open(elfPath);
        Assert.Equal(kdump.Memory.MaxPfn, elf.Memory.MaxPfn);
        var a = new byte[4096];
        var b = new byte[4096];
        int same = 0, zeroExcludedInElf = 0, excludedInKdumpOnly = 0, partialPages = 0;
        for (ulong pfn = 0; pfn < kdump.Memory.MaxPfn; pfn++)
        {
            var k = kdump.Memory.GetPageStatus(pfn);
            var e = elf.Memory.GetPageStatus(pfn);
            switch (k)
            {
                case PageStatus.Present:
                    kdump.Memory.Read(pfn * 4096, a);
                    if (e == PageStatus.Present)
                    {
                        elf.Memory.Read(pfn * 4096, b);
                        if (!a.AsSpan().SequenceEqual(b)) Assert.Fail($"PFN {pfn:x} differs between {kdumpPath} and {elfPath}");
                        same++;
                    }
                    else
                    {
                        // Only a zero page may be in the kdump file and not in the ELF.
                        Assert.Equal(PageStatus.Excluded, e);
                        Assert.True(a.AsSpan().IndexOfAnyExcept((byte)0) < 0, $"PFN {pfn:x}: non-zero page excluded from the ELF");
                        Assert.Throws<PageExcludedException>(() => elf.Memory.Read(pfn * 4096, b));
                        zeroExcludedInElf++;
                    }
                    break;
                case PageStatus.Excluded:
                    // RAM in both; the ELF either left it out or wrote it (runs under 256 pages).
                    Assert.NotEqual(PageStatus.NotInDump, e);
                    excludedInKdumpOnly += e == PageStatus.Present ? 1 : 0;
                    break;
                case PageStatus.NotInDump:
                    // Not RAM for makedumpfile's bitmaps, except a page RAM only partly covers:
                    // /proc/vmcore's segment ends at 0x9fc00, so in the ELF the first 3 KiB of
                    // PFN 9f are RAM (excluded) and the rest is not in the dump.
                    if (e != PageStatus.NotInDump)
                    {
                        Assert.Equal(PageStatus.Excluded, e);
                        Assert.Throws<FaultException>(() => elf.Memory.Read(pfn * 4096 + 4095, b.AsSpan(0, 1)));
                        partialPages++;
                    }
                    break;
            }
        }
        Assert.Equal(kdump.Memory.EnumeratePresentPfns().Count(), same + zeroExcludedInElf);
        Assert.True(same > 6000, $"only {same} pages compared");
        Assert.True(excludedInKdumpOnly > 0, "expected short excluded runs written into the ELF");
        Assert.Equal(1, partialPages);
    }

    [FixtureFact]
    public void Qemu_flattened_kdump_and_qemu_elf_have_the_same_memory()
    {
        using var kdump = DumpFixtures.Open("sysrq-qemu/vmcore.qemu-kdump-zlib");
        using var elf = DumpFixtures.Open("sysrq-qemu/vmcore.qemu.elf.zst");
        Assert.Equal(kdump.Memory.MaxPfn, elf.Memory.MaxPfn);
        Assert.Equal(elf.Memory.EnumeratePresentPfns(), kdump.Memory.EnumeratePresentPfns());
        var a = new byte[4096];
        var b = new byte[4096];
        var compared = 0;
        foreach (var pfn in elf.Memory.EnumeratePresentPfns())
        {
            kdump.Memory.Read(pfn * 4096, a);
            elf.Memory.Read(pfn * 4096, b);
            if (!a.AsSpan().SequenceEqual(b)) Assert.Fail($"PFN {pfn:x} differs between the QEMU kdump and ELF dumps");
            compared++;
        }
        Assert.Equal(81984, compared);
        // No filtering (QEMU has no dump level filter): nothing is excluded in either.
        Assert.DoesNotContain(Enumerable.Range(0, 0x14000).Select(p => kdump.Memory.GetPageStatus((ulong)p)), s => s == PageStatus.Excluded);
    }

    [FixtureFact]
    public void Bulk_reader_returns_every_present_page_once_in_order()
    {
        using var zlib = DumpFixtures.Open("sysrq/vmcore.kdump-zlib");
        using var raw = DumpFixtures.Open("sysrq/vmcore.kdump-raw.zst");
        var expected = new Dictionary<ulong, byte[]>();
        DumpPageReader.ReadAllPresentPages(raw, (pfn, data) => expected[pfn] = data.ToArray());
        ulong last = 0;
        var seen = 0;
        var totals = DumpPageReader.ReadAllPresentPages(zlib, (pfn, data) =>
        {
            Assert.True(seen == 0 || pfn > last);
            last = pfn;
            seen++;
            Assert.True(data.SequenceEqual(expected[pfn]), $"PFN {pfn:x}");
        });
        Assert.Equal(6601, totals.Pages);
        Assert.Equal(6601L * 4096, totals.Bytes);
        Assert.Equal(6601, expected.Count);
    }

    [FixtureFact]
    public void Bulk_reader_on_elf_passes_partial_pages_with_the_bytes_they_have()
    {
        using var elf = DumpFixtures.Open("sysrq/vmcore.elf.zst");
        long bytes = 0;
        var totals = DumpPageReader.ReadAllPresentPages(elf, (pfn, data) => bytes += data.Length);
        Assert.Equal(totals.Bytes, bytes);
        Assert.Equal(elf.Memory.EnumeratePresentPfns().Count(), totals.Pages);
        Assert.True(totals.Bytes <= totals.Pages * 4096);
    }
}
