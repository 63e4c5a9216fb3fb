using KdumpDebug.Dump.IO;
using KdumpDebug.Dump.Kdump;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Dump.Tests;

/// <summary>
/// makedumpfile's flattened format read in place through its record index: the flattened file of a
/// dump reads exactly like the dump, records may come in any order, a later record overwrites an
/// earlier one (as makedumpfile -R replays them), and holes read as zeros.
/// </summary>
public class FlattenedTests
{
    [FixtureFact]
    public void Flat_file_and_plain_file_give_identical_bytes_for_every_page()
    {
        using var plain = DumpFixtures.Open("sysrq/vmcore.kdump-zlib");
        using var flat = DumpFixtures.Open("sysrq/vmcore.kdump-zlib.flat");
        Assert.Equal(DumpFormat.KdumpFlattened, flat.Format);
        KdumpBuilderTests.AssertSameMemory(plain, flat);
        Assert.Equal(plain.Notes.Select(n => (n.Name, n.Type, Convert.ToHexString(n.Descriptor))),
            flat.Notes.Select(n => (n.Name, n.Type, Convert.ToHexString(n.Descriptor))));
        Assert.Equal(plain.KdumpHeader, flat.KdumpHeader);
    }

    [FixtureFact]
    public void Reassembled_flat_file_is_byte_identical_to_the_plain_file()
    {
        // makedumpfile -R would write exactly vmcore.kdump-zlib from vmcore.kdump-zlib.flat.
        var plainBytes = File.ReadAllBytes(Fixtures.Path("sysrq/vmcore.kdump-zlib"));
        using var file = MappedFile.Open(Fixtures.Path("sysrq/vmcore.kdump-zlib.flat"));
        var flat = FlattenedFile.Index(file);
        Assert.Equal(plainBytes.Length, flat.Length);
        var whole = new byte[flat.Length];
        flat.Read(0, whole, "all");
        Assert.True(plainBytes.AsSpan().SequenceEqual(whole));
        Assert.Equal(189, flat.RecordCount);
    }

    [FixtureFact]
    public void Qemu_flattened_dump_indexes_quickly()
    {
        // 14.8 MB, 993 records: the index is built synchronously at open.
        using var file = MappedFile.Open(Fixtures.Path("sysrq-qemu/vmcore.qemu-kdump-zlib"));
        var flat = FlattenedFile.Index(file);
        Assert.Equal(993, flat.RecordCount);
        Assert.True(flat.IndexTime < TimeSpan.FromSeconds(2), $"indexing took {flat.IndexTime}");
    }

    static byte[] SmallDump(out byte[] page)
    {
        page = Enumerable.Range(0, 4096).Select(i => (byte)(i ^ (i >> 8))).ToArray();
        return new KdumpBuilder { MaxMapnr = 64, VmcoreInfo = "OSRELEASE=test\n" }
            .AddPage(1, page, 0).AddPage(2, page.Reverse().ToArray(), 0).AddPage(40, page, 0).AddExcludedPage(3)
            .Build();
    }

    static IDumpFile OpenBytes(byte[] bytes, string name = "vmcore.flat")
    {
        var path = Path.Combine(Fixtures.NewTempDirectory(), name);
        File.WriteAllBytes(path, bytes);
        return DumpOpener.Open(path);
    }

    [Fact]
    public void Records_in_reverse_order_read_like_the_file()
    {
        var kdump = SmallDump(out var page);
        using var flat = OpenBytes(KdumpBuilder.Flatten(KdumpBuilder.Chunks(kdump, 1000).Reverse()));
        Assert.Equal(DumpFormat.KdumpFlattened, flat.Format);
        using var plain = OpenBytes(kdump, "vmcore.plain");
        KdumpBuilderTests.AssertSameMemory(plain, flat);
        var b = new byte[4096];
        flat.Memory.Read(40 * 4096, b);
        Assert.Equal(page, b);
        Assert.Equal("OSRELEASE=test\n", flat.VmcoreInfo);
    }

    [Fact]
    public void A_later_record_overwrites_an_earlier_one()
    {
        var kdump = SmallDump(out _);
        var garbage = new byte[8192];
        Array.Fill(garbage, (byte)0xee);
        // The first 8 KiB (header and sub header) is written as garbage first, then correctly.
        var records = new List<(long, byte[])> { (0, garbage) };
        records.AddRange(KdumpBuilder.Chunks(kdump, 3000));
        records.Add((4096 * 2 + 10, garbage[..100])); // and a stray write into the bitmap block...
        records.Add((4096 * 2, kdump[(4096 * 2)..(4096 * 3)])); // ...undone by the next record
        using var flat = OpenBytes(KdumpBuilder.Flatten(records));
        using var plain = OpenBytes(kdump, "vmcore.plain");
        KdumpBuilderTests.AssertSameMemory(plain, flat);
    }

    [Fact]
    public void Bytes_no_record_covers_read_as_zeros()
    {
        var kdump = SmallDump(out _);
        // Leave out the zero bytes between the disk_dump_header and the sub header, as makedumpfile
        // does (it writes the header struct, not the whole block).
        var records = KdumpBuilder.Chunks(kdump, 512).Where(r => r.Offset < 512 || r.Offset >= 4096 || r.Data.Any(x => x != 0));
        using var file = MappedFile.Open(WriteTemp(KdumpBuilder.Flatten(records)));
        var flat = FlattenedFile.Index(file);
        var all = new byte[flat.Length];
        flat.Read(0, all, "all");
        Assert.Equal(kdump, all);
        Assert.False(flat.TryGetSpan(1000, 10, out _)); // inside a hole
        Assert.True(flat.TryGetSpan(10, 10, out var span));
        Assert.Equal(kdump.AsSpan(10, 10).ToArray(), span.ToArray());
    }

    static string WriteTemp(byte[] bytes)
    {
        var path = Path.Combine(Fixtures.NewTempDirectory(), "x.flat");
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
