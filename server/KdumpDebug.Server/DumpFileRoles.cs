using System.Buffers.Binary;

namespace KdumpDebug.Server;

/// <summary>What the start of a file says it is.</summary>
enum FileKind { Vmcore, Vmlinux, Unknown }

/// <summary>
/// Tells which of the one or two files on the command line is the vmcore and which the vmlinux,
/// in either order as crash accepts them, from their first bytes: a diskdump/kdump-compressed
/// header ("KDUMP   ", "DISKDUMP"), a flattened makedumpfile stream ("makedumpfile") or an ELF
/// core (e_type ET_CORE) is a vmcore; an ELF executable, shared or relocatable object is a
/// vmlinux, and so is an xz, gzip or zstd file (a vmlinux may be given compressed; the target
/// unpacks it). Reads 64 bytes per file.
/// </summary>
static class DumpFileRoles
{
    /// <summary>Returns (vmlinux or null, vmcore); throws <see cref="UsageException"/> naming the file that is wrong.</summary>
    public static (string? Vmlinux, string Vmcore) Assign(IReadOnlyList<string> files)
    {
        if (files.Count == 0) throw new UsageException("no vmcore given (usage: kdumpdebug [VMLINUX] VMCORE)");
        if (files.Count > 2) throw new UsageException($"{files[2]}: too many files (usage: kdumpdebug [VMLINUX] VMCORE)");
        var kinds = files.Select(Classify).ToArray();
        if (files.Count == 1)
        {
            return kinds[0] == FileKind.Vmcore
                ? (null, files[0])
                : throw new UsageException($"{files[0]}: not a vmcore ({Describe(kinds[0])})");
        }
        return (kinds[0], kinds[1]) switch
        {
            (FileKind.Vmlinux, FileKind.Vmcore) => (files[0], files[1]),
            (FileKind.Vmcore, FileKind.Vmlinux) => (files[1], files[0]),
            (FileKind.Vmcore, FileKind.Vmcore) => throw new UsageException($"{files[1]}: a second vmcore; give one vmlinux and one vmcore"),
            (FileKind.Unknown, _) => throw new UsageException($"{files[0]}: not a vmcore or vmlinux (unrecognized file format)"),
            (_, FileKind.Unknown) => throw new UsageException($"{files[1]}: not a vmcore or vmlinux (unrecognized file format)"),
            _ => throw new UsageException($"{files[0]}, {files[1]}: neither is a vmcore"),
        };
    }

    public static FileKind Classify(string path)
    {
        Span<byte> head = stackalloc byte[64];
        int n;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (FileNotFoundException)
        {
            throw new UsageException($"{path}: no such file");
        }
        catch (DirectoryNotFoundException)
        {
            throw new UsageException($"{path}: no such file");
        }
        catch (UnauthorizedAccessException)
        {
            throw new UsageException($"{path}: permission denied");
        }
        catch (IOException e)
        {
            throw new UsageException($"{path}: {e.Message}");
        }
        return Classify(head[..n]);
    }

    public static FileKind Classify(ReadOnlySpan<byte> head)
    {
        // makedumpfile's diskdump header signatures (makedumpfile.h KDUMP_SIGNATURE, DISK_DUMP_SIGNATURE)
        // and the flattened format's "makedumpfile" (MAKEDUMPFILE_SIGNATURE).
        if (head.StartsWith("KDUMP   "u8) || head.StartsWith("DISKDUMP"u8) || head.StartsWith("makedumpfile"u8))
            return FileKind.Vmcore;
        if (head.Length >= 18 && head.StartsWith("\u007FELF"u8))
        {
            // e_type at offset 16 (ELF gABI); x86-64 is little-endian (EI_DATA = ELFDATA2LSB).
            var type = head[5] == 2 ? BinaryPrimitives.ReadUInt16BigEndian(head[16..]) : BinaryPrimitives.ReadUInt16LittleEndian(head[16..]);
            return type switch
            {
                4 => FileKind.Vmcore,           // ET_CORE: makedumpfile ELF, /proc/vmcore copy, QEMU dump-guest-memory
                1 or 2 or 3 => FileKind.Vmlinux, // ET_REL, ET_EXEC, ET_DYN
                _ => FileKind.Unknown,
            };
        }
        if (head.StartsWith((ReadOnlySpan<byte>)[0xfd, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0]) ||
            head.StartsWith((ReadOnlySpan<byte>)[0x1f, 0x8b]) ||
            head.StartsWith((ReadOnlySpan<byte>)[0x28, 0xb5, 0x2f, 0xfd]))
            return FileKind.Vmlinux;
        return FileKind.Unknown;
    }

    static string Describe(FileKind kind) => kind == FileKind.Vmlinux ? "it looks like a vmlinux" : "unrecognized file format";
}
