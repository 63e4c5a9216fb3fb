using System.Diagnostics;
using System.IO.Compression;
using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Elf;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Debuginfo.Tests;

public class DebugFileCacheTests
{
    static byte[] SmallElf(byte id = 0xab)
    {
        var b = new ElfBuilder();
        b.AddSection(".text", ElfBuilder.ShtProgbits, ElfBuilder.ShfAlloc | ElfBuilder.ShfExecinstr, new byte[4096], 0xffffffff81000000);
        b.AddBuildId([id, 0x01, 0x02, 0x03]);
        return b.Build();
    }

    [Fact]
    public void AnUncompressedElfIsUsedInPlace()
    {
        var dir = Fixtures.NewTempDirectory();
        var path = Path.Combine(dir, "vmlinux");
        File.WriteAllBytes(path, SmallElf());
        Assert.Equal(path, DebugFileCache.Materialize(path, Path.Combine(dir, "cache")));
        Assert.False(Directory.Exists(Path.Combine(dir, "cache")));
    }

    [Theory]
    [InlineData("vmlinux.zst", "vmlinux")]
    [InlineData("vmlinux.gz", "vmlinux")]
    [InlineData("vmlinux-6.1.bin", "vmlinux-6.1.bin.unpacked")] // detected by magic, not extension
    public void CompressedFilesRoundTripIntoTheBuildIdFolder(string name, string plainName)
    {
        var dir = Fixtures.NewTempDirectory();
        var elf = SmallElf();
        var path = Path.Combine(dir, name);
        if (name.EndsWith(".gz", StringComparison.Ordinal))
        {
            using var output = File.Create(path);
            using var gz = new GZipStream(output, CompressionLevel.Fastest);
            gz.Write(elf);
        }
        else
        {
            using var c = new ZstdSharp.Compressor(3);
            File.WriteAllBytes(path, c.Wrap(elf).ToArray());
        }
        var cache = Path.Combine(dir, "cache");

        var plain = DebugFileCache.Materialize(path, cache);
        Assert.Equal(Path.Combine(cache, "ab010203", plainName), plain);
        Assert.Equal(elf, File.ReadAllBytes(plain));
        Assert.Single(Directory.GetFiles(Path.Combine(cache, "keys")));
        Assert.Empty(Directory.GetFiles(cache)); // no temporary files left behind

        var again = DebugFileCache.Materialize(path, cache);
        Assert.Equal(plain, again);
        using var opened = ElfFile.Open(again);
        Assert.Equal("ab010203", opened.BuildId);
    }

    [Fact]
    public void AChangedArchiveIsUnpackedAgain()
    {
        var dir = Fixtures.NewTempDirectory();
        var path = Path.Combine(dir, "vmlinux.zst");
        var cache = Path.Combine(dir, "cache");
        using (var c = new ZstdSharp.Compressor(3)) File.WriteAllBytes(path, c.Wrap(SmallElf(0x11)).ToArray());
        var first = DebugFileCache.Materialize(path, cache);
        using (var c = new ZstdSharp.Compressor(3)) File.WriteAllBytes(path, c.Wrap(SmallElf(0x22)).ToArray());
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        var second = DebugFileCache.Materialize(path, cache);
        Assert.Contains("11010203", first);
        Assert.Contains("22010203", second);
    }

    [Fact]
    public void UnknownContentIsAOneLineError()
    {
        var dir = Fixtures.NewTempDirectory();
        var path = Path.Combine(dir, "vmlinux.xz");
        File.WriteAllText(path, "this is not compressed at all");
        var e = Assert.Throws<DumpFormatException>(() => DebugFileCache.Materialize(path, Path.Combine(dir, "cache")));
        Assert.StartsWith(path + ": magic", e.Message);
    }

    [Fact]
    public void AMissingFileIsAOneLineError()
    {
        var path = Path.Combine(Fixtures.NewTempDirectory(), "nope.xz");
        var e = Assert.Throws<KdumpDebug.Core.Errors.KdumpDebugException>(() => DebugFileCache.Materialize(path));
        Assert.Equal($"{path}: no such file", e.Message);
    }

    [Fact]
    public void ACompressedNonElfIsRejected()
    {
        var dir = Fixtures.NewTempDirectory();
        var path = Path.Combine(dir, "vmlinux.zst");
        using (var c = new ZstdSharp.Compressor(3)) File.WriteAllBytes(path, c.Wrap(new byte[5000]).ToArray());
        var e = Assert.Throws<DumpFormatException>(() => DebugFileCache.Materialize(path, Path.Combine(dir, "cache")));
        Assert.StartsWith(path + ": zstd content", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void ATruncatedZstdOrGzipArchiveIsAnErrorNamingTheFile()
    {
        var dir = Fixtures.NewTempDirectory();
        var elf = SmallElf();
        byte[] zst;
        using (var c = new ZstdSharp.Compressor(3)) zst = c.Wrap(elf).ToArray();
        var gzStream = new MemoryStream();
        using (var gz = new GZipStream(gzStream, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(elf);
        foreach (var (name, bytes) in new[] { ("v.zst", zst), ("v.gz", gzStream.ToArray()) })
        {
            var path = Path.Combine(dir, name);
            File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
            var e = Assert.Throws<DumpFormatException>(() => DebugFileCache.Materialize(path, Path.Combine(dir, "cache")));
            Assert.StartsWith(path + ": ", e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
        Assert.Empty(Directory.GetFiles(Path.Combine(dir, "cache")));
    }

    [FixtureFact]
    public void TheFixtureVmlinuxXzIsUnpackedOnceAndFoundAgainQuickly()
    {
        var plain = DebugFileCache.Materialize(Fixtures.Path("kernel/vmlinux.xz"), FixtureKernel.CacheDirectory);
        Assert.Equal(Path.Combine(FixtureKernel.CacheDirectory, "5dea1542984f3483a36a4aab66b7c1727255e9fa", "vmlinux"), plain);
        var watch = Stopwatch.StartNew();
        var again = DebugFileCache.Materialize(Fixtures.Path("kernel/vmlinux.xz"), FixtureKernel.CacheDirectory);
        watch.Stop();
        Assert.Equal(plain, again);
        Assert.True(watch.ElapsedMilliseconds < 1000, $"second Materialize took {watch.ElapsedMilliseconds} ms");
    }

    [FixtureFact]
    public void ATruncatedXzArchiveIsAnErrorNamingTheFile()
    {
        var dir = Fixtures.NewTempDirectory();
        var bytes = File.ReadAllBytes(Fixtures.Path("kernel/lkdtm.ko.xz"));
        var path = Path.Combine(dir, "lkdtm.ko.xz");
        File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);
        var e = Assert.Throws<DumpFormatException>(() => DebugFileCache.Materialize(path, Path.Combine(dir, "cache")));
        Assert.StartsWith(path + ": xz", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
