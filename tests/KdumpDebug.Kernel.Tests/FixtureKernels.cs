using System.Collections.Concurrent;
using System.Text.Json;
using KdumpDebug.Target;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Kernel.Tests;

/// <summary>The scenario dumps the goldens were made from, opened once per test run and shared.</summary>
static class FixtureKernels
{
    static readonly ConcurrentDictionary<string, Lazy<KernelTarget>> Targets = new();

    public static string MainDump(string scenario) =>
        JsonDocument.Parse(File.ReadAllText(Fixtures.Path($"{scenario}/facts.json"))).RootElement.GetProperty("main_dump").GetString()!;

    public static JsonElement Facts(string scenario) =>
        JsonDocument.Parse(File.ReadAllText(Fixtures.Path($"{scenario}/facts.json"))).RootElement;

    public static KernelTarget Open(string scenario) =>
        Targets.GetOrAdd(scenario, s => new Lazy<KernelTarget>(() => KernelTarget.Open(new TargetOptions(
            Fixtures.Plain($"{s}/{MainDump(s)}"),
            Fixtures.Path("kernel/vmlinux.xz"),
            ModuleDirectories: [Fixtures.Path("kernel")],
            CacheDirectory: Path.Combine(Fixtures.CacheDirectory, "vmlinux-cache"))))).Value;

    public static LinuxKernel Kernel(string scenario) => LinuxKernel.For(Open(scenario));

    /// <summary>drgn's tasks.json: (pid, tgid, ppid, state letter, cpu, address, comm).</summary>
    public static List<(int Pid, int Tgid, int Ppid, char State, int Cpu, ulong Address, string Comm)> DrgnTasks(string scenario)
    {
        using var doc = JsonDocument.Parse(Fixtures.ReadText($"{scenario}/drgn/tasks.json"));
        return doc.RootElement.EnumerateArray().Select(t => (
            t.GetProperty("pid").GetInt32(), t.GetProperty("tgid").GetInt32(), t.GetProperty("ppid").GetInt32(),
            t.GetProperty("state").GetString()![0], t.GetProperty("cpu").GetInt32(),
            Convert.ToUInt64(t.GetProperty("address").GetString()!, 16), t.GetProperty("comm").GetString()!)).ToList();
    }

    /// <summary>Scenarios drgn could read (it cannot open the QEMU dumps).</summary>
    public static readonly string[] DrgnScenarios = ["sysrq", "oops-module", "sysrq-la57"];
}
