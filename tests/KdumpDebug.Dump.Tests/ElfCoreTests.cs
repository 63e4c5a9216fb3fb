using System.Buffers.Binary;
using KdumpDebug.Core.Errors;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Dump.Tests;

/// <summary>
/// Small ELF cores written in the test, for the cases the fixtures do not have: overlapping
/// segments, a p_memsz tail, a segment ending mid-page, more than 0xfffe program headers (PN_XNUM).
/// </summary>
public class ElfCoreTests
{
    sealed record Load(ulong PhysAddr, byte[] Data, ulong MemSize);

    /// <summary>ELF64 ET_CORE x86-64: header, program headers, optional section header 0, notes, data.</summary>
    static byte[] Core(IReadOnlyList<Load> loads, byte[]? notes = null, bool pnXnum = false)
    {
        notes ??= [];
        var phnum = loads.Count + 1;
        var phoff = 64;
        var shoff = phoff + 56 * phnum;
        var notesAt = shoff + (pnXnum ? 64 : 0);
        var dataAt = notesAt + notes.Length;
        var size = dataAt + loads.Sum(l => l.Data.Length);
        var f = new byte[size];
        var s = f.AsSpan();
        s[0] = 0x7f; s[1] = (byte)'E'; s[2] = (byte)'L'; s[3] = (byte)'F'; s[4] = 2; s[5] = 1; s[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(s[16..], 4);  // ET_CORE
        BinaryPrimitives.WriteUInt16LittleEndian(s[18..], 62); // EM_X86_64
        BinaryPrimitives.WriteUInt32LittleEndian(s[20..], 1);
        BinaryPrimitives.WriteUInt64LittleEndian(s[32..], (ulong)phoff);
        BinaryPrimitives.WriteUInt64LittleEndian(s[40..], pnXnum ? (ulong)shoff : 0);
        BinaryPrimitives.WriteUInt16LittleEndian(s[52..], 64);
        BinaryPrimitives.WriteUInt16LittleEndian(s[54..], 56);
        BinaryPrimitives.WriteUInt16LittleEndian(s[56..], pnXnum ? (ushort)0xffff : (ushort)phnum);
        BinaryPrimitives.WriteUInt16LittleEndian(s[58..], 64);
        BinaryPrimitives.WriteUInt16LittleEndian(s[60..], pnXnum ? (ushort)1 : (ushort)0);
        if (pnXnum) BinaryPrimitives.WriteUInt32LittleEndian(s[(shoff + 44)..], (uint)phnum); // sh_info

        void Phdr(int i, uint type, long offset, ulong paddr, ulong filesz, ulong memsz)
        {
            var p = f.AsSpan(phoff + 56 * i);
            BinaryPrimitives.WriteUInt32LittleEndian(p, type);
            BinaryPrimitives.WriteUInt64LittleEndian(p[8..], (ulong)offset);
            BinaryPrimitives.WriteUInt64LittleEndian(p[24..], paddr);
            BinaryPrimitives.WriteUInt64LittleEndian(p[32..], filesz);
            BinaryPrimitives.WriteUInt64LittleEndian(p[40..], memsz);
        }
        Phdr(0, 4, notesAt, 0, (ulong)notes.Length, 0);
        notes.CopyTo(s[notesAt..]);
        var at = dataAt;
        for (var i = 0; i < loads.Count; i++)
        {
            Phdr(i + 1, 1, at, loads[i].PhysAddr, (ulong)loads[i].Data.Length, loads[i].MemSize);
            loads[i].Data.CopyTo(s[at..]);
            at += loads[i].Data.Length;
        }
        return f;
    }

    static byte[] Fill(int length, byte value) => Enumerable.Repeat(value, length).ToArray();

    static IDumpFile Open(byte[] core)
    {
        var path = Path.Combine(Fixtures.NewTempDirectory(), "vmcore");
        File.WriteAllBytes(path, core);
        return DumpOpener.Open(path);
    }

    static byte ReadByte(IDumpFile dump, ulong address)
    {
        var b = new byte[1];
        dump.Memory.Read(address, b);
        return b[0];
    }

    [Fact]
    public void Overlapping_segments_first_in_file_order_wins_and_file_bytes_beat_a_tail()
    {
        using var dump = Open(Core(
        [
            new(0x10000, Fill(0x2000, 0xaa), 0x4000),   // file-backed [0x10000, 0x12000), tail to 0x14000
            new(0x11000, Fill(0x2000, 0xbb), 0x2000),   // overlaps: loses [0x11000, 0x12000), wins over the tail
            new(0x10000, Fill(0x1000, 0xcc), 0x1000),   // same range as the first: loses
        ]));
        Assert.Equal(0xaa, ReadByte(dump, 0x10000));
        Assert.Equal(0xaa, ReadByte(dump, 0x11fff));
        Assert.Equal(0xbb, ReadByte(dump, 0x12000));
        Assert.Equal(0xbb, ReadByte(dump, 0x12fff));
        Assert.Equal(PageStatus.Excluded, dump.Memory.GetPageStatus(0x13));
        var ex = Assert.Throws<PageExcludedException>(() => ReadByte(dump, 0x13000));
        Assert.Equal("page excluded: PFN 13", ex.Message);
        Assert.Equal([0x10UL, 0x11, 0x12], dump.Memory.EnumeratePresentPfns());
        Assert.Equal(0x14UL, dump.Memory.MaxPfn);
        Assert.Equal(PageStatus.NotInDump, dump.Memory.GetPageStatus(0xf));
        Assert.Equal("physical address not in dump: 14000", Assert.Throws<FaultException>(() => ReadByte(dump, 0x14000)).Message);
        // A read across two segments.
        var buf = new byte[4];
        dump.Memory.Read(0x11ffe, buf);
        Assert.Equal(new byte[] { 0xaa, 0xaa, 0xbb, 0xbb }, buf);
        Assert.Equal("ELF", dump.Description);
        Assert.Empty(dump.CpuRegisters);
        Assert.Null(dump.VmcoreInfo);
    }

    [Fact]
    public void Segment_ending_mid_page_gives_a_short_page_to_the_bulk_reader()
    {
        using var dump = Open(Core([new(0x1000, Fill(0x1c00, 0x11), 0x1c00)]));
        Assert.Equal([1UL, 2UL], dump.Memory.EnumeratePresentPfns());
        var sizes = new List<int>();
        DumpPageReader.ReadAllPresentPages(dump, (_, data) => sizes.Add(data.Length));
        Assert.Equal([4096, 0xc00], sizes);
        Assert.Throws<FaultException>(() => dump.Memory.Read(0x2bff, new byte[2]));
    }

    [Fact]
    public void Program_header_count_in_section_header_zero_when_pn_xnum()
    {
        var note = KdumpBuilder.Note("VMCOREINFO", 0, "OSRELEASE=x\nPAGESIZE=4096\n"u8);
        using var dump = Open(Core([new(0, Fill(0x1000, 1), 0x1000), new(0x5000, Fill(0x1000, 2), 0x1000)],
            [.. note, .. new byte[24]], pnXnum: true));
        Assert.Equal([0UL, 5UL], dump.Memory.EnumeratePresentPfns());
        Assert.Equal(2, ReadByte(dump, 0x5000));
        Assert.Equal("OSRELEASE=x\nPAGESIZE=4096\n", dump.VmcoreInfo);
        Assert.Single(dump.Notes); // the zero padding after the note is not a note
    }

    [Fact]
    public void Note_running_past_its_segment_fails_at_open()
    {
        var note = KdumpBuilder.Note("CORE", 1, new byte[336]);
        var core = Core([new(0, Fill(0x1000, 1), 0x1000)], note[..200]);
        var path = Path.Combine(Fixtures.NewTempDirectory(), "vmcore");
        File.WriteAllBytes(path, core);
        var ex = Assert.Throws<DumpFormatException>(() => DumpOpener.Open(path));
        Assert.Contains("Elf64_Nhdr at offset 0x", ex.Message);
        Assert.Contains("runs past the end of the note block", ex.Message);
    }

    [Fact]
    public void Segment_beyond_the_physical_address_space_fails_at_open()
    {
        var core = Core([new(1UL << 52, Fill(0x1000, 1), 0x1000)]);
        var path = Path.Combine(Fixtures.NewTempDirectory(), "vmcore");
        File.WriteAllBytes(path, core);
        var ex = Assert.Throws<DumpFormatException>(() => DumpOpener.Open(path));
        Assert.Contains("PT_LOAD[1].p_paddr", ex.Message);
    }
}
