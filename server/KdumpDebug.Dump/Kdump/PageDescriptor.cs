using System.Buffers.Binary;

namespace KdumpDebug.Dump.Kdump;

/// <summary>
/// <c>struct page_desc</c> (makedumpfile's diskdump_mod.h): where one dumpable page's data is
/// (offset, an off_t), how many bytes it has (size), how it is stored (flags: one of the
/// DUMP_DH_COMPRESSED_* bits, or 0 for a raw page of block_size bytes) and the kernel's page flags
/// (page_flags, unused here). 24 bytes; the array holds one per bit set in the 2nd bitmap, in PFN order.
/// </summary>
internal readonly record struct PageDescriptor(long Offset, uint Size, uint Flags, ulong PageFlags)
{
    public const int EncodedSize = 24;

    public static PageDescriptor Parse(ReadOnlySpan<byte> b) => new(
        BinaryPrimitives.ReadInt64LittleEndian(b),
        BinaryPrimitives.ReadUInt32LittleEndian(b[8..]),
        BinaryPrimitives.ReadUInt32LittleEndian(b[12..]),
        BinaryPrimitives.ReadUInt64LittleEndian(b[16..]));
}
