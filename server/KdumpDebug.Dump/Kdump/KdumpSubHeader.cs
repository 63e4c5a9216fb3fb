using System.Buffers.Binary;

namespace KdumpDebug.Dump.Kdump;

/// <summary>
/// <c>struct kdump_sub_header</c> (64-bit layout, makedumpfile's diskdump_mod.h), in block 1 of a
/// "KDUMP   " file: phys_base @0, dump_level @8 (v1+), split @12 (v2+), start_pfn @16 and end_pfn
/// @24 (v2+, obsolete), offset_vmcoreinfo @32 and size_vmcoreinfo @40 (v3+), offset_note @48 and
/// size_note @56 (v4+), offset_eraseinfo @64 and size_eraseinfo @72 (v5+), start_pfn_64 @80,
/// end_pfn_64 @88 and max_mapnr_64 @96 (v6+); 104 bytes. Fields newer than the file's
/// header_version read as zero.
/// </summary>
internal readonly record struct KdumpSubHeader(
    ulong PhysBase, int DumpLevel, int Split, ulong StartPfn, ulong EndPfn, long OffsetVmcoreinfo,
    ulong SizeVmcoreinfo, long OffsetNote, ulong SizeNote, long OffsetEraseinfo, ulong SizeEraseinfo,
    ulong StartPfn64, ulong EndPfn64, ulong MaxMapnr64)
{
    public const int Size = 104;

    public static KdumpSubHeader Parse(ReadOnlySpan<byte> b, int headerVersion)
    {
        var v = headerVersion;
        return new(U(b, 0, 0, v), I(b, 8, 1, v), I(b, 12, 2, v), U(b, 16, 2, v), U(b, 24, 2, v), (long)U(b, 32, 3, v),
            U(b, 40, 3, v), (long)U(b, 48, 4, v), U(b, 56, 4, v), (long)U(b, 64, 5, v), U(b, 72, 5, v), U(b, 80, 6, v),
            U(b, 88, 6, v), U(b, 96, 6, v));
    }

    static ulong U(ReadOnlySpan<byte> b, int at, int since, int version) =>
        version >= since ? BinaryPrimitives.ReadUInt64LittleEndian(b[at..]) : 0;

    static int I(ReadOnlySpan<byte> b, int at, int since, int version) =>
        version >= since ? BinaryPrimitives.ReadInt32LittleEndian(b[at..]) : 0;
}
