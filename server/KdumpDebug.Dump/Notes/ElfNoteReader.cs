using System.Buffers.Binary;
using System.Text;
using KdumpDebug.Core;
using KdumpDebug.Core.Errors;

namespace KdumpDebug.Dump.Notes;

/// <summary>
/// Parses a run of ELF64 notes (<c>Elf64_Nhdr</c>: namesz, descsz, type, then the name and the
/// descriptor, each padded to 4 bytes; System V ABI "Note Section"). Used for the PT_NOTE segments of
/// an ELF vmcore and for the note block of a kdump file (offset_note/size_note). Allocates one
/// <see cref="ElfNote"/> and its descriptor array per note; runs once at open.
/// </summary>
internal static class ElfNoteReader
{
    /// <summary>
    /// Appends the notes of <paramref name="data"/> (which starts at <paramref name="fileOffset"/> in
    /// <paramref name="path"/>, for messages) to <paramref name="notes"/>. Stops at an all-zero header:
    /// /proc/vmcore and QEMU pad a note segment with zeros. A note running past the block is an error.
    /// </summary>
    public static void Parse(string path, long fileOffset, ReadOnlySpan<byte> data, List<ElfNote> notes)
    {
        var pos = 0;
        while (data.Length - pos >= 12)
        {
            var nameSize = BinaryPrimitives.ReadUInt32LittleEndian(data[pos..]);
            var descSize = BinaryPrimitives.ReadUInt32LittleEndian(data[(pos + 4)..]);
            var type = BinaryPrimitives.ReadUInt32LittleEndian(data[(pos + 8)..]);
            if (nameSize == 0 && descSize == 0 && type == 0) break;
            if (nameSize > 4096)
                throw new DumpFormatException(path, fileOffset + pos, "Elf64_Nhdr.n_namesz", $"{nameSize} is not a plausible note name size");
            if (descSize > DataLimits.MaxNoteSize)
                throw new DumpFormatException(path, fileOffset + pos + 4, "Elf64_Nhdr.n_descsz", $"{descSize} exceeds the limit of {DataLimits.MaxNoteSize} bytes");
            var nameStart = pos + 12;
            var descStart = (long)nameStart + Align4(nameSize);
            var end = descStart + Align4(descSize);
            // The last note's descriptor padding may be missing; its bytes may not.
            if (descStart + descSize > data.Length)
                throw new DumpFormatException(path, fileOffset + pos, "Elf64_Nhdr",
                    $"note of {nameSize}+{descSize} bytes runs past the end of the note block (0x{data.Length:x} bytes)");
            var name = data.Slice(nameStart, (int)nameSize);
            var nul = name.IndexOf((byte)0);
            if (nul >= 0) name = name[..nul];
            notes.Add(new ElfNote(Encoding.ASCII.GetString(name), type, data.Slice((int)descStart, (int)descSize).ToArray()));
            pos = (int)Math.Min(end, data.Length);
        }
    }

    static long Align4(uint size) => ((long)size + 3) & ~3L;
}
