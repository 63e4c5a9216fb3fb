using System.Globalization;
using System.Text.Json;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Debuginfo.Tests;

/// <summary>
/// The fixture kernel (kernel/vmlinux.xz) unpacked once per machine into
/// <c>Fixtures.CacheDirectory/vmlinux-cache</c> through the product's own <see cref="DebugFileCache"/>,
/// opened once per test run and shared (Vmlinux is thread-safe). Only touched by [FixtureFact] tests.
/// </summary>
internal static class FixtureKernel
{
    static readonly Lazy<Vmlinux> Shared = new(() => Vmlinux.Open(Fixtures.Path("kernel/vmlinux.xz"), CacheDirectory));

    public static string CacheDirectory => Path.Combine(Fixtures.CacheDirectory, "vmlinux-cache");

    public static Vmlinux Vmlinux => Shared.Value;

    /// <summary>The KASLR offset of a scenario, from its facts.json (VMCOREINFO KERNELOFFSET).</summary>
    public static ulong KaslrOffset(string scenario)
    {
        using var facts = JsonDocument.Parse(Fixtures.ReadText($"{scenario}/facts.json"));
        var text = facts.RootElement.GetProperty("kaslr_offset_vmcoreinfo").GetString()!;
        return ulong.Parse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    /// <summary>The path of the unpacked lkdtm.ko (kernel/lkdtm.ko.xz), unpacked once.</summary>
    public static string LkdtmPath => DebugFileCache.Materialize(Fixtures.Path("kernel/lkdtm.ko.xz"), CacheDirectory);
}
