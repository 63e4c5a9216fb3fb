using System.Text.Json;
using KdumpDebug.Target;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Target.Tests;

/// <summary>Opens fixture dumps as KernelTargets (vmlinux unpacked once into the test cache).</summary>
static class FixtureTargets
{
    public static string VmlinuxCache => Path.Combine(Fixtures.CacheDirectory, "vmlinux-cache");

    /// <summary>Every dump file of each scenario, as a relative fixture path (.zst names as stored).</summary>
    public static readonly Dictionary<string, string[]> DumpsByScenario = new()
    {
        ["sysrq"] = ["sysrq/vmcore.kdump-zlib", "sysrq/vmcore.kdump-lzo", "sysrq/vmcore.kdump-raw.zst", "sysrq/vmcore.kdump-zlib.flat", "sysrq/vmcore.elf.zst"],
        ["sysrq-qemu"] = ["sysrq-qemu/vmcore.qemu-kdump-zlib", "sysrq-qemu/vmcore.qemu.elf.zst"],
        ["oops-module"] = ["oops-module/vmcore.kdump-zlib", "oops-module/vmcore.elf.zst"],
        ["sysrq-la57"] = ["sysrq-la57/vmcore.kdump-zlib"],
    };

    public static IEnumerable<object[]> AllDumps() =>
        DumpsByScenario.SelectMany(kv => kv.Value.Select(d => new object[] { kv.Key, d }));

    public static KernelTarget Open(string dumpRelative) =>
        KernelTarget.Open(new TargetOptions(Fixtures.Plain(dumpRelative), Fixtures.Path("kernel/vmlinux.xz"), CacheDirectory: VmlinuxCache));

    public static JsonElement Facts(string scenario) =>
        JsonDocument.Parse(File.ReadAllText(Fixtures.Path($"{scenario}/facts.json"))).RootElement;
}
