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

    public static KernelTarget Open(string scenario) =>
        Targets.GetOrAdd(scenario, s => new Lazy<KernelTarget>(() => KernelTarget.Open(new TargetOptions(
            Fixtures.Plain($"{s}/{MainDump(s)}"),
            Fixtures.Path("kernel/vmlinux.xz"),
            ModuleDirectories: [Fixtures.Path("kernel")],
            CacheDirectory: VmlinuxCache)))).Value;
}
