using KdumpDebug.Core;
using KdumpDebug.Core.Errors;
using KdumpDebug.Dump.IO;
using KdumpDebug.Dump.Notes;

namespace KdumpDebug.Dump.Kdump;

/// <summary>
/// makedumpfile's kdump-compressed format (also written by QEMU's dump-guest-memory -z/-l/-s), read
/// through an <see cref="IByteSource"/> so that the same code serves a plain file and a flattened one.
/// Layout, in blocks of block_size bytes: block 0 the disk_dump_header; then sub_hdr_size blocks
/// holding the kdump_sub_header and the ELF notes / VMCOREINFO it points at; then bitmap_blocks blocks
/// holding the two page bitmaps (1st: pages that are RAM; 2nd: pages that were dumped); then the
/// page_desc array (one per dumped page) and the page data.
///
/// Opening reads and checks the headers, the notes and both bitmaps (ceil(max_mapnr / 8) bytes each)
/// and builds the rank index; page descriptors and data are read on demand. A broken header or bitmap
/// fails the open with a <see cref="DumpFormatException"/> naming the field; a broken page fails when
/// that page is read (see <see cref="KdumpPhysicalMemory"/>). crash prints "[PARTIAL DUMP]" when the
/// sub header's dump_level is above 0, and <see cref="IsPartial"/> says the same.
///
/// "DISKDUMP" files (the pre-kdump diskdump, whose sub header is architecture-specific) are read with
/// the same layout but without a sub header: no dump level, notes or VMCOREINFO.
/// </summary>
internal sealed class KdumpDumpFile : IDumpFile
{
    readonly IDisposable _owner;
    readonly KdumpPhysicalMemory _memory;

    public string Path { get; }
    public DumpFormat Format { get; }
    public string Description { get; }
    public bool IsPartial { get; }
    public int? DumpLevel { get; }
    public IPhysicalMemory Memory => _memory;
    public IReadOnlyList<ElfNote> Notes { get; }
    public string? VmcoreInfo { get; }
    public IReadOnlyList<CpuRegisters> CpuRegisters { get; }
    public KdumpHeaderInfo? KdumpHeader { get; }

    /// <summary>The byte source (for tests and diagnostics: a <see cref="FlattenedFile"/> or <see cref="MappedFile"/>).</summary>
    internal IByteSource Source { get; }

    KdumpDumpFile(IByteSource source, IDisposable owner, DumpFormat format, KdumpPhysicalMemory memory, KdumpHeaderInfo header,
        int? dumpLevel, List<ElfNote> notes, string? vmcoreInfo, IReadOnlyList<CpuRegisters> cpus)
    {
        Source = source;
        _owner = owner;
        _memory = memory;
        Path = source.Path;
        Format = format;
        KdumpHeader = header;
        DumpLevel = dumpLevel;
        IsPartial = dumpLevel > 0;
        Notes = notes;
        VmcoreInfo = vmcoreInfo;
        CpuRegisters = cpus;
        Description = format == DumpFormat.KdumpFlattened
            ? $"kdump-compressed, flattened ({header.Compression})"
            : $"kdump-compressed ({header.Compression})";
    }

    /// <summary>
    /// Reads the headers and bitmaps from <paramref name="source"/>. <paramref name="owner"/> is
    /// disposed with the dump, or at once when opening fails.
    /// </summary>
    public static KdumpDumpFile Open(IByteSource source, IDisposable owner, DumpFormat format, int cachePages = KdumpPhysicalMemory.DefaultCachePages)
    {
        try
        {
            return Parse(source, owner, format, cachePages);
        }
        catch
        {
            owner.Dispose();
            throw;
        }
    }

