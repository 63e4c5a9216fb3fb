using KdumpDebug.Target.Modules;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Target.Tests;

/// <summary>
/// The module list read from the dump with struct layouts from DWARF: crash's `mod` golden
/// (oops-module/crash/mod.txt) gives the struct module address, base and size of lkdtm.
/// </summary>
public class ModuleTests
{
    static KernelTarget OpenOops(bool withModules) => KernelTarget.Open(new TargetOptions(
        Fixtures.Plain("oops-module/vmcore.kdump-zlib"), Fixtures.Path("kernel/vmlinux.xz"),
        ModuleDirectories: withModules ? [Fixtures.Path("kernel")] : null,
        CacheDirectory: FixtureTargets.VmlinuxCache));

    [FixtureFact]
    public void Lkdtm_is_listed_with_crash_s_module_address_base_and_size()
    {
        using var target = OpenOops(withModules: false);
        var golden = Fixtures.ReadText("oops-module/crash/mod.txt").Split('\n')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var module = Assert.Single(target.Modules.Modules);
        Assert.Empty(target.Modules.Problems);
        Assert.Equal("lkdtm", module.Name);
        Assert.Equal(golden[0], module.StructAddress.ToString("x"));
        Assert.Equal(golden[2], module.BaseAddress.ToString("x"));
        Assert.Equal(golden[3], module.Size.ToString());
        Assert.Contains(module.Symbols, s => s.Name == "lkdtm_EXCEPTION" && s.NmType == 't' && s.Module == "lkdtm");
        Assert.Null(module.Lines);
    }

    [FixtureFact]
    public void Module_symbols_resolve_both_ways_and_the_ko_gives_source_lines()
    {
        using var target = OpenOops(withModules: true);
        Assert.True(target.TryLookupSymbol("lkdtm_EXCEPTION", out var sym));
        Assert.Equal(0xffffffffc00d6250UL, sym.Address); // crash/sym-crashfn.txt
        Assert.True(target.TryFindSymbol(sym.Address + 5, out var found, out var offset));
        Assert.Equal(("lkdtm_EXCEPTION", 5UL), (found.Name, offset));
        Assert.True(target.TryFindSourceLine(sym.Address, out var file, out var line));
        Assert.Equal(("./drivers/misc/lkdtm/bugs.c", 95), (file, line));
        Assert.NotNull(target.Modules.Modules[0].DebugFile);
    }

    [FixtureFact]
    public void A_dump_without_modules_has_an_empty_module_set()
    {
        using var target = FixtureTargets.Open("sysrq/vmcore.kdump-zlib");
        Assert.Empty(target.Modules.Modules);
        Assert.Empty(target.Modules.Problems);
    }
}
