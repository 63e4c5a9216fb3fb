using System.Buffers.Binary;
using KdumpDebug.Core.Errors;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Dump.Tests;

/// <summary>
/// Bounds tests (ClrMD's ElfBoundsTests): copies of real dumps, truncated or with one field
/// corrupted, give one-line errors naming the file and the field or offset, at open for headers and
/// bitmaps, when the page is read for page descriptors and data. Never a crash, hang or
/// IndexOutOfRange.
/// </summary>
public class BadInputTests
{
    const string Zlib = "sysrq/vmcore.kdump-zlib";

    static T AssertError<T>(Action action, string path, params string[] parts) where T : KdumpDebugException
    {
        var ex = Assert.Throws<T>(action);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.Contains(path, ex.Message);
        foreach (var part in parts) Assert.Contains(part, ex.Message);
        return ex;
    }

    static void Truncate(string path, long length)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Write);
        f.SetLength(length);
    }

    static void Patch(string path, long offset, ReadOnlySpan<byte> bytes)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Write);
        f.Position = offset;
        f.Write(bytes);
    }

    static void PatchInt32(string path, long offset, int value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, value);
        Patch(path, offset, b);
    }

    static void PatchInt64(string path, long offset, long value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b, value);
        Patch(path, offset, b);
    }

    /// <summary>File offset of page_desc[0] of a kdump file: (1 + sub_hdr_size + bitmap_blocks) * block_size.</summary>
    static long DescBase(string path)
    {
        var h = new byte[464];
        using (var f = File.OpenRead(path)) f.ReadExactly(h);
        var bs = BinaryPrimitives.ReadInt32LittleEndian(h.AsSpan(428));
        return (1L + BinaryPrimitives.ReadInt32LittleEndian(h.AsSpan(432)) + BinaryPrimitives.ReadUInt32LittleEndian(h.AsSpan(436))) * bs;
    }

    static readonly Lazy<ulong[]> PresentPfns = new(() =>
    {
        using var dump = DumpFixtures.Open(Zlib);
        return dump.Memory.EnumeratePresentPfns().ToArray();
    });

    /// <summary>page_desc[index] of a copy of a sysrq kdump file (all encodings have the same bitmaps).</summary>
    static (ulong Pfn, long Offset, uint Size, uint Flags) Descriptor(string path, int index)
    {
        var pfn = PresentPfns.Value[index];
        var d = new byte[24];
        using var f = File.OpenRead(path);
        f.Position = DescBase(path) + 24L * index;
        f.ReadExactly(d);
        return (pfn, BinaryPrimitives.ReadInt64LittleEndian(d), BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(8)),
            BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(12)));
    }

    static byte[] ReadPage(IDumpFile dump, ulong pfn)
    {
        var b = new byte[4096];
        dump.Memory.Read(pfn * 4096, b);
        return b;
    }

    // ---- kdump: header and bitmaps (fail at open) ----

    [FixtureFact]
    public void Header_cut_short_fails_at_open()
    {
        var path = DumpFixtures.Copy(Zlib);
        Truncate(path, 300);
        AssertError<DumpFormatException>(() => DumpOpener.Open(path), path, "disk_dump_header", "truncated");
    }

    [FixtureFact]
    public void Bitmap_cut_short_fails_at_open()
    {
        var path = DumpFixtures.Copy(Zlib);
        Truncate(path, DescBase(path) - 1000);
        AssertError<DumpFormatException>(() => DumpOpener.Open(path), path, "bitmap_blocks", "past the end of the file");
    }

    [FixtureTheory]
    [InlineData(0)]
    [InlineData(3000)]
    [InlineData(-4096)]
    [InlineData(1 << 20)]
    public void Block_size_not_a_sane_power_of_two_fails_at_open(int blockSize)
    {
        var path = DumpFixtures.Copy(Zlib);
        PatchInt32(path, 428, blockSize);
        AssertError<DumpFormatException>(() => DumpOpener.Open(path), path, "disk_dump_header.block_size at offset 0x1ac",
            $"{blockSize} is not a power of two");
    }

    [FixtureTheory]
    [InlineData(0x7ffffffe, "past the end of the file")]
    [InlineData(7, "not a positive even number")]
    [InlineData(0, "not a positive even number")]
    public void Bad_bitmap_blocks_fails_at_open(int bitmapBlocks, string problem)
    {
        var path = DumpFixtures.Copy(Zlib);
        PatchInt32(path, 436, bitmapBlocks);
        AssertError<DumpFormatException>(() => DumpOpener.Open(path), path, "disk_dump_header.bitmap_blocks at offset 0x1b4", problem);
    }

    [FixtureTheory]
    [InlineData(-1)]
    [InlineData(1 << 30)]
    public void Bad_sub_hdr_size_fails_at_open(int blocks)
    {
        var path = DumpFixtures.Copy(Zlib);
        PatchInt32(path, 432, blocks);
        AssertError<DumpFormatException>(() => DumpOpener.Open(path), path, "disk_dump_header.sub_hdr_size");
    }

    [FixtureFact]
    public void Max_mapnr_larger_than_the_bitmaps_fails_at_open()
    {
        var path = DumpFixtures.Copy(Zlib);
        PatchInt64(path, 4096 + 96, 1L << 40); // kdump_sub_header.max_mapnr_64
        AssertError<DumpFormatException>(() => DumpOpener.Open(path), path, "max_mapnr", "each bitmap holds only");
    }

    [FixtureFact]
    public void Note_block_past_the_end_fails_at_open()
    {
        var path = DumpFixtures.Copy(Zlib);
        PatchInt64(path, 4096 + 48, 1L << 40); // kdump_sub_header.offset_note
        AssertError<DumpFormatException>(() => DumpOpener.Open(path), path, "kdump_sub_header.offset_note/size_note", "outside the file");
        PatchInt64(path, 4096 + 48, 4200);
        PatchInt64(path, 4096 + 56, 1L << 40); // size_note
        AssertError<DumpFormatException>(() => DumpOpener.Open(path), path, "kdump_sub_header.offset_note/size_note", "exceeds the limit");
    }

    [FixtureFact]
    public void Corrupt_note_header_fails_at_open()
    {
        var path = DumpFixtures.Copy(Zlib);
        PatchInt32(path, 4200 + 4, 1 << 30); // n_descsz of the first note (offset_note = 4200 in this dump)
        AssertError<DumpFormatException>(() => DumpOpener.Open(path), path, "Elf64_Nhdr.n_descsz at offset 0x106c");
    }

    // ---- kdump: page descriptors and data (fail when the page is read) ----

    [FixtureFact]
    public void Page_descriptor_table_cut_short_fails_on_the_first_missing_page()
    {
        var path = DumpFixtures.Copy(Zlib);
        Truncate(path, DescBase(path) + 100 * 24 + 5);
        using var original = DumpFixtures.Open(Zlib);
        using var dump = DumpOpener.Open(path);
        var pfns = dump.Memory.EnumeratePresentPfns().ToList();
        Assert.Equal(6601, pfns.Count); // the bitmaps are intact
        var ex = AssertError<DumpFormatException>(() => ReadPage(dump, pfns[100]), path, $"page_desc[100] (PFN {pfns[100]:x})",
            "past the end of the file", "truncated");
        Assert.Equal(DescBase(path) + 100 * 24, ex.Offset);
        // The descriptors before it are there, their data is not.
        AssertError<DumpFormatException>(() => ReadPage(dump, pfns[99]), path, "page_desc[99]", ".offset", "outside the file");
    }

    [FixtureFact]
    public void Page_data_cut_short_fails_only_for_the_pages_past_the_end()
    {
        var path = DumpFixtures.Copy(Zlib);
        var length = new FileInfo(path).Length;
        Truncate(path, length / 2);
        using var original = DumpFixtures.Open(Zlib);
        using var dump = DumpOpener.Open(path);
        int good = 0, bad = 0;
        foreach (var pfn in dump.Memory.EnumeratePresentPfns())
        {
            try
            {
                Assert.Equal(ReadPage(original, pfn), ReadPage(dump, pfn));
                good++;
            }
            catch (DumpFormatException ex)
            {
                Assert.DoesNotContain('\n', ex.Message);
                Assert.Contains(path, ex.Message);
                Assert.Contains($"PFN {pfn:x}", ex.Message);
                Assert.Contains("outside the file", ex.Message);
                bad++;
            }
        }
        Assert.True(good > 1000 && bad > 1000, $"{good} good, {bad} bad");
        // The bulk reader stops at the first bad page with the same error.
        AssertError<DumpFormatException>(() => DumpPageReader.ReadAllPresentPages(dump), path, "outside the file");
    }

    [FixtureFact]
    public void Page_descriptor_pointing_past_the_end_fails_for_that_page()
    {
        var path = DumpFixtures.Copy(Zlib);
        var (pfn, _, _, _) = Descriptor(path, 10);
        PatchInt64(path, DescBase(path) + 24 * 10, new FileInfo(path).Length - 10);
        using var dump = DumpOpener.Open(path);
        var ex = AssertError<DumpFormatException>(() => ReadPage(dump, pfn), path, $"page_desc[10] (PFN {pfn:x}).offset", "outside the file");
        Assert.Equal(DescBase(path) + 24 * 10, ex.Offset);
        ReadPage(dump, dump.Memory.EnumeratePresentPfns().ElementAt(11)); // its neighbour is fine
    }

    [FixtureTheory]
    [InlineData(0x40u)]
    [InlineData(0x3u)]
    [InlineData(0x8u)]
    [InlineData(0x80000001u)]
    public void Unknown_compression_flag_fails_for_that_page(uint flags)
    {
        var path = DumpFixtures.Copy(Zlib);
        var (pfn, _, _, _) = Descriptor(path, 20);
        PatchInt32(path, DescBase(path) + 24 * 20 + 12, (int)flags);
        using var dump = DumpOpener.Open(path);
        AssertError<DumpFormatException>(() => ReadPage(dump, pfn), path, ".flags", $"unknown compression flag 0x{flags:x}");
    }

    [FixtureTheory]
    [InlineData(0)]
    [InlineData(4097)]
    public void Page_size_out_of_range_fails_for_that_page(int size)
    {
        var path = DumpFixtures.Copy(Zlib);
        var (pfn, _, _, _) = Descriptor(path, 30);
        PatchInt32(path, DescBase(path) + 24 * 30 + 8, size);
        using var dump = DumpOpener.Open(path);
        AssertError<DumpFormatException>(() => ReadPage(dump, pfn), path, ".size", $"{size} is not between 1 and block_size 4096");
    }

    [FixtureFact]
    public void Corrupt_zlib_data_fails_for_that_page()
    {
        var path = DumpFixtures.Copy(Zlib);
        var index = Enumerable.Range(0, 200).First(i => Descriptor(path, i).Flags == 1);
        var (pfn, offset, size, _) = Descriptor(path, index);
        Patch(path, offset + 2, Enumerable.Repeat((byte)0xff, (int)size - 2).ToArray());
        using var dump = DumpOpener.Open(path);
        var ex = AssertError<DumpFormatException>(() => ReadPage(dump, pfn), path, $"page data of PFN {pfn:x} (zlib)");
        Assert.Equal(offset, ex.Offset);
    }

    [FixtureFact]
    public void Corrupt_lzo_data_fails_for_that_page()
    {
        var path = DumpFixtures.Copy("sysrq/vmcore.kdump-lzo");
        var index = Enumerable.Range(0, 200).First(i => Descriptor(path, i).Flags == 2);
        var (pfn, offset, size, _) = Descriptor(path, index);
        Patch(path, offset + size - 3, [0x00, 0x00, 0x00]); // the end marker 11 00 00 becomes a literal run
        using var dump = DumpOpener.Open(path);
        AssertError<DumpFormatException>(() => ReadPage(dump, pfn), path, $"page data of PFN {pfn:x} (lzo)", "LZO1X");
    }

    // ---- flattened ----

    [FixtureFact]
    public void Flattened_file_cut_short_fails_at_open()
    {
        var path = DumpFixtures.Copy("sysrq/vmcore.kdump-zlib.flat");
        Truncate(path, new FileInfo(path).Length / 2);
        AssertError<DumpFormatException>(() => DumpOpener.Open(path), path, "makedumpfile_data_header", "truncated");
        Truncate(path, 5000);
        AssertError<DumpFormatException>(() => DumpOpener.Open(path), path, "makedumpfile_data_header");
        Truncate(path, 100);
        AssertError<DumpFormatException>(() => DumpOpener.Open(path), path, "makedumpfile_header");
    }

    [FixtureFact]
    public void Flattened_record_with_a_bad_size_fails_at_open()
    {
        var path = DumpFixtures.Copy("sysrq/vmcore.kdump-zlib.flat");
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(b, -5);
        Patch(path, 4096 + 8, b);
        AssertError<DumpFormatException>(() => DumpOpener.Open(path), path, "makedumpfile_data_header.buf_size at offset 0x1008", "-5");
        BinaryPrimitives.WriteInt64BigEndian(b, long.MaxValue);
        Patch(path, 4096 + 8, b);
        AssertError<DumpFormatException>(() => DumpOpener.Open(path), path, "makedumpfile_data_header.buf_size", "past the end of the file");
    }

    [FixtureFact]
    public void Flattened_header_with_an_unknown_version_fails_at_open()
    {
        var path = DumpFixtures.Copy("sysrq/vmcore.kdump-zlib.flat");
        Patch(path, 24, [0, 0, 0, 0, 0, 0, 0, 9]);
        AssertError<DumpFormatException>(() => DumpOpener.Open(path), path, "makedumpfile_header.version", "9");
    }

    // ---- ELF ----

    const string Elf = "sysrq/vmcore.elf.zst";

    [FixtureFact]
    public void Elf_with_pt_load_past_the_end_opens_and_fails_on_the_missing_pages()
    {
        var path = DumpFixtures.Copy(Elf);
        Truncate(path, 20_000_000);
        using var original = DumpFixtures.Open(Elf);
        using var dump = DumpOpener.Open(path);
        int good = 0, bad = 0;
        var b = new byte[4096];
        foreach (var pfn in dump.Memory.EnumeratePresentPfns())
        {
            try
            {
                Assert.Equal(ReadPage(original, pfn), ReadPage(dump, pfn));
                good++;
            }
            catch (DumpFormatException ex)
            {
                Assert.Contains(path, ex.Message);
                Assert.Matches(@"PT_LOAD\[\d+\] data for physical address [0-9a-f]+ at offset 0x[0-9a-f]+: past the end of the file at 0x1312d00", ex.Message);
                bad++;
            }
        }
        Assert.True(good > 1000 && bad > 1000, $"{good} good, {bad} bad");
    }

    static long PhdrOffset(string path, int index)
    {
        var h = new byte[64];
        using (var f = File.OpenRead(path)) f.ReadExactly(h);
        return (long)BinaryPrimitives.ReadUInt64LittleEndian(h.AsSpan(32)) + 56L * index;
    }

    [FixtureFact]
    public void Elf_pt_load_with_filesz_above_memsz_fails_at_open()
    {
        var path = DumpFixtures.Copy(Elf);
        PatchInt64(path, PhdrOffset(path, 2) + 32, 1L << 40);
        AssertError<DumpFormatException>(() => DumpOpener.Open(path), path, "PT_LOAD[2].p_filesz", "larger than p_memsz");
    }

    [FixtureFact]
    public void Elf_pt_load_with_offset_far_past_the_end_fails_when_read()
    {
        var path = DumpFixtures.Copy(Elf);
        PatchInt64(path, PhdrOffset(path, 3) + 8, 1L << 50);
        using var dump = DumpOpener.Open(path);
        // PT_LOAD[3] is the direct-map segment at physical 0x100000.
        AssertError<DumpFormatException>(() => ReadPage(dump, 0x100), path, "PT_LOAD[3] data for physical address 100000", "past the end of the file");
    }

    [FixtureTheory]
    [InlineData(32, 1L << 40, "e_phoff")]
    [InlineData(56, 0L, "e_phnum")]
    public void Elf_header_fields_out_of_range_fail_at_open(int offset, long value, string field)
    {
        var path = DumpFixtures.Copy(Elf);
        if (offset == 56) Patch(path, 56, [0, 0]);
        else PatchInt64(path, offset, value);
        AssertError<DumpFormatException>(() => DumpOpener.Open(path), path, field);
    }

    [FixtureFact]
    public void Elf_program_header_count_past_the_end_fails_at_open()
    {
        var path = DumpFixtures.Copy(Elf);
        Patch(path, 56, [0xfe, 0xff]); // 65534 program headers (3.6 MB) in a file cut to 1 MiB
        Truncate(path, 1 << 20);
        AssertError<DumpFormatException>(() => DumpOpener.Open(path), path, "program header table", "truncated");
    }

    [FixtureFact]
    public void Elf32_and_non_core_files_are_refused()
    {
        var path = DumpFixtures.Copy(Elf);
        Patch(path, 4, [1]);
        AssertError<DumpFormatException>(() => DumpOpener.Open(path), path, "e_ident[EI_CLASS]", "only ELF64");
        Patch(path, 4, [2]);
        Patch(path, 16, [2, 0]); // ET_EXEC
        AssertError<DumpFormatException>(() => DumpOpener.Open(path), path, "e_type", "not ET_CORE");
    }
}
