using System.Buffers.Binary;
using KdumpDebug.Core.Errors;

namespace KdumpDebug.Debuginfo.Elf;

/// <summary>
/// Walks ELF notes (<c>Elf64_Nhdr</c>: namesz, descsz, type, then name and descriptor, each
/// padded to 4 bytes; gABI "Note Section") in a section or segment.
/// </summary>
internal static class ElfNotes
{
    /// <summary>
    /// The descriptor of the first NT_GNU_BUILD_ID note named "GNU" as lower-case hex, or null.
    /// A note that runs past the end of <paramref name="notes"/> is a format error.
    /// </summary>
    public static string? FindGnuBuildId(string path, ReadOnlySpan<byte> notes, long fileOffset, string where)
    {
        var pos = 0;
        while (notes.Length - pos >= 12)
        {
            var nameSize = BinaryPrimitives.ReadUInt32LittleEndian(notes[pos..]);
            var descSize = BinaryPrimitives.ReadUInt32LittleEndian(notes[(pos + 4)..]);
            var type = BinaryPrimitives.ReadUInt32LittleEndian(notes[(pos + 8)..]);
            var nameStart = (long)pos + 12;
            var descStart = nameStart + Align4(nameSize);
            var next = descStart + Align4(descSize);
            if (descStart + descSize > notes.Length)
                throw new DumpFormatException(path, fileOffset + pos, $"note in {where} n_namesz/n_descsz",
                    $"name {nameSize} + descriptor {descSize} bytes run past the end of the notes (0x{notes.Length:x} bytes)");
            if (type == ElfConstants.NtGnuBuildId && nameSize == 4 && notes.Slice((int)nameStart, 4).SequenceEqual("GNU\0"u8))
                return descSize == 0 ? null : Convert.ToHexString(notes.Slice((int)descStart, (int)descSize)).ToLowerInvariant();
            if (next > notes.Length) break;
            pos = (int)next;
        }
        return null;
    }

    static long Align4(uint size) => ((long)size + 3) & ~3L;
}
