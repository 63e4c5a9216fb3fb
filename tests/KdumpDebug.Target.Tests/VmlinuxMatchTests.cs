using KdumpDebug.Core.Errors;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Target.Tests;

public class VmlinuxMatchTests
{
    [Fact]
    public void Vmcoreinfo_parses_symbols_numbers_and_offsets()
    {
        var info = VmcoreInfo.Parse("OSRELEASE=6.1.0\nBUILD-ID=ABCDEF\nSYMBOL(init_top_pgt)=ffffffff8280a000\nNUMBER(phys_base)=62914560\nKERNELOFFSET=e00000\nOFFSET(uts_namespace.name)=0\nCRASHTIME=1795686890\n");
        Assert.Equal("6.1.0", info.OsRelease);
        Assert.Equal("abcdef", info.BuildId);
        Assert.True(info.TryGetSymbol("init_top_pgt", out var a));
        Assert.Equal(0xffffffff8280a000UL, a);
        Assert.True(info.TryGetNumber("phys_base", out var n));
        Assert.Equal(62914560, n);
        Assert.Equal(0xe00000UL, info.KernelOffset);
        Assert.True(info.TryGetOffset("uts_namespace.name", out var o));
        Assert.Equal(0, o);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 9, 54, 50, TimeSpan.Zero), info.CrashTime);
        Assert.False(info.TryGetSymbol("nope", out _));
    }

    [FixtureFact]
    public void A_vmlinux_of_another_build_is_refused_naming_the_build_id()
    {
        // The lkdtm module is an ELF with a different build-id: a wrong "vmlinux".
        var dir = Fixtures.NewTempDirectory();
        var ko = KdumpDebug.Debuginfo.DebugFileCache.Materialize(Fixtures.Path("kernel/lkdtm.ko.xz"), dir);
        var e = Assert.Throws<KdumpDebugException>(() =>
            KernelTarget.Open(new TargetOptions(Fixtures.Path("sysrq/vmcore.kdump-zlib"), ko, CacheDirectory: dir)));
        Assert.StartsWith("vmlinux and vmcore do not match!", e.Message);
        Assert.Contains("build-id", e.Message);
        Assert.Contains("5dea1542984f3483a36a4aab66b7c1727255e9fa", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public void Locator_searches_build_id_and_release_paths_in_the_given_folders()
    {
        var dir = Fixtures.NewTempDirectory();
        var byId = Path.Combine(dir, ".build-id", "5d", "ea1542.debug");
        Directory.CreateDirectory(Path.GetDirectoryName(byId)!);
        File.WriteAllText(byId, "x");
        Assert.Equal(byId, VmlinuxLocator.Find("6.1.0-x", "5dea1542", [dir]));
        File.Delete(byId);
        var byRelease = Path.Combine(dir, "boot", "vmlinux-6.1.0-x");
        Directory.CreateDirectory(Path.GetDirectoryName(byRelease)!);
        File.WriteAllText(byRelease + ".xz", "x");
        Assert.Equal(byRelease + ".xz", VmlinuxLocator.Find("6.1.0-x", "5dea1542", [dir]));
    }
}
