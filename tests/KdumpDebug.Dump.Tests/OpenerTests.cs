using KdumpDebug.Core.Errors;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Dump.Tests;

/// <summary>What a user sees when the path given is not a vmcore at all.</summary>
public class OpenerTests
{
    static KdumpDebugException AssertOneLine(Action action, string path, string text)
    {
        var ex = Assert.ThrowsAny<KdumpDebugException>(action);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.StartsWith(path + ": ", ex.Message);
        Assert.Contains(text, ex.Message);
        return ex;
    }

    [Fact]
    public void Missing_file()
    {
        var path = Path.Combine(Fixtures.NewTempDirectory(), "no-such-vmcore");
        AssertOneLine(() => DumpOpener.Open(path), path, "cannot open: no such file");
    }

    [Fact]
    public void Directory_instead_of_a_file()
    {
        var path = Fixtures.NewTempDirectory();
        AssertOneLine(() => DumpOpener.Open(path), path, "is a directory");
    }

    [Fact]
    public void Empty_file()
    {
        var path = Path.Combine(Fixtures.NewTempDirectory(), "empty");
        File.WriteAllBytes(path, []);
        AssertOneLine(() => DumpOpener.Open(path), path, "the file is empty");
    }

    [Theory]
    [InlineData("hello, this is not a dump\n", "not a vmcore (starts with 68656c6c6f2c2074")]
    [InlineData("x", "not a vmcore (starts with 78;")]
    public void Unknown_format(string content, string text)
    {
        var path = Path.Combine(Fixtures.NewTempDirectory(), "notes.txt");
        File.WriteAllText(path, content);
        AssertOneLine(() => DumpOpener.Open(path), path, text);
    }

    [FixtureFact]
    public void Compressed_fixture_is_refused_with_a_hint()
    {
        var path = Fixtures.Path("sysrq/vmcore.elf.zst");
        AssertOneLine(() => DumpOpener.Open(path), path, "it is zstd-compressed, unpack it first");
    }

    [Fact]
    public void Truncated_elf_header()
    {
        var path = Path.Combine(Fixtures.NewTempDirectory(), "short.elf");
        File.WriteAllBytes(path, [0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1]);
        AssertOneLine(() => DumpOpener.Open(path), path, "Elf64_Ehdr at offset 0x0: 64 bytes needed but the file ends at 0x7");
    }

    [Fact]
    public void Kdump_signature_alone()
    {
        var path = Path.Combine(Fixtures.NewTempDirectory(), "short.kdump");
        File.WriteAllBytes(path, "KDUMP   \x06\0\0\0"u8.ToArray());
        AssertOneLine(() => DumpOpener.Open(path), path, "disk_dump_header at offset 0x0: the file has 12 bytes, the header needs 464: truncated");
    }

    [FixtureFact]
    public void Opened_file_is_not_locked_for_other_readers()
    {
        var path = Fixtures.Path("sysrq/vmcore.kdump-zlib");
        using var a = DumpOpener.Open(path);
        using var b = DumpOpener.Open(path);
        using var stream = File.OpenRead(path);
        Assert.Equal(a.Memory.MaxPfn, b.Memory.MaxPfn);
    }

    [FixtureTheory]
    [InlineData("sysrq/vmcore.kdump-zlib")]
    [InlineData("sysrq/vmcore.elf.zst")]
    public void Reading_after_dispose_throws_instead_of_touching_the_unmapped_file(string relative)
    {
        var dump = DumpFixtures.Open(relative);
        var pfn = dump.Memory.EnumeratePresentPfns().First();
        dump.Dispose();
        Assert.Throws<ObjectDisposedException>(() => dump.Memory.Read(pfn * 4096, new byte[8]));
        dump.Dispose(); // twice is harmless
    }
}
