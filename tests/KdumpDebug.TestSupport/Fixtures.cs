using System.Security.Cryptography;
using ZstdSharp;

namespace KdumpDebug.TestSupport;

/// <summary>
/// Finds the real-dump fixtures (../shared/fixtures beside the repository, or the folder named by
/// KDUMPDEBUG_FIXTURES_DIR) and unpacks the storage-only .zst files once into a temporary cache
/// (KDUMPDEBUG_TEST_CACHE, default $TMPDIR/kdumpdebug-test-cache). Tests on real dumps call
/// <see cref="SkipIfAbsent"/> style helpers so they skip cleanly where the fixtures are absent.
/// </summary>
public static class Fixtures
{
    static readonly Lazy<string?> Root = new(FindRoot);
    static readonly object UnpackLock = new();

    /// <summary>The fixtures folder, or null when none was found.</summary>
    public static string? RootDirectory => Root.Value;

    public static bool Available => Root.Value is not null;

    /// <summary>The scenarios with a kdump dump and goldens.</summary>
    public static readonly string[] Scenarios = ["sysrq", "sysrq-qemu", "oops-module", "sysrq-la57"];

    /// <summary>Absolute path of a fixture file (relative to the fixtures root). Throws when absent.</summary>
    public static string Path(string relative)
    {
        var root = Root.Value ?? throw new InvalidOperationException("fixtures not found: set KDUMPDEBUG_FIXTURES_DIR");
        return System.IO.Path.Combine(root, relative);
    }

    /// <summary>
    /// A fixture as a plain file: the file itself, or for "x.zst" (or a name whose ".zst" sibling
    /// exists) its unpacked copy in the test cache, made once per machine.
    /// </summary>
    public static string Plain(string relative)
    {
        var full = Path(relative);
        if (!full.EndsWith(".zst", StringComparison.Ordinal))
        {
            if (File.Exists(full)) return full;
            if (File.Exists(full + ".zst")) full += ".zst";
            else throw new FileNotFoundException("fixture not found", full);
        }
        var info = new FileInfo(full);
        var name = System.IO.Path.GetFileNameWithoutExtension(full);
        var scenario = System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(full)) ?? "x";
        var target = System.IO.Path.Combine(CacheDirectory, $"{scenario}-{info.Length}-{name}");
        lock (UnpackLock)
        {
            if (File.Exists(target)) return target;
            var tmp = target + ".part" + Environment.ProcessId;
            using (var input = File.OpenRead(full))
            using (var zstd = new DecompressionStream(input))
            using (var output = File.Create(tmp))
            {
                // The fixtures were packed with zstd --long=27: allow that window.
                zstd.SetParameter(ZstdSharp.Unsafe.ZSTD_dParameter.ZSTD_d_windowLogMax, 31);
                zstd.CopyTo(output, 1 << 20);
            }
            File.Move(tmp, target, overwrite: true);
            return target;
        }
    }

    /// <summary>Scratch folder shared by test runs on this machine.</summary>
    public static string CacheDirectory
    {
        get
        {
            var dir = Environment.GetEnvironmentVariable("KDUMPDEBUG_TEST_CACHE")
                      ?? System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kdumpdebug-test-cache");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    /// <summary>A fresh private temporary folder for one test (caller deletes or leaves it in /tmp).</summary>
    public static string NewTempDirectory()
    {
        var dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kdumpdebug-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Reads a golden text file of the fixtures (e.g. "sysrq/crash/sym-sysrq_handle_crash.txt").</summary>
    public static string ReadText(string relative) => File.ReadAllText(Path(relative));

    /// <summary>SHA-256 (hex) of a file, for cache keys and identity checks.</summary>
    public static string Sha256(string path)
    {
        using var s = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(s)).ToLowerInvariant();
    }

    static string? FindRoot()
    {
        var env = Environment.GetEnvironmentVariable("KDUMPDEBUG_FIXTURES_DIR");
        if (!string.IsNullOrEmpty(env)) return Directory.Exists(env) ? System.IO.Path.GetFullPath(env) : null;
        // Walk up from the test binary to the repository root, whose sibling is shared/.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "shared", "fixtures");
            if (Directory.Exists(candidate) && File.Exists(System.IO.Path.Combine(candidate, "README.md"))) return candidate;
        }
        return null;
    }
}
