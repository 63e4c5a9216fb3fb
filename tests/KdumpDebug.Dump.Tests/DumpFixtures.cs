using KdumpDebug.TestSupport;

namespace KdumpDebug.Dump.Tests;

/// <summary>The real dumps of the fixture set, by scenario, and helpers to open them.</summary>
static class DumpFixtures
{
    /// <summary>(fixture path, expected format) for every dump file in the fixtures.</summary>
    public static readonly (string Path, DumpFormat Format)[] All =
    [
        ("sysrq/vmcore.kdump-zlib", DumpFormat.KdumpCompressed),
        ("sysrq/vmcore.kdump-lzo", DumpFormat.KdumpCompressed),
        ("sysrq/vmcore.kdump-raw.zst", DumpFormat.KdumpCompressed),
        ("sysrq/vmcore.kdump-zlib.flat", DumpFormat.KdumpFlattened),
        ("sysrq/vmcore.elf.zst", DumpFormat.Elf),
        ("sysrq-qemu/vmcore.qemu-kdump-zlib", DumpFormat.KdumpFlattened),
        ("sysrq-qemu/vmcore.qemu.elf.zst", DumpFormat.Elf),
        ("oops-module/vmcore.kdump-zlib", DumpFormat.KdumpCompressed),
        ("oops-module/vmcore.elf.zst", DumpFormat.Elf),
        ("sysrq-la57/vmcore.kdump-zlib", DumpFormat.KdumpCompressed),
    ];

    public static TheoryData<string> AllPaths()
    {
        var data = new TheoryData<string>();
        foreach (var (p, _) in All) data.Add(p);
        return data;
    }

    /// <summary>Opens a fixture dump (unpacking a .zst one once).</summary>
    public static IDumpFile Open(string relative) => DumpOpener.Open(Fixtures.Plain(relative));

    /// <summary>A copy of a fixture in a fresh temporary folder, for tests that corrupt it.</summary>
    public static string Copy(string relative)
    {
        var source = Fixtures.Plain(relative);
        var target = System.IO.Path.Combine(Fixtures.NewTempDirectory(), System.IO.Path.GetFileName(source));
        File.Copy(source, target);
        File.SetAttributes(target, FileAttributes.Normal);
        return target;
    }

    /// <summary>facts.json of a scenario, as a JSON document.</summary>
    public static System.Text.Json.JsonElement Facts(string scenario) =>
        System.Text.Json.JsonDocument.Parse(Fixtures.ReadText($"{scenario}/facts.json")).RootElement;
}
