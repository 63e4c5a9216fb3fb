using System.IO.Compression;
using KdumpDebug.Core.Errors;
using KdumpDebug.TestSupport;
using ZstdSharp;

namespace KdumpDebug.Dump.Tests;

/// <summary>
/// The real sysrq dump re-encoded by <see cref="KdumpBuilder"/> with the compressions makedumpfile
/// 1.7.2 on Debian cannot write (snappy, zstd), and zlib, mixed with raw pages, reads back identical
/// to the uncompressed original on every page.
/// </summary>
public class KdumpBuilderTests
{
    const uint Zlib = 0x1, Snappy = 0x4, Zstd = 0x20;

    static byte[] Compress(uint method, byte[] page) => method switch
    {
        Snappy => Snappier.Snappy.CompressToArray(page),
        Zstd => new Compressor(3).Wrap(page).ToArray(),
        Zlib => ZlibCompress(page),
        _ => throw new ArgumentOutOfRangeException(nameof(method)),
    };

    static byte[] ZlibCompress(byte[] page)
    {
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Fastest, leaveOpen: true)) z.Write(page);
        return ms.ToArray();
    }

    /// <summary>
    /// Rebuilds <paramref name="source"/>: every third page raw, the others compressed with
    /// <paramref name="method"/> unless that does not make them smaller (makedumpfile's rule), the
    /// excluded pages excluded, and the notes and VMCOREINFO copied.
    /// </summary>
    static (byte[] File, int Compressed, int Raw) Reencode(IDumpFile source, uint method)
    {
        var notes = source.Notes.SelectMany(n => KdumpBuilder.Note(n.Name, n.Type, n.Descriptor)).ToArray();
        var builder = new KdumpBuilder
        {
            MaxMapnr = source.Memory.MaxPfn,
            Status = method,
            DumpLevel = source.DumpLevel ?? 0,
            NrCpus = source.CpuRegisters.Count,
            Notes = notes,
            VmcoreInfo = source.VmcoreInfo,
        };
        int compressed = 0, raw = 0;
        var page = new byte[4096];
        for (ulong pfn = 0; pfn < source.Memory.MaxPfn; pfn++)
        {
            switch (source.Memory.GetPageStatus(pfn))
            {
                case PageStatus.Present:
                    source.Memory.Read(pfn * 4096, page);
                    var packed = pfn % 3 == 0 ? page : Compress(method, page);
                    if (packed.Length < page.Length) { builder.AddPage(pfn, packed, method); compressed++; }
                    else { builder.AddPage(pfn, page, 0); raw++; }
                    break;
                case PageStatus.Excluded:
                    builder.AddExcludedPage(pfn);
                    break;
            }
        }
        return (builder.Build(), compressed, raw);
    }

    [FixtureTheory]
    [InlineData(Snappy, "snappy")]
    [InlineData(Zstd, "zstd")]
    [InlineData(Zlib, "zlib")]
    public void Reencoded_sysrq_dump_reads_back_identical_on_every_page(uint method, string name)
    {
        using var raw = DumpFixtures.Open("sysrq/vmcore.kdump-raw.zst");
        var (file, compressed, rawPages) = Reencode(raw, method);
        Assert.True(compressed > 3000 && rawPages > 2000, $"{compressed} compressed, {rawPages} raw");
        var path = Path.Combine(Fixtures.NewTempDirectory(), "vmcore." + name);
        File.WriteAllBytes(path, file);

        using var rebuilt = DumpOpener.Open(path);
        Assert.Equal($"kdump-compressed ({name})", rebuilt.Description);
        Assert.Equal(raw.VmcoreInfo, rebuilt.VmcoreInfo);
        Assert.Equal(raw.CpuRegisters.Select(c => c.Registers["rip"]), rebuilt.CpuRegisters.Select(c => c.Registers["rip"]));
        AssertSameMemory(raw, rebuilt);
    }

    internal static void AssertSameMemory(IDumpFile expected, IDumpFile actual)
    {
        Assert.Equal(expected.Memory.MaxPfn, actual.Memory.MaxPfn);
        var a = new byte[4096];
        var b = new byte[4096];
        var present = 0;
        for (ulong pfn = 0; pfn < expected.Memory.MaxPfn; pfn++)
        {
            var status = expected.Memory.GetPageStatus(pfn);
            Assert.Equal(status, actual.Memory.GetPageStatus(pfn));
            if (status == PageStatus.Excluded)
                Assert.Throws<PageExcludedException>(() => actual.Memory.Read(pfn * 4096, b));
            if (status != PageStatus.Present) continue;
            expected.Memory.Read(pfn * 4096, a);
            actual.Memory.Read(pfn * 4096, b);
            if (!a.AsSpan().SequenceEqual(b)) Assert.Fail($"PFN {pfn:x} differs");
            present++;
        }
        Assert.Equal(expected.Memory.EnumeratePresentPfns().Count(), present);
    }

    [Fact]
    public void Built_file_reports_excluded_present_and_absent_pages()
    {
        var page = Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray();
        var builder = new KdumpBuilder { MaxMapnr = 100, Status = Zstd, DumpLevel = 17 }
            .AddPage(3, page, 0)
            .AddPage(64, Compress(Zstd, page), Zstd)
            .AddExcludedPage(4);
        var path = Path.Combine(Fixtures.NewTempDirectory(), "small.kdump");
        File.WriteAllBytes(path, builder.Build());
        using var dump = DumpOpener.Open(path);
        Assert.Equal([3UL, 64UL], dump.Memory.EnumeratePresentPfns());
        Assert.Equal(PageStatus.Excluded, dump.Memory.GetPageStatus(4));
        Assert.Equal(PageStatus.NotInDump, dump.Memory.GetPageStatus(5));
        Assert.Equal(PageStatus.NotInDump, dump.Memory.GetPageStatus(100));
        var ex = Assert.Throws<PageExcludedException>(() => dump.Memory.Read(4 * 4096 + 10, new byte[4]));
        Assert.Equal("page excluded: PFN 4 (dump level 17)", ex.Message);
        var fault = Assert.Throws<FaultException>(() => dump.Memory.Read(5 * 4096, new byte[4]));
        Assert.Equal("physical address not in dump: 5000", fault.Message);
        // A read across the end of a page continues on the next one, only if that one is present.
        Assert.Throws<PageExcludedException>(() => dump.Memory.Read(3 * 4096 + 4090, new byte[10]));
        var buf = new byte[4096];
        dump.Memory.Read(64 * 4096, buf);
        Assert.Equal(page, buf);
        dump.Memory.Read(3 * 4096 + 100, buf.AsSpan(0, 50));
        Assert.Equal(page.AsSpan(100, 50).ToArray(), buf.AsSpan(0, 50).ToArray());
        Assert.True(dump.IsPartial);
        Assert.Empty(dump.Notes);
        Assert.Null(dump.VmcoreInfo);
    }

    [Fact]
    public void Diskdump_signature_is_read_without_a_sub_header()
    {
        var page = new byte[4096];
        page[0] = 0x5a;
        var builder = new KdumpBuilder { MaxMapnr = 16, Signature = "DISKDUMP", HeaderVersion = 0 }.AddPage(2, page, 0).AddExcludedPage(3);
        var path = Path.Combine(Fixtures.NewTempDirectory(), "old.diskdump");
        File.WriteAllBytes(path, builder.Build());
        using var dump = DumpOpener.Open(path);
        Assert.Equal("DISKDUMP", dump.KdumpHeader!.Signature);
        Assert.Null(dump.DumpLevel);
        Assert.False(dump.IsPartial);
        var b = new byte[1];
        dump.Memory.Read(2 * 4096, b);
        Assert.Equal(0x5a, b[0]);
        Assert.Equal("page excluded: PFN 3", Assert.Throws<PageExcludedException>(() => dump.Memory.Read(3 * 4096, b)).Message);
    }
}
