using KdumpDebug.Debuginfo.Dwarf.Index;
using KdumpDebug.Debuginfo.Types;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Debuginfo.Tests.Types;

/// <summary>
/// Type systems over real kernels, shared by the tests of one run: the fixture kernel (always
/// there with the fixtures) and the Debian distribution kernel that
/// <c>shared/fixtures/distro/make.sh</c> leaves in <c>$KDUMPDEBUG_FIXTURES</c> (default
/// <c>~/.cache/kdumpdebug-fixtures</c>), when present. Indexes are built in memory (no on-disk cache).
/// </summary>
internal static class KernelTypes
{
    public const string DistroAbi = "6.1.0-53-cloud-amd64";

    static readonly Lazy<TypeSystem> FixtureShared = new(() =>
    {
        var dwarf = FixtureKernel.Vmlinux.Dwarf!;
        return TypeSystem.FromDwarf(dwarf, DwarfNameIndex.Build(dwarf));
    });

    static readonly Lazy<(Vmlinux Vmlinux, TypeSystem Types)?> DistroShared = new(() =>
    {
        if (DistroVmlinuxPath is not { } path) return null;
        var v = Vmlinux.Open(path);
        return (v, TypeSystem.FromDwarf(v.Dwarf!, DwarfNameIndex.Build(v.Dwarf!)));
    });

    public static TypeSystem Fixture => FixtureShared.Value;

    /// <summary>The distro kernel's vmlinux with its debug info, or null when make.sh has not been run here.</summary>
    public static string? DistroVmlinuxPath
    {
        get
        {
            var root = Environment.GetEnvironmentVariable("KDUMPDEBUG_FIXTURES") is { Length: > 0 } env
                ? env
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "kdumpdebug-fixtures");
            var path = Path.Combine(root, DistroAbi, "sysrq", "vmlinux");
            return File.Exists(path) ? path : null;
        }
    }

    public static TypeSystem? Distro => DistroShared.Value?.Types;
}

/// <summary>A [Fact] skipped unless the distribution kernel of make.sh is present.</summary>
public sealed class DistroFactAttribute : FactAttribute
{
    public DistroFactAttribute()
    {
        if (KernelTypes.DistroVmlinuxPath is null) Skip = $"distro kernel {KernelTypes.DistroAbi} not found (run shared/fixtures/distro/make.sh)";
    }
}

/// <summary>A [Theory] skipped unless the distribution kernel of make.sh is present.</summary>
public sealed class DistroTheoryAttribute : TheoryAttribute
{
    public DistroTheoryAttribute()
    {
        if (KernelTypes.DistroVmlinuxPath is null) Skip = $"distro kernel {KernelTypes.DistroAbi} not found (run shared/fixtures/distro/make.sh)";
    }
}
