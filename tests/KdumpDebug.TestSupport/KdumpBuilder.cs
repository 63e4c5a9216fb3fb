using System.Buffers.Binary;
using System.Text;

namespace KdumpDebug.TestSupport;

/// <summary>
/// Writes kdump-compressed files (makedumpfile's diskdump format, header version 6, 64-bit
/// little-endian layout of diskdump_mod.h) from pages given in code, so a reader test has its input
/// beside its assertion. The caller supplies each page's stored bytes and page_desc flags (0 = raw
/// block, 0x1 zlib, 0x2 LZO, 0x4 snappy, 0x20 zstd), i.e. it does the compressing; the builder lays out
/// block 0 (disk_dump_header), the kdump_sub_header with the ELF notes and VMCOREINFO after it, the two
/// bitmaps, the page_desc array and the data, as makedumpfile does. <see cref="Flatten"/> turns any
/// file into makedumpfile's flattened format with records in the order given.
/// </summary>
public sealed class KdumpBuilder
{
    readonly SortedDictionary<ulong, (byte[] Data, uint Flags)> _pages = new();
    readonly SortedSet<ulong> _excluded = new();

    public int BlockSize { get; init; } = 4096;
    /// <summary>8 bytes: "KDUMP   " or "DISKDUMP".</summary>
    public string Signature { get; init; } = "KDUMP   ";
    public int HeaderVersion { get; init; } = 6;
    /// <summary>Number of PFNs the bitmaps describe; pages must be below it.</summary>
    public ulong MaxMapnr { get; init; }
    public int DumpLevel { get; init; } = 31;
    /// <summary>disk_dump_header.status (the compression bits in use).</summary>
    public uint Status { get; init; }
    public int NrCpus { get; init; } = 1;
    public string[] Utsname { get; init; } = ["Linux", "builder", "6.1.0-builder", "#1 SMP", "x86_64", "(none)"];
    public long TimestampSeconds { get; init; }
    public ulong PhysBase { get; init; }
    /// <summary>The ELF note block (see <see cref="Note"/>), stored at offset_note.</summary>
    public byte[] Notes { get; init; } = [];
    /// <summary>VMCOREINFO text, stored at offset_vmcoreinfo.</summary>
    public string? VmcoreInfo { get; init; }

    /// <summary>A dumped page: <paramref name="stored"/> is what goes into the file (compressed or a raw block).</summary>
    public KdumpBuilder AddPage(ulong pfn, ReadOnlySpan<byte> stored, uint flags)
    {
        if (pfn >= MaxMapnr) throw new ArgumentOutOfRangeException(nameof(pfn), "PFN not below MaxMapnr");
        _pages[pfn] = (stored.ToArray(), flags);
        _excluded.Remove(pfn);
        return this;
    }

    /// <summary>A page that is RAM (1st bitmap) but filtered out (not in the 2nd bitmap).</summary>
    public KdumpBuilder AddExcludedPage(ulong pfn)
    {
        if (pfn >= MaxMapnr) throw new ArgumentOutOfRangeException(nameof(pfn), "PFN not below MaxMapnr");
        if (!_pages.ContainsKey(pfn)) _excluded.Add(pfn);
        return this;
    }

    /// <summary>File offsets of the parts of the last <see cref="Build"/>, for tests that corrupt them.</summary>
    public KdumpLayout? Layout { get; private set; }

