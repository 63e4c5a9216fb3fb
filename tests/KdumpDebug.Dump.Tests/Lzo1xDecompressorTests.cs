using System.Buffers.Binary;
using System.Text;
using KdumpDebug.Dump.Compression;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Dump.Tests;

/// <summary>
/// Hand-assembled LZO1X streams, one per instruction form of the kernel's
/// Documentation/staging/lzo.rst, and the ways a stream can be broken. (The real LZO dump,
/// sysrq/vmcore.kdump-lzo, is compared page by page with the zlib one in CrossFormatTests.)
/// </summary>
public class Lzo1xDecompressorTests
{
    static readonly byte[] End = [0x11, 0x00, 0x00]; // 0001HLLL with distance 16384: end of stream

    static byte[] Run(byte[] stream, int capacity = 1 << 16)
    {
        var output = new byte[capacity];
        var n = Lzo1xDecompressor.Decompress(stream, output);
        return output[..n];
    }

    static byte[] Bytes(params object[] parts)
    {
        var list = new List<byte>();
        foreach (var p in parts)
        {
            switch (p)
            {
                case byte b: list.Add(b); break;
                case int i: list.Add(checked((byte)i)); break;
                case byte[] a: list.AddRange(a); break;
                case string s: list.AddRange(Encoding.ASCII.GetBytes(s)); break;
                default: throw new ArgumentException(p.GetType().Name);
            }
        }
        return list.ToArray();
    }

    static byte[] Literals(int n) => Enumerable.Range(0, n).Select(i => (byte)(i * 31 + 7)).ToArray();

    [Fact]
    public void First_byte_literal_run_then_end()
    {
        // First byte 17 + n (n >= 4): n literals.
        Assert.Equal("Hello, world!", Encoding.ASCII.GetString(Run(Bytes(17 + 13, "Hello, world!", End))));
    }

    [Fact]
    public void Short_first_literal_then_overlapping_matches()
    {
        // 18 = one literal 'A' (state 1); 0x60 = 01 1 000 00: 4 bytes from distance 1;
        // 0x80 = 1 00 000 00: 5 bytes from distance 1. Both overlap their source.
        Assert.Equal(new string('A', 10), Encoding.ASCII.GetString(Run(Bytes(18, "A", 0x60, 0x00, 0x80, 0x00, End))));
    }

    [Fact]
    public void Literal_run_with_length_extension()
    {
        // 0000LLLL with L = 0 at state 0: 3 + 15 + 255 * (zero bytes) + next byte = 300.
        var lit = Literals(300);
        Assert.Equal(lit, Run(Bytes(0x00, 0x00, 300 - 3 - 15 - 255, lit, End)));
    }

    [Fact]
    public void M3_match_copies_a_repeating_pattern()
    {
        // 001LLLLL (L = 14: 16 bytes) + LE16 ((distance - 1) << 2 | state): distance 8.
        var output = Encoding.ASCII.GetString(Run(Bytes(17 + 8, "abcdefgh", 0x20 | 14, (8 - 1) << 2, 0x00, End)));
        Assert.Equal("abcdefgh" + "abcdefghabcdefgh", output);
    }

    [Fact]
    public void M3_match_with_length_extension_and_trailing_literals()
    {
        // L = 0: length 2 + 31 + 255 + 4 = 292; the low two bits of the LE16 copy 3 literals after it.
        var output = Run(Bytes(17 + 4, "wxyz", 0x20, 0x00, 4, (4 - 1) << 2 | 3, 0x00, "123", End));
        var expected = "wxyz" + string.Concat(Enumerable.Repeat("wxyz", 73)) + "123";
        Assert.Equal(expected, Encoding.ASCII.GetString(output));
    }

    [Fact]
    public void M4_match_reaches_beyond_16_KiB()
    {
        // 20000 literals (0x00 + 78 zero bytes + 92: 18 + 78 * 255 + 92), then 0001 0 111
        // (length 9) with LE16 = 1 << 2: distance 16384 + 1.
        var lit = Literals(20000);
        var zeros = new byte[78];
        var output = Run(Bytes(0x00, zeros, 92, lit, 0x17, 0x04, 0x00, End));
        Assert.Equal(20009, output.Length);
        Assert.Equal(lit, output[..20000]);
        Assert.Equal(lit[(20000 - 16385)..(20000 - 16385 + 9)], output[20000..]);
    }

