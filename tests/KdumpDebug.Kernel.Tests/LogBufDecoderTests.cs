using System.Buffers.Binary;
using System.Text;
using KdumpDebug.Debuginfo.Dwarf;
using KdumpDebug.Debuginfo.Dwarf.Index;
using KdumpDebug.Debuginfo.Elf;
using KdumpDebug.Debuginfo.Types;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Kernel.Tests;

/// <summary>
/// The pre-5.10 log_buf format (no fixture kernel has it): a buffer laid out as printk.c writes
/// it, with struct printk_log described by DWARF built in code (the 5.x layout: bit-field level,
/// caller_id, packed to 20 bytes).
/// </summary>
public class LogBufDecoderTests
{
    const int HeaderSize = 20;

    static (TypeSystem Types, CType PrintkLog, ElfFile Elf) BuildTypes()
    {
        var b = new DwarfBuilder();
        var root = b.AddUnit().SetRoot().Attr(DwAt.Name, DwForm.String, "printk.c");
        root.Child(DwTag.BaseType).Label("u64").Attr(DwAt.Name, DwForm.String, "long long unsigned int").Attr(DwAt.ByteSize, DwForm.Data1, 8).Attr(DwAt.Encoding, DwForm.Data1, (int)DwAte.Unsigned);
        root.Child(DwTag.BaseType).Label("u32").Attr(DwAt.Name, DwForm.String, "unsigned int").Attr(DwAt.ByteSize, DwForm.Data1, 4).Attr(DwAt.Encoding, DwForm.Data1, (int)DwAte.Unsigned);
        root.Child(DwTag.BaseType).Label("u16").Attr(DwAt.Name, DwForm.String, "short unsigned int").Attr(DwAt.ByteSize, DwForm.Data1, 2).Attr(DwAt.Encoding, DwForm.Data1, (int)DwAte.Unsigned);
        root.Child(DwTag.BaseType).Label("u8").Attr(DwAt.Name, DwForm.String, "unsigned char").Attr(DwAt.ByteSize, DwForm.Data1, 1).Attr(DwAt.Encoding, DwForm.Data1, (int)DwAte.UnsignedChar);
        var s = root.Child(DwTag.StructureType).Attr(DwAt.Name, DwForm.String, "printk_log").Attr(DwAt.ByteSize, DwForm.Data1, HeaderSize);
        void Member(string name, string type, int offset) =>
            s.Child(DwTag.Member).Attr(DwAt.Name, DwForm.String, name).Attr(DwAt.Type, DwForm.Ref4, new DwarfBuilder.Ref(type)).Attr(DwAt.DataMemberLocation, DwForm.Data1, offset);
        Member("ts_nsec", "u64", 0);
        Member("len", "u16", 8);
        Member("text_len", "u16", 10);
        Member("dict_len", "u16", 12);
        Member("facility", "u8", 14);
        // u8 flags:5; u8 level:3; (GCC, little-endian: flags in bits 0-4 of byte 15)
        s.Child(DwTag.Member).Attr(DwAt.Name, DwForm.String, "flags").Attr(DwAt.Type, DwForm.Ref4, new DwarfBuilder.Ref("u8")).Attr(DwAt.BitSize, DwForm.Data1, 5).Attr(DwAt.DataBitOffset, DwForm.Data1, 120);
        s.Child(DwTag.Member).Attr(DwAt.Name, DwForm.String, "level").Attr(DwAt.Type, DwForm.Ref4, new DwarfBuilder.Ref("u8")).Attr(DwAt.BitSize, DwForm.Data1, 3).Attr(DwAt.DataBitOffset, DwForm.Data1, 125);
        Member("caller_id", "u32", 16);
        var path = Path.Combine(Fixtures.NewTempDirectory(), "printk.elf");
        File.WriteAllBytes(path, b.BuildElf());
        var elf = ElfFile.Open(path);
        var dwarf = DwarfInfo.FromElf(elf)!;
        var types = TypeSystem.FromDwarf(dwarf, DwarfNameIndex.Build(dwarf));
        Assert.True(types.TryFindType("struct printk_log", out var printkLog));
        return (types, printkLog, elf);
    }

    /// <summary>Writes one record as log_store() does: header, text, padded to 4 bytes; returns its len.</summary>
    static int Store(byte[] buffer, int at, ulong tsNsec, string text, int level, int facility, uint caller)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var len = (HeaderSize + bytes.Length + 3) & ~3;
        var h = buffer.AsSpan(at);
        BinaryPrimitives.WriteUInt64LittleEndian(h, tsNsec);
        BinaryPrimitives.WriteUInt16LittleEndian(h[8..], (ushort)len);
        BinaryPrimitives.WriteUInt16LittleEndian(h[10..], (ushort)bytes.Length);
        h[14] = (byte)facility;
        h[15] = (byte)((level << 5) | 0x2); // LOG_NEWLINE in flags
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], caller);
        bytes.CopyTo(h[HeaderSize..]);
        return len;
    }

    [Fact]
    public void DecodesRecordsAcrossTheWrapMarker()
    {
        var (types, printkLog, elf) = BuildTypes();
        using var _ = elf;
        var buffer = new byte[112];
        var first = 60;
        var a = Store(buffer, first, 1_500_000, "first", 6, 0, 1);
        // The next record does not fit before the end: a zero len header marks the wrap (log_store()).
        var b = Store(buffer, 0, 2_000_123_000, "second", 4, 0, 0x80000001);
        var c = Store(buffer, b, 3_000_000_000, "third", 3, 1, 7);
        var next = b + c;
        var problems = new List<string>();

        var records = LogBufDecoder.Decode(new MockTarget(), types, printkLog, buffer, first, next, 41, problems);

        Assert.Empty(problems);
        Assert.Equal(["first", "second", "third"], records.Select(r => r.Text));
        Assert.Equal([41UL, 42UL, 43UL], records.Select(r => r.Sequence));
        Assert.Equal([6, 4, 3], records.Select(r => r.Level));
        Assert.Equal([1_500_000UL, 2_000_123_000UL, 3_000_000_000UL], records.Select(r => r.TimestampNs));
        Assert.Equal(0x80000001u, records[1].CallerId);
        Assert.Equal(1, records[2].Facility);
        Assert.Equal(88, first + a);
        Assert.Equal(56, next);
    }

    [Fact]
    public void ABrokenLengthStopsWithAProblemAndKeepsWhatWasRead()
    {
        var (types, printkLog, elf) = BuildTypes();
        using var _ = elf;
        var buffer = new byte[128];
        var a = Store(buffer, 0, 1, "ok", 6, 0, 0);
        Store(buffer, a, 2, "bad", 6, 0, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(a + 8), 4000); // len past the buffer
        var problems = new List<string>();

        var records = LogBufDecoder.Decode(new MockTarget(), types, printkLog, buffer, 0, 100, 0, problems);

        Assert.Equal(["ok"], records.Select(r => r.Text));
        Assert.Equal($"log_buf: record at offset {a} has len 4000, past the 128-byte buffer", Assert.Single(problems));
        Assert.Empty(LogBufDecoder.Decode(new MockTarget(), types, printkLog, buffer, 24, 24, 0, problems));
    }
}
