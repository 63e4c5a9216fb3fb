using System.Collections.Concurrent;
using System.Text.Json;
using KdumpDebug.Target;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Commands.Tests.RealDump;

/// <summary>
/// The scenario dumps crash's goldens were made from, opened once per test run and shared
/// (KernelTarget is thread-safe for reads). The vmlinux is unpacked once into the test cache;
/// lkdtm.ko is offered as module debug info, as crash was given it with <c>mod -s</c>.
/// </summary>
static class FixtureDumps
{
    static readonly ConcurrentDictionary<string, Lazy<KernelTarget>> Targets = new();

    public static string VmlinuxCache => Path.Combine(Fixtures.CacheDirectory, "vmlinux-cache");

    /// <summary>facts.json "main_dump": the file crash ran on (sysrq-qemu: the QEMU flattened dump).</summary>
    public static string MainDump(string scenario) =>
        JsonDocument.Parse(File.ReadAllText(Fixtures.Path($"{scenario}/facts.json"))).RootElement.GetProperty("main_dump").GetString()!;

    public static KernelTarget Open(string scenario) => OpenDump($"{scenario}/{MainDump(scenario)}");

    /// <summary>Every dump file of each scenario (the .zst ones as stored; unpacked on open).</summary>
    public static readonly Dictionary<string, string[]> AllDumps = new()
    {
        ["sysrq"] = ["vmcore.kdump-zlib", "vmcore.kdump-lzo", "vmcore.kdump-raw.zst", "vmcore.kdump-zlib.flat", "vmcore.elf.zst"],
        ["sysrq-qemu"] = ["vmcore.qemu-kdump-zlib", "vmcore.qemu.elf.zst"],
        ["oops-module"] = ["vmcore.kdump-zlib", "vmcore.elf.zst"],
        ["sysrq-la57"] = ["vmcore.kdump-zlib"],
    };

    /// <summary>A fixture dump (path relative to the fixtures, e.g. "sysrq/vmcore.elf.zst"), opened once.</summary>
    public static KernelTarget OpenDump(string relative) =>
        Targets.GetOrAdd(relative, r => new Lazy<KernelTarget>(() => KernelTarget.Open(new TargetOptions(
            Fixtures.Plain(r),
            Fixtures.Path("kernel/vmlinux.xz"),
            ModuleDirectories: [Fixtures.Path("kernel")],
            CacheDirectory: VmlinuxCache)))).Value;
}