    static KdumpDumpFile Parse(IByteSource source, IDisposable owner, DumpFormat format, int cachePages)
    {
        var path = source.Path;
        if (source.Length < DiskDumpHeader.Size)
            throw new DumpFormatException(path, 0, "disk_dump_header",
                $"the file has {source.Length} bytes, the header needs {DiskDumpHeader.Size}: truncated");
        Span<byte> raw = stackalloc byte[DiskDumpHeader.Size];
        source.Read(0, raw, "disk_dump_header");
        if (!DiskDumpHeader.HasSignature(raw))
            throw new DumpFormatException(path, 0, "disk_dump_header.signature",
                format == DumpFormat.KdumpFlattened
                    ? "the flattened data does not hold a kdump-compressed file (no \"KDUMP   \" signature)"
                    : "not \"KDUMP   \" or \"DISKDUMP\"");
        var h = DiskDumpHeader.Parse(raw);

        if (h.HeaderVersion < 0 || h.HeaderVersion > 1000)
            throw new DumpFormatException(path, DiskDumpHeader.Offsets.HeaderVersion, "disk_dump_header.header_version",
                $"{h.HeaderVersion} is not a known version");
        var bs = h.BlockSize;
        if (bs < 512 || bs > DataLimits.MaxPageSize || (bs & (bs - 1)) != 0)
            throw new DumpFormatException(path, DiskDumpHeader.Offsets.BlockSize, "disk_dump_header.block_size",
                $"{bs} is not a power of two between 512 and {DataLimits.MaxPageSize}");
        if (h.SubHeaderBlocks < 0 || (1L + h.SubHeaderBlocks) * bs > source.Length)
            throw new DumpFormatException(path, DiskDumpHeader.Offsets.SubHdrSize, "disk_dump_header.sub_hdr_size",
                $"{h.SubHeaderBlocks} blocks of {bs} bytes run past the end of the file at 0x{source.Length:x}");
        if (h.BitmapBlocks == 0 || h.BitmapBlocks % 2 != 0)
            throw new DumpFormatException(path, DiskDumpHeader.Offsets.BitmapBlocks, "disk_dump_header.bitmap_blocks",
                $"{h.BitmapBlocks} is not a positive even number (two bitmaps of equal size)");
        var bitmapStart = (1L + h.SubHeaderBlocks) * bs;
        var descBase = bitmapStart + (long)h.BitmapBlocks * bs;
        if (descBase > source.Length)
            throw new DumpFormatException(path, DiskDumpHeader.Offsets.BitmapBlocks, "disk_dump_header.bitmap_blocks",
                $"{h.BitmapBlocks} blocks of bitmap from 0x{bitmapStart:x} run past the end of the file at 0x{source.Length:x}");
        if (h.NrCpus < 0 || h.NrCpus > DataLimits.MaxCpus)
            throw new DumpFormatException(path, DiskDumpHeader.Offsets.NrCpus, "disk_dump_header.nr_cpus",
                $"{h.NrCpus} is outside 0..{DataLimits.MaxCpus}");

        KdumpSubHeader sub = default;
        var notes = new List<ElfNote>();
        string? vmcoreInfo = null;
        if (h.IsKdump)
        {
            if (h.SubHeaderBlocks < 1)
                throw new DumpFormatException(path, DiskDumpHeader.Offsets.SubHdrSize, "disk_dump_header.sub_hdr_size",
                    "0: a KDUMP file needs at least one block for kdump_sub_header");
            Span<byte> subRaw = stackalloc byte[KdumpSubHeader.Size];
            source.Read(bs, subRaw, "kdump_sub_header");
            sub = KdumpSubHeader.Parse(subRaw, h.HeaderVersion);
            if (sub.SizeNote > 0)
            {
                var block = ReadBlock(source, sub.OffsetNote, sub.SizeNote, bs + 48, "kdump_sub_header.offset_note/size_note");
                ElfNoteReader.Parse(path, sub.OffsetNote, block, notes);
            }
            if (sub.SizeVmcoreinfo > 0)
                vmcoreInfo = VmcoreInfoText.Decode(ReadBlock(source, sub.OffsetVmcoreinfo, sub.SizeVmcoreinfo, bs + 32,
                    "kdump_sub_header.offset_vmcoreinfo/size_vmcoreinfo"));
        }
        vmcoreInfo ??= VmcoreInfoText.FromNotes(notes);

        // max_mapnr is 32 bits in the header; header version 6 added max_mapnr_64 (makedumpfile 1.5.5).
        var maxMapnr = h.HeaderVersion >= 6 && sub.MaxMapnr64 != 0 ? sub.MaxMapnr64 : h.MaxMapnr;
        var bitmapBits = (ulong)(h.BitmapBlocks / 2) * (ulong)bs * 8;
        if (maxMapnr > bitmapBits)
            throw new DumpFormatException(path, h.HeaderVersion >= 6 && sub.MaxMapnr64 != 0 ? bs + 96 : DiskDumpHeader.Offsets.MaxMapnr,
                "max_mapnr", $"{maxMapnr} pages, but each bitmap holds only {bitmapBits} bits (bitmap_blocks {h.BitmapBlocks})");
        if (maxMapnr > DataLimits.MaxPhysicalAddress / (ulong)bs)
            throw new DumpFormatException(path, DiskDumpHeader.Offsets.MaxMapnr, "max_mapnr",
                $"{maxMapnr} pages is beyond the 52-bit physical address space");

        var halfBytes = (long)(h.BitmapBlocks / 2) * bs;
        var ram = DumpBitmap.Load(source, bitmapStart, maxMapnr, "1st bitmap");
        var dumpable = DumpBitmap.Load(source, bitmapStart + halfBytes, maxMapnr, "2nd bitmap");

        ulong firstPfn = 0, endPfn = maxMapnr;
        if (h.IsKdump && sub.Split != 0)
        {
            // makedumpfile --split: each file holds [start_pfn, end_pfn) (64-bit fields since v6).
            firstPfn = h.HeaderVersion >= 6 ? sub.StartPfn64 : sub.StartPfn;
            endPfn = h.HeaderVersion >= 6 ? sub.EndPfn64 : sub.EndPfn;
            if (firstPfn > endPfn || endPfn > maxMapnr)
                throw new DumpFormatException(path, bs + 80, "kdump_sub_header.start_pfn_64/end_pfn_64",
                    $"split range [0x{firstPfn:x}, 0x{endPfn:x}) is not inside max_mapnr 0x{maxMapnr:x}");
        }

        int? dumpLevel = h.IsKdump && h.HeaderVersion >= 1 ? sub.DumpLevel : null;
        var status = (KdumpStatus)h.Status;
        var memory = new KdumpPhysicalMemory(source, bs, maxMapnr, ram, dumpable, descBase, firstPfn, endPfn, dumpLevel,
            status.HasFlag(KdumpStatus.Incomplete), cachePages);

        var timestamp = DateTimeOffset.UnixEpoch;
        if (h.TimestampSeconds >= -62135596800L && h.TimestampSeconds <= 253402300799L)
        {
            timestamp = DateTimeOffset.FromUnixTimeSeconds(h.TimestampSeconds);
            if (h.TimestampMicroseconds is > 0 and < 1_000_000) timestamp = timestamp.AddTicks(h.TimestampMicroseconds * 10);
        }
        var info = new KdumpHeaderInfo(h.Signature.TrimEnd(' ', '\0'), h.HeaderVersion, h.SysName, h.NodeName, h.Release,
            h.Version, h.Machine, h.DomainName, timestamp, h.Status, bs, h.NrCpus, dumpLevel ?? 0, CompressionName(status))
        {
            PhysBase = sub.PhysBase,
            MaxMapnr = maxMapnr,
        };
        var cpus = h.Machine == "x86_64" ? PrStatusReader.ReadX86_64(notes) : new List<CpuRegisters>();
        return new KdumpDumpFile(source, owner, format, memory, info, dumpLevel, notes, vmcoreInfo, cpus);
    }

