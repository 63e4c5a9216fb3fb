using KdumpDebug.Core.Errors;
using KdumpDebug.Dump.Elf;
using KdumpDebug.Dump.IO;
using KdumpDebug.Dump.Kdump;

namespace KdumpDebug.Dump;

/// <summary>
/// Opens a vmcore of any supported format, chosen by the file's first bytes (not its name):
/// <c>\x7fELF</c> -> ELF core; <c>KDUMP   </c> or <c>DISKDUMP</c> -> kdump-compressed;
/// <c>makedumpfile\0</c> -> flattened kdump-compressed. The file is memory-mapped read-only; opening
/// reads the headers, notes and (for kdump) the page bitmaps, and nothing else.
///
/// To add a format: give it a magic test here, an <see cref="IDumpFile"/> and an
/// <see cref="IPhysicalMemory"/> in a folder of their own, a <see cref="DumpFormat"/> member, and a
/// test in KdumpDebug.Dump.Tests that opens a real dump of it.
/// </summary>
public static class DumpOpener
{
    /// <summary>
    /// Opens <paramref name="path"/>. Throws <see cref="KdumpDebugException"/> (one line naming the
    /// file) when it does not exist, is empty or of an unknown format, or when its headers are broken
    /// (<see cref="DumpFormatException"/> naming the field).
    /// </summary>
    public static IDumpFile Open(string path) => Open(path, KdumpPhysicalMemory.DefaultCachePages);

    /// <summary>As <see cref="Open(string)"/>, with the kdump page-cache capacity in pages.</summary>
    internal static IDumpFile Open(string path, int cachePages)
    {
        if (string.IsNullOrEmpty(path)) throw new KdumpDebugException("no vmcore path given");
        if (Directory.Exists(path)) throw new KdumpDebugException($"{path}: is a directory, not a vmcore");
        var file = MappedFile.Open(path);
        ReadOnlySpan<byte> head;
        try
        {
            if (!file.TryGetSpan(0, (int)Math.Min(16, file.Length), out head)) head = default;
        }
        catch
        {
            file.Dispose();
            throw;
        }

        if (head.StartsWith(ElfHeader64.Magic))
            return ElfDumpFile.Open(file);
        if (DiskDumpHeader.HasSignature(head))
            return KdumpDumpFile.Open(file, file, DumpFormat.KdumpCompressed, cachePages);
        if (FlattenedFile.HasSignature(head))
        {
            FlattenedFile flat;
            try
            {
                flat = FlattenedFile.Index(file);
            }
            catch
            {
                file.Dispose();
                throw;
            }
            return KdumpDumpFile.Open(flat, file, DumpFormat.KdumpFlattened, cachePages);
        }

        var hint = Hint(head);
        var first = Convert.ToHexString(head[..Math.Min(8, head.Length)]).ToLowerInvariant();
        file.Dispose();
        throw new DumpFormatException(path, 0, "magic",
            $"not a vmcore (starts with {first}; expected an ELF core, \"KDUMP   \", \"DISKDUMP\" or \"makedumpfile\"){hint}");
    }

    static string Hint(ReadOnlySpan<byte> head) =>
        head.StartsWith((ReadOnlySpan<byte>)[0x28, 0xb5, 0x2f, 0xfd]) ? ": it is zstd-compressed, unpack it first (zstd -d --long=31)"
        : head.StartsWith((ReadOnlySpan<byte>)[0x1f, 0x8b]) ? ": it is gzip-compressed, unpack it first (gunzip)"
        : head.StartsWith((ReadOnlySpan<byte>)[0xfd, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0]) ? ": it is xz-compressed, unpack it first (xz -d)"
        : "";
}