    [Fact]
    public void Short_matches_after_a_literal_run_and_after_a_match()
    {
        // After >= 4 literals, 0000DDSS + H is a 3-byte match from 2049 + (H << 2) + D back;
        // after 1-3 literals it is a 2-byte match from 1 + (H << 2) + D back.
        var lit = Literals(3000);
        var stream = Bytes(0x00, new byte[11], 3000 - 18 - 11 * 255, lit,
            0b0000_01_10, 0x00, "XY",   // 3 bytes from 2050 back, then 2 literals (state 2)
            0b0000_00_01, 0x01, "Z",    // 2 bytes from 5 back, then 1 literal
            End);
        var output = Run(stream);
        var expected = lit.ToList();
        expected.AddRange(lit[(3000 - 2050)..(3000 - 2050 + 3)]);
        expected.AddRange("XY"u8.ToArray());
        var at = expected.Count;
        expected.Add(expected[at - 5]);
        expected.Add(expected[at - 4]);
        expected.AddRange("Z"u8.ToArray());
        Assert.Equal(expected.ToArray(), output);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Input_shorter_than_the_end_marker_is_an_input_overrun(int length)
    {
        Assert.Equal(Lzo1xResult.InputOverrun, Lzo1xDecompressor.TryDecompress(new byte[length], new byte[16], out _, out _));
    }

    [Fact]
    public void Truncated_stream_is_an_input_overrun_at_every_cut()
    {
        var stream = Bytes(17 + 8, "abcdefgh", 0x20 | 14, (8 - 1) << 2, 0x00, 0x40, 0x00, End);
        var good = Lzo1xDecompressor.TryDecompress(stream, new byte[100], out _, out _);
        Assert.Equal(Lzo1xResult.Ok, good);
        for (var cut = 3; cut < stream.Length; cut++)
        {
            var r = Lzo1xDecompressor.TryDecompress(stream.AsSpan(0, cut), new byte[100], out _, out _);
            Assert.True(r is Lzo1xResult.InputOverrun or Lzo1xResult.LookbehindOverrun, $"cut at {cut}: {r}");
        }
        var ex = Assert.Throws<InvalidDataException>(() => Lzo1xDecompressor.Decompress(stream.AsSpan(0, 12), new byte[100]));
        Assert.StartsWith("LZO1X: input ends", ex.Message);
    }

    [Fact]
    public void Output_larger_than_the_buffer_is_an_output_overrun()
    {
        var stream = Bytes(17 + 13, "Hello, world!", End);
        Assert.Equal(Lzo1xResult.OutputOverrun, Lzo1xDecompressor.TryDecompress(stream, new byte[12], out var written, out _));
        Assert.Equal(0, written);
        // A match that would run past the end of the buffer.
        var match = Bytes(18, "A", 0x60, 0x00, 0x80, 0x00, End);
        Assert.Equal(Lzo1xResult.OutputOverrun, Lzo1xDecompressor.TryDecompress(match, new byte[9], out written, out _));
        Assert.Equal(5, written);
    }

    [Fact]
    public void Match_before_the_start_of_the_output_is_a_lookbehind_overrun()
    {
        // One literal, then 01 0 001 00: 3 bytes from distance 2.
        Assert.Equal(Lzo1xResult.LookbehindOverrun, Lzo1xDecompressor.TryDecompress(Bytes(18, "A", 0x44, 0x00, End), new byte[16], out _, out _));
        // A first byte below 18 is an instruction; 0x11 with a non-zero distance has no dictionary yet.
        Assert.Equal(Lzo1xResult.LookbehindOverrun, Lzo1xDecompressor.TryDecompress(Bytes(0x11, 0x04, 0x00, End), new byte[16], out _, out _));
    }

    [Fact]
    public void Bytes_after_the_end_marker_are_reported()
    {
        Assert.Equal(Lzo1xResult.InputNotConsumed,
            Lzo1xDecompressor.TryDecompress(Bytes(17 + 4, "abcd", End, 0x00), new byte[16], out var written, out _));
        Assert.Equal(4, written);
    }

    [Fact]
    public void A_long_run_of_zero_length_bytes_stops_at_the_output_size()
    {
        // 0x00 then a megabyte of zeros: each adds 255 to a literal length; the decoder must give up
        // once the length exceeds the output, not loop or overflow.
        var stream = new byte[1 << 20];
        var r = Lzo1xDecompressor.TryDecompress(stream, new byte[4096], out _, out var at);
        Assert.Equal(Lzo1xResult.OutputOverrun, r);
        Assert.True(at < 100, $"stopped at {at}");
    }

    [Fact]
    public void Random_input_never_escapes_the_buffers()
    {
        var random = new Random(12345);
        var output = new byte[4096];
        for (var i = 0; i < 20000; i++)
        {
            var input = new byte[random.Next(0, 600)];
            random.NextBytes(input);
            Lzo1xDecompressor.TryDecompress(input, output, out var written, out var at);
            Assert.InRange(written, 0, output.Length);
            Assert.InRange(at, 0, input.Length);
        }
    }

    [FixtureFact]
    public void Damaged_real_pages_fail_cleanly_and_intact_ones_give_a_page()
    {
        // Pages of the real LZO dump (makedumpfile -l, liblzo's lzo1x_1_compress), cut short or with
        // bytes changed: every outcome is a result code, never an exception or a write outside the
        // buffer (checked by the guard bytes after it).
        var file = File.ReadAllBytes(Fixtures.Path("sysrq/vmcore.kdump-lzo"));
        var descBase = (1L + BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(432)) + BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(436))) * 4096;
        var random = new Random(99);
        var buffer = new byte[4096 + 64];
        var ok = 0;
        for (var index = 0; index < 6601 && ok < 300; index++)
        {
            var d = file.AsSpan((int)(descBase + 24L * index), 24);
            if (BinaryPrimitives.ReadUInt32LittleEndian(d[12..]) != 2) continue;
            var page = file.AsSpan((int)BinaryPrimitives.ReadInt64LittleEndian(d), BinaryPrimitives.ReadInt32LittleEndian(d[8..])).ToArray();
            Assert.Equal(Lzo1xResult.Ok, Lzo1xDecompressor.TryDecompress(page, buffer.AsSpan(0, 4096), out var n, out _));
            Assert.Equal(4096, n);
            ok++;
            for (var trial = 0; trial < 20; trial++)
            {
                var bad = trial % 2 == 0 ? page[..random.Next(page.Length)] : (byte[])page.Clone();
                if (trial % 2 == 1) for (var k = 0; k < 3; k++) bad[random.Next(bad.Length)] = (byte)random.Next(256);
                buffer.AsSpan(4096).Fill(0xa5);
                Lzo1xDecompressor.TryDecompress(bad, buffer.AsSpan(0, 4096), out var written, out _);
                Assert.InRange(written, 0, 4096);
                Assert.True(buffer.AsSpan(4096).IndexOfAnyExcept((byte)0xa5) < 0, "wrote past the output span");
            }
        }
        Assert.Equal(300, ok);
    }
}