    static ReadOnlySpan<byte> ReadBlock(IByteSource source, long offset, ulong size, long fieldOffset, string field)
    {
        if (size > (ulong)DataLimits.MaxNoteSize)
            throw new DumpFormatException(source.Path, fieldOffset + 8, field, $"size {size} exceeds the limit of {DataLimits.MaxNoteSize} bytes");
        if (offset < 0 || offset > source.Length - (long)size)
            throw new DumpFormatException(source.Path, fieldOffset, field,
                $"0x{offset:x}+{size} is outside the file (size 0x{source.Length:x})");
        var bytes = new byte[(int)size];
        source.Read(offset, bytes, field);
        return bytes;
    }

    /// <summary>The compression the header's status names: "zlib", "lzo", "snappy", "zstd" or "uncompressed".</summary>
    internal static string CompressionName(KdumpStatus status) =>
        status.HasFlag(KdumpStatus.CompressedZlib) ? "zlib"
        : status.HasFlag(KdumpStatus.CompressedLzo) ? "lzo"
        : status.HasFlag(KdumpStatus.CompressedSnappy) ? "snappy"
        : status.HasFlag(KdumpStatus.CompressedZstd) ? "zstd"
        : "uncompressed";

    public void Dispose()
    {
        _memory.Dispose();
        _owner.Dispose();
    }
}
