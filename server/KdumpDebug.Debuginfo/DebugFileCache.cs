using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Elf;
using SharpCompress.Compressors.Xz;
using ZstdSharp;

namespace KdumpDebug.Debuginfo;

/// <summary>
/// Turns a possibly compressed debug file (vmlinux.xz, vmlinux.zst, vmlinux.gz, a module .ko.xz)
/// into a plain file that can be memory-mapped, unpacking it at most once per machine.
/// <para>
/// Layout of the cache folder (the one given to <see cref="Materialize"/>, else
/// <c>$KDUMPDEBUG_CACHE</c>, else <c>$XDG_CACHE_HOME/kdumpdebug</c>, else <c>~/.cache/kdumpdebug</c>):
/// <c>BUILD-ID/NAME</c> holds the unpacked file (NAME is the compressed name without its
/// extension, e.g. <c>vmlinux</c>), and <c>keys/KEY.key</c> maps the compressed file's full path,
/// size and modification time to it, so the next run skips both unpacking and hashing. Files are
/// written under a temporary name and renamed into place, so concurrent processes never see a
/// partial file (the last rename wins; both copies are identical).
/// </para>
/// <para>Cost: a stat and a small read on a hit; on a miss, a full decompression (seconds for a
/// 90 MB vmlinux) and a disk write of the plain size.</para>
/// </summary>
public static class DebugFileCache
{
    const string KeysFolder = "keys";

