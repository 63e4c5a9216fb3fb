using System.Buffers.Binary;

namespace KdumpDebug.Dump.Elf;

/// <summary>One ELF64 program header (<c>Elf64_Phdr</c>, 56 bytes).</summary>
internal readonly record struct ElfProgramHeader64(
    uint Type, ulong Offset, ulong VirtAddr, ulong PhysAddr, ulong FileSize, ulong MemSize)
{
    public const int Size = 56;
    /// <summary>PT_LOAD: a range of memory.</summary>
    public const uint PtLoad = 1;
    /// <summary>PT_NOTE: ELF notes (NT_PRSTATUS, VMCOREINFO, QEMU CPU state).</summary>
    public const uint PtNote = 4;

    public static ElfProgramHeader64 Parse(ReadOnlySpan<byte> b) => new(
        BinaryPrimitives.ReadUInt32LittleEndian(b),
        BinaryPrimitives.ReadUInt64LittleEndian(b[8..]),
        BinaryPrimitives.ReadUInt64LittleEndian(b[16..]),
        BinaryPrimitives.ReadUInt64LittleEndian(b[24..]),
        BinaryPrimitives.ReadUInt64LittleEndian(b[32..]),
        BinaryPrimitives.ReadUInt64LittleEndian(b[40..]));
}