    public byte[] Build()
    {
        var bs = BlockSize;
        var vmcoreInfo = VmcoreInfo is null ? [] : Encoding.ASCII.GetBytes(VmcoreInfo);
        const int subHeaderSize = 104;
        var noteOffset = bs + subHeaderSize;
        var vmcoreInfoOffset = noteOffset + Notes.Length;
        var subBlocks = (subHeaderSize + Notes.Length + vmcoreInfo.Length + bs - 1) / bs;
        var bitmapBytes = (long)((MaxMapnr + 7) / 8);
        var halfBlocks = Math.Max(1, (bitmapBytes + bs - 1) / bs);
        var bitmapStart = (1L + subBlocks) * bs;
        var descStart = bitmapStart + 2 * halfBlocks * bs;
        var dataStart = descStart + 24L * _pages.Count;
        var size = dataStart + _pages.Values.Sum(p => (long)p.Data.Length);

        var file = new byte[size];
        var s = file.AsSpan();
        Encoding.ASCII.GetBytes(Signature.PadRight(8)[..8]).CopyTo(s);
        BinaryPrimitives.WriteInt32LittleEndian(s[8..], HeaderVersion);
        for (var i = 0; i < 6; i++)
        {
            var b = Encoding.ASCII.GetBytes(i < Utsname.Length ? Utsname[i] : "");
            b.AsSpan(0, Math.Min(64, b.Length)).CopyTo(s[(12 + 65 * i)..]);
        }
        BinaryPrimitives.WriteInt64LittleEndian(s[408..], TimestampSeconds);
        BinaryPrimitives.WriteUInt32LittleEndian(s[424..], Status);
        BinaryPrimitives.WriteInt32LittleEndian(s[428..], bs);
        BinaryPrimitives.WriteInt32LittleEndian(s[432..], subBlocks);
        BinaryPrimitives.WriteUInt32LittleEndian(s[436..], (uint)(2 * halfBlocks));
        BinaryPrimitives.WriteUInt32LittleEndian(s[440..], (uint)Math.Min(MaxMapnr, uint.MaxValue));
        BinaryPrimitives.WriteInt32LittleEndian(s[460..], NrCpus);

        var sub = s[bs..];
        BinaryPrimitives.WriteUInt64LittleEndian(sub, PhysBase);
        BinaryPrimitives.WriteInt32LittleEndian(sub[8..], DumpLevel);
        BinaryPrimitives.WriteInt64LittleEndian(sub[32..], vmcoreInfo.Length > 0 ? vmcoreInfoOffset : 0);
        BinaryPrimitives.WriteInt64LittleEndian(sub[40..], vmcoreInfo.Length);
        BinaryPrimitives.WriteInt64LittleEndian(sub[48..], Notes.Length > 0 ? noteOffset : 0);
        BinaryPrimitives.WriteInt64LittleEndian(sub[56..], Notes.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(sub[88..], MaxMapnr);
        BinaryPrimitives.WriteUInt64LittleEndian(sub[96..], MaxMapnr);
        Notes.CopyTo(s[noteOffset..]);
        vmcoreInfo.CopyTo(s[vmcoreInfoOffset..]);

        var bitmap1 = s.Slice((int)bitmapStart, (int)(halfBlocks * bs));
        var bitmap2 = s.Slice((int)(bitmapStart + halfBlocks * bs), (int)(halfBlocks * bs));
        foreach (var pfn in _excluded) bitmap1[(int)(pfn / 8)] |= (byte)(1 << (int)(pfn % 8));
        var desc = descStart;
        var data = dataStart;
        foreach (var (pfn, page) in _pages)
        {
            bitmap1[(int)(pfn / 8)] |= (byte)(1 << (int)(pfn % 8));
            bitmap2[(int)(pfn / 8)] |= (byte)(1 << (int)(pfn % 8));
            BinaryPrimitives.WriteInt64LittleEndian(s[(int)desc..], data);
            BinaryPrimitives.WriteUInt32LittleEndian(s[(int)(desc + 8)..], (uint)page.Data.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(s[(int)(desc + 12)..], page.Flags);
            page.Data.CopyTo(s[(int)data..]);
            desc += 24;
            data += page.Data.Length;
        }
        Layout = new KdumpLayout(bitmapStart, descStart, dataStart, _pages.Count);
        return file;
    }

    /// <summary>One ELF64 note (Elf64_Nhdr + name + descriptor, each padded to 4 bytes).</summary>
    public static byte[] Note(string name, uint type, ReadOnlySpan<byte> descriptor)
    {
        var nameBytes = Encoding.ASCII.GetBytes(name + "\0");
        var nameLen = (nameBytes.Length + 3) & ~3;
        var descLen = (descriptor.Length + 3) & ~3;
        var note = new byte[12 + nameLen + descLen];
        BinaryPrimitives.WriteUInt32LittleEndian(note, (uint)nameBytes.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(note.AsSpan(4), (uint)descriptor.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(note.AsSpan(8), type);
        nameBytes.CopyTo(note, 12);
        descriptor.CopyTo(note.AsSpan(12 + nameLen));
        return note;
    }

    /// <summary>
    /// makedumpfile's flattened format: the 4096-byte header ("makedumpfile", big-endian type 1 and
    /// version 1), then each record as big-endian (offset, size) + data in the order given, then the end
    /// record (-1, -1). Overlapping records are allowed (the later one wins when replayed).
    /// </summary>
    public static byte[] Flatten(IEnumerable<(long Offset, byte[] Data)> records)
    {
        using var ms = new MemoryStream();
        var header = new byte[4096];
        "makedumpfile"u8.CopyTo(header);
        BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(16), 1);
        BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(24), 1);
        ms.Write(header);
        Span<byte> rec = stackalloc byte[16];
        foreach (var (offset, data) in records)
        {
            BinaryPrimitives.WriteInt64BigEndian(rec, offset);
            BinaryPrimitives.WriteInt64BigEndian(rec[8..], data.Length);
            ms.Write(rec);
            ms.Write(data);
        }
        BinaryPrimitives.WriteInt64BigEndian(rec, -1);
        BinaryPrimitives.WriteInt64BigEndian(rec[8..], -1);
        ms.Write(rec);
        return ms.ToArray();
    }

    /// <summary>A file cut into records of at most <paramref name="size"/> bytes, in file order.</summary>
    public static IEnumerable<(long Offset, byte[] Data)> Chunks(byte[] file, int size)
    {
        for (long at = 0; at < file.Length; at += size)
            yield return (at, file.AsSpan((int)at, (int)Math.Min(size, file.Length - at)).ToArray());
    }
}

/// <summary>Where <see cref="KdumpBuilder.Build"/> put the bitmaps, the page_desc array and the page data.</summary>
public sealed record KdumpLayout(long BitmapStart, long DescStart, long DataStart, int PageCount);