    /// <summary>
    /// The cache folder used when none is given: <c>$KDUMPDEBUG_CACHE</c>, else
    /// <c>$XDG_CACHE_HOME/kdumpdebug</c>, else <c>~/.cache/kdumpdebug</c>.
    /// </summary>
    public static string DefaultCacheDirectory
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("KDUMPDEBUG_CACHE");
            if (!string.IsNullOrEmpty(env)) return env;
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            if (!string.IsNullOrEmpty(xdg)) return Path.Combine(xdg, "kdumpdebug");
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "kdumpdebug");
        }
    }

    /// <summary>Detects the storage format of <paramref name="path"/> from its magic bytes.</summary>
    public static CompressionFormat DetectFormat(string path)
    {
        Span<byte> magic = stackalloc byte[6];
        int n;
        try
        {
            using var stream = File.OpenRead(path);
            n = stream.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KdumpDebugException($"{path}: cannot open: {e.Message}", e);
        }
        return DetectFormat(magic[..n]);
    }

    /// <summary>Detects the storage format from the first bytes of a file.</summary>
    public static CompressionFormat DetectFormat(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0x7f, (byte)'E', (byte)'L', (byte)'F'])) return CompressionFormat.Elf;
        if (head.StartsWith((ReadOnlySpan<byte>)[0xfd, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0])) return CompressionFormat.Xz;
        if (head.StartsWith((ReadOnlySpan<byte>)[0x28, 0xb5, 0x2f, 0xfd])) return CompressionFormat.Zstd;
        if (head.StartsWith((ReadOnlySpan<byte>)[0x1f, 0x8b])) return CompressionFormat.Gzip;
        return CompressionFormat.Unknown;
    }

    /// <summary>
    /// The path of an uncompressed copy of <paramref name="path"/>: the path itself for an ELF
    /// file, else the cached unpacked file (unpacked now if the cache has no copy for this exact
    /// file: same full path, size and modification time).
    /// </summary>
    /// <exception cref="KdumpDebugException">the file is missing or unreadable, or the cache cannot be written.</exception>
    /// <exception cref="DumpFormatException">unknown format, a corrupt or truncated archive, or the
    /// unpacked content is not a valid ELF file.</exception>
    public static string Materialize(string path, string? cacheDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new KdumpDebugException($"{path}: no such file");
        var format = DetectFormat(path);
        switch (format)
        {
            case CompressionFormat.Elf:
                return path;
            case CompressionFormat.Unknown:
                throw new DumpFormatException(path, 0, "magic", "not an ELF file, nor an xz, zstd or gzip compressed one");
        }

        var cache = Path.GetFullPath(cacheDirectory ?? DefaultCacheDirectory);
        var source = new FileInfo(Path.GetFullPath(path));
        var key = KeyOf(source);
        var keyFile = Path.Combine(cache, KeysFolder, key + ".key");
        if (TryReadKey(keyFile, source, cache, out var cached)) return cached;

        try
        {
            Directory.CreateDirectory(Path.Combine(cache, KeysFolder));
            var temp = Path.Combine(cache, $"unpack-{Environment.ProcessId}-{Guid.NewGuid():N}.part");
            try
            {
                Unpack(path, format, temp);
                string? buildId;
                try
                {
                    using var elf = ElfFile.Open(temp);
                    buildId = elf.BuildId;
                }
                catch (DumpFormatException e)
                {
                    throw new DumpFormatException(path, null, $"{FormatName(format)} content",
                        $"the unpacked file is not a valid ELF file ({e.Message.Replace(temp, "unpacked file")})");
                }
                var folder = buildId ?? "no-build-id-" + key[..16];
                var target = Path.Combine(cache, folder, PlainName(source.Name));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                if (File.Exists(target) && new FileInfo(target).Length == new FileInfo(temp).Length)
                    File.Delete(temp); // another run (or another copy of the same build) got there first
                else
                    File.Move(temp, target, overwrite: true);
                WriteKey(keyFile, source, Path.GetRelativePath(cache, target));
                return target;
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KdumpDebugException($"{cache}: cannot write the unpacked copy of {path}: {e.Message}", e);
        }
    }

    static void Unpack(string path, CompressionFormat format, string target)
    {
        using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        Stream? decompressor = null;
        var buffer = new byte[1 << 20];
        try
        {
            while (true)
            {
                int n;
                try
                {
                    decompressor ??= format switch
                    {
                        CompressionFormat.Xz => new XZStream(input),
                        CompressionFormat.Zstd => ZstdStream(input),
                        _ => new GZipStream(input, CompressionMode.Decompress),
                    };
                    n = decompressor.Read(buffer, 0, buffer.Length);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    throw new DumpFormatException(path, null, $"{FormatName(format)} stream",
                        $"corrupt or truncated archive after 0x{output.Length:x} unpacked bytes ({OneLine(e.Message)})");
                }
                if (n == 0) break;
                // Write errors (disk full) propagate as IOException: the cache's problem, not the archive's.
                output.Write(buffer, 0, n);
            }
        }
        finally
        {
            decompressor?.Dispose();
        }
        // A decoder that stops early without complaint leaves a short file: the ELF check after
        // unpacking reports it (section headers past the end).
    }

    static DecompressionStream ZstdStream(Stream input)
    {
        var stream = new DecompressionStream(input);
        // zstd --long=31 archives need a 2 GiB window; the default limit is 128 MiB (27).
        stream.SetParameter(ZstdSharp.Unsafe.ZSTD_dParameter.ZSTD_d_windowLogMax, 31);
        return stream;
    }

    static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

    static string FormatName(CompressionFormat format) => format switch
    {
        CompressionFormat.Xz => "xz",
        CompressionFormat.Zstd => "zstd",
        CompressionFormat.Gzip => "gzip",
        _ => format.ToString(),
    };

    /// <summary>The name of the unpacked file: the compressed name without .xz/.zst/.zstd/.gz (NAME.unpacked when it has none).</summary>
    static string PlainName(string name)
    {
        foreach (var ext in (string[])[".xz", ".zst", ".zstd", ".gz"])
            if (name.Length > ext.Length && name.EndsWith(ext, StringComparison.OrdinalIgnoreCase))
                return name[..^ext.Length];
        return name + ".unpacked";
    }

    static string KeyOf(FileInfo source)
    {
        var text = $"{source.FullName}\n{source.Length}\n{source.LastWriteTimeUtc.Ticks}";
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32].ToLowerInvariant();
    }

    static bool TryReadKey(string keyFile, FileInfo source, string cache, out string plain)
    {
        plain = "";
        try
        {
            if (!File.Exists(keyFile)) return false;
            var fields = new Dictionary<string, string>();
            foreach (var line in File.ReadAllLines(keyFile))
            {
                var eq = line.IndexOf('=');
                if (eq > 0) fields[line[..eq]] = line[(eq + 1)..];
            }
            if (!fields.TryGetValue("source", out var s) || s != source.FullName) return false;
            if (!fields.TryGetValue("size", out var size) || size != source.Length.ToString(CultureInfo.InvariantCulture)) return false;
            if (!fields.TryGetValue("mtime", out var mtime) || mtime != source.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture)) return false;
            if (!fields.TryGetValue("plain", out var relative)) return false;
            var candidate = Path.GetFullPath(Path.Combine(cache, relative));
            if (!File.Exists(candidate)) return false;
            plain = candidate;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // an unreadable key only costs an unpack
        }
    }

    static void WriteKey(string keyFile, FileInfo source, string relativePlain)
    {
        var text = $"source={source.FullName}\nsize={source.Length}\nmtime={source.LastWriteTimeUtc.Ticks}\nplain={relativePlain}\n";
        var temp = keyFile + $".{Environment.ProcessId}-{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, keyFile, overwrite: true);
    }
}
