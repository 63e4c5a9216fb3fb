namespace KdumpDebug.Target;

/// <summary>
/// Finds the vmlinux of a crashed kernel when the user gave none, the way crash and drgn look for
/// debug info: by build-id under `.build-id/xx/rest.debug`, then by release under the usual
/// distribution paths, in the user's --debuginfo-dir folders first, then /usr/lib/debug and /boot.
/// Compressed files (.xz, .zst, .gz) are accepted. Costs only file-existence checks.
/// </summary>
public static class VmlinuxLocator
{
    static readonly string[] CompressedSuffixes = ["", ".zst", ".xz", ".gz"];

    /// <summary>The candidate paths in search order (exposed for the error message and tests).</summary>
    public static IEnumerable<string> Candidates(string? release, string? buildId, IReadOnlyList<string>? debugInfoDirectories)
    {
        var roots = new List<string>();
        if (debugInfoDirectories is not null) roots.AddRange(debugInfoDirectories);
        roots.Add("/usr/lib/debug");
        foreach (var root in roots)
        {
            if (buildId is { Length: > 2 })
                yield return Path.Combine(root, ".build-id", buildId[..2], buildId[2..] + ".debug");
            if (release is not null)
            {
                yield return Path.Combine(root, "boot", "vmlinux-" + release);
                yield return Path.Combine(root, "lib", "modules", release, "vmlinux");
                yield return Path.Combine(root, "usr", "lib", "debug", "boot", "vmlinux-" + release);
                yield return Path.Combine(root, "vmlinux-" + release);
            }
            yield return Path.Combine(root, "vmlinux");
        }
        if (release is not null)
        {
            yield return "/boot/vmlinux-" + release;
            yield return Path.Combine("/lib/modules", release, "build", "vmlinux");
        }
    }

    /// <summary>The first existing candidate (with any compressed suffix), or null.</summary>
    public static string? Find(string? release, string? buildId, IReadOnlyList<string>? debugInfoDirectories)
    {
        foreach (var candidate in Candidates(release, buildId, debugInfoDirectories))
            foreach (var suffix in CompressedSuffixes)
                if (File.Exists(candidate + suffix)) return candidate + suffix;
        return null;
    }
}
