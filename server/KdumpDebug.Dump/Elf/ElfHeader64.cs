using System.Buffers.Binary;

namespace KdumpDebug.Dump.Elf;

/// <summary>
/// The fields of an ELF64 file header (<c>Elf64_Ehdr</c>, System V gABI "ELF Header") that a vmcore
/// reader needs. Parsed from 64 bytes; the caller checks class and byte order first.
/// </summary>
internal readonly record struct ElfHeader64(
    ushort Type, ushort Machine, ulong PhOff, ulong ShOff, ushort PhEntSize, ushort PhNum, ushort ShEntSize, ushort ShNum)
{
    public const int Size = 64;
    /// <summary>ET_CORE.</summary>
    public const ushort EtCore = 4;
    /// <summary>EM_X86_64.</summary>
    public const ushort EmX86_64 = 62;
    /// <summary>PN_XNUM: the real program header count is in section header 0's sh_info.</summary>
    public const ushort PnXnum = 0xffff;

    public static ReadOnlySpan<byte> Magic => [0x7f, (byte)'E', (byte)'L', (byte)'F'];

    public static ElfHeader64 Parse(ReadOnlySpan<byte> b) => new(
        BinaryPrimitives.ReadUInt16LittleEndian(b[16..]),
        BinaryPrimitives.ReadUInt16LittleEndian(b[18..]),
        BinaryPrimitives.ReadUInt64LittleEndian(b[32..]),
        BinaryPrimitives.ReadUInt64LittleEndian(b[40..]),
        BinaryPrimitives.ReadUInt16LittleEndian(b[54..]),
        BinaryPrimitives.ReadUInt16LittleEndian(b[56..]),
        BinaryPrimitives.ReadUInt16LittleEndian(b[58..]),
        BinaryPrimitives.ReadUInt16LittleEndian(b[60..]));
}
