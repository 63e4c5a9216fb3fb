using System.Buffers.Binary;

namespace KdumpDebug.Dump.Notes;

/// <summary>
/// Decodes x86-64 NT_PRSTATUS notes (<c>struct elf_prstatus</c>, include/linux/elfcore.h): pr_pid at
/// byte 32, pr_reg (<c>struct user_regs_struct</c>, 27 registers) at byte 112, 336 bytes in all.
/// </summary>
internal static class PrStatusReader
{
    const int PidOffset = 32;
    const int RegsOffset = 112;
    static readonly int RegsEnd = RegsOffset + 8 * CpuRegisters.X86_64Names.Length;

    /// <summary>
    /// One <see cref="CpuRegisters"/> per NT_PRSTATUS note of the given owner ("CORE"), numbered in note
    /// order. Notes too short to hold pr_reg are skipped (they cannot be x86-64 prstatus).
    /// </summary>
    public static List<CpuRegisters> ReadX86_64(IReadOnlyList<ElfNote> notes)
    {
        var result = new List<CpuRegisters>();
        foreach (var note in notes)
        {
            if (note.Type != ElfNote.NtPrStatus || note.Name != "CORE" || note.Descriptor.Length < RegsEnd) continue;
            var desc = note.Descriptor.AsSpan();
            var regs = new Dictionary<string, ulong>(CpuRegisters.X86_64Names.Length, StringComparer.Ordinal);
            for (var i = 0; i < CpuRegisters.X86_64Names.Length; i++)
                regs[CpuRegisters.X86_64Names[i]] = BinaryPrimitives.ReadUInt64LittleEndian(desc[(RegsOffset + 8 * i)..]);
            result.Add(new CpuRegisters(result.Count, BinaryPrimitives.ReadInt32LittleEndian(desc[PidOffset..]), regs));
        }
        return result;
    }
}
