using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using KdumpDebug.Commands.Parsing;

namespace KdumpDebug.Commands.Memory;

/// <summary>Unit of a memory display: crash's DISPLAY_8/16/32/64, DISPLAY_ASCII and DISPLAY_RAW.</summary>
enum DisplayUnit { Bits8 = 1, Bits16 = 2, Bits32 = 4, Bits64 = 8, Ascii, Raw }

/// <summary>How values are printed: crash's HEXADECIMAL, DECIMAL (signed) and UDECIMAL.</summary>
enum ValueRadix { Hexadecimal, SignedDecimal, UnsignedDecimal }

/// <summary>Which address space the start address is in (crash's KVADDR, UVADDR, PHYSADDR).</summary>
enum MemorySpace { KernelVirtual, UserVirtual, Physical }

/// <summary>One display request, after rd's options were applied. <see cref="Count"/> is in units.</summary>
sealed record MemoryDisplayRequest(
    ulong Address,
    long Count,
    DisplayUnit Unit,
    ValueRadix Radix,
    MemorySpace Space,
    bool Symbolic = false,
    bool NoAscii = false,
    bool NetworkOrder = false,
    bool AsciiUnlimited = false);

/// <summary>
/// crash's display_memory() (memory.c), the layout behind <c>rd</c>: an address column right-justified
/// to 16 characters and <c>":  "</c>, then 2/4/8/16 values per line for 64/32/16/8-bit units, each
/// followed by a space; hexadecimal lines end with the ASCII of their bytes, the column starting
/// where a full line's would (printable 0x20-0x7e, else '.'). <c>-s</c> (64-bit hexadecimal only)
/// prints a value in kernel symbol range as "name+off" left-justified in 16 columns and drops the
/// ASCII. <c>-a</c> prints printable runs, 60 characters per line, a new line (with its address)
/// after every non-printable byte, and with no count stops at the first non-printable byte.
/// Output is streamed as it is read; a read error prints what was read (an unfinished line stays
/// unfinished, as in crash) and throws a <see cref="CommandException"/> with crash's
/// <c>MESSAGE  type: "64-bit KVADDR"</c> wording.
/// </summary>
static class MemoryDisplay
{
    const int AddressWidth = 16;            // VADDR_PRLEN on 64-bit machines
    const int AsciiCharactersPerLine = 60;

    public static void Write(CommandContext context, MemoryDisplayRequest request)
    {
        if (request.Count <= 0) throw new CommandException($"invalid count request: {request.Count}");
        if (request.Unit == DisplayUnit.Ascii) WriteAscii(context, request);
        else WriteValues(context, request);
    }

    /// <summary>crash's readmem() "type" string: "64-bit KVADDR", "8-bit PHYSADDR", "ascii".</summary>
    public static string ReadType(DisplayUnit unit, MemorySpace space)
    {
        var addressType = space switch
        {
            MemorySpace.Physical => "PHYSADDR",
            MemorySpace.UserVirtual => "UVADDR",
            _ => "KVADDR",
        };
        return unit switch
        {
            DisplayUnit.Ascii => "ascii",
            DisplayUnit.Raw => "raw dump to file",
            _ => $"{(int)unit * 8}-bit {addressType}",
        };
    }

    public static CommandException Failure(MemoryReadFailure failure, string readType) =>
        new($"{failure.Describe()}  type: \"{readType}\"");

    /// <summary>Refuses user addresses: there is no user address space to read them in yet.</summary>
    public static void RejectUserSpace(MemoryDisplayRequest request)
    {
        if (request.Space == MemorySpace.UserVirtual)
            throw new CommandException(
                $"cannot read user virtual address: {request.Address:x} (user address spaces are not supported yet)  type: \"{ReadType(request.Unit, request.Space)}\"");
    }

    static string AddressColumn(ulong address) => address.ToString("x", CultureInfo.InvariantCulture).PadLeft(AddressWidth) + ":  ";

    static void WriteValues(CommandContext context, MemoryDisplayRequest request)
    {
        RejectUserSpace(request);
        var output = context.Out;
        var size = (int)request.Unit;
        var perLine = 16 / size;
        // ASCII_START_n in memory.c: where the ASCII column of a full line starts.
        var asciiStart = AddressWidth + 3 + perLine * (size * 2 + 1);
        var asciiEndline = request.Radix == ValueRadix.Hexadecimal && !request.Symbolic && !request.NoAscii;
        // -s only symbolizes 64-bit hexadecimal values (memory.c: HEXADECIMAL|SYMBOLIC|DISPLAY_DEFAULT).
        var symbolize = request.Symbolic && request.Unit == DisplayUnit.Bits64 && request.Radix == ValueRadix.Hexadecimal;
        var readType = ReadType(request.Unit, request.Space);
        var reader = new PagedMemoryReader(context.Target, request.Space == MemorySpace.Physical);
        var bounds = symbolize ? context.Session.SymbolBounds : null;

        var line = new StringBuilder(128);
        var ascii = new StringBuilder(16);
        var lineLength = 0;
        Span<byte> item = stackalloc byte[8];
        var address = request.Address;
        for (long i = 0; i < request.Count; i++, address += (ulong)size)
        {
            var bytes = item[..size];
            try
            {
                reader.Read(address, bytes);
            }
            catch (MemoryReadFailure failure)
            {
                output.Write(line.ToString());
                throw Failure(failure, readType);
            }

            if (i % perLine == 0)
            {
                if (i > 0)
                {
                    if (asciiEndline) line.Append("  ").Append(ascii);
                    line.Append('\n');
                    output.Write(line.ToString());
                    line.Clear();
                }
                line.Append(AddressColumn(address));
                ascii.Clear();
                lineLength = AddressWidth + 3;
            }

            // -N: network byte order, for 16- and 32-bit values only; the ASCII follows the swapped value.
            if (request.NetworkOrder && size is 2 or 4) bytes.Reverse();
            var value = size switch
            {
                1 => bytes[0],
                2 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
                4 => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
                _ => BinaryPrimitives.ReadUInt64LittleEndian(bytes),
            };

            if (symbolize && bounds!.TryFormatSymbol(value, out var symbol))
            {
                line.Append(symbol.PadRight(16)).Append(' ');
                lineLength += symbol.Length + 1;
            }
            else
            {
                line.Append(FormatValue(value, size, request.Radix)).Append(' ');
                if (request.Radix == ValueRadix.Hexadecimal) lineLength += size * 2 + 1;
            }

            if (request.Radix == ValueRadix.Hexadecimal)
            {
                foreach (var b in bytes) ascii.Append(b is >= 0x20 and < 0x7f ? (char)b : '.');
            }
        }

        if (asciiEndline && ascii.Length > 0)
        {
            if (asciiStart > lineLength) line.Append(' ', asciiStart - lineLength);
            line.Append("  ").Append(ascii);
        }
        line.Append('\n');
        output.Write(line.ToString());
    }

    /// <summary>
    /// memory.c's printf formats: hexadecimal zero-padded to the unit's width; decimal "%15ld",
    /// "%20lu" (64-bit), "%12d"/"%12u" (32-bit), "%5d"/"%5u" and "%3d"/"%3u" where the value is
    /// promoted from an unsigned type, so -d shows 8- and 16-bit values unsigned.
    /// </summary>
    static string FormatValue(ulong value, int size, ValueRadix radix)
    {
        var inv = CultureInfo.InvariantCulture;
        if (radix == ValueRadix.Hexadecimal) return value.ToString("x" + (size * 2).ToString(inv), inv);
        return (size, radix) switch
        {
            (8, ValueRadix.SignedDecimal) => ((long)value).ToString(inv).PadLeft(15),
            (8, _) => value.ToString(inv).PadLeft(20),
            (4, ValueRadix.SignedDecimal) => ((int)(uint)value).ToString(inv).PadLeft(12),
            (4, _) => value.ToString(inv).PadLeft(12),
            (2, _) => value.ToString(inv).PadLeft(5),
            _ => value.ToString(inv).PadLeft(3),
        };
    }

    static void WriteAscii(CommandContext context, MemoryDisplayRequest request)
    {
        RejectUserSpace(request);
        var output = context.Out;
        var readType = ReadType(request.Unit, request.Space);
        var reader = new PagedMemoryReader(context.Target, request.Space == MemorySpace.Physical);
        var line = new StringBuilder(AddressWidth + 3 + AsciiCharactersPerLine + 1);
        Span<byte> one = stackalloc byte[1];
        long run = 0;        // printable characters on the current line ("a" in memory.c)
        long displayed = 0;  // printable characters so far
        var address = request.Address;
        for (long i = 0; i < request.Count; i++, address++)
        {
            try
            {
                reader.Read(address, one);
            }
            catch (MemoryReadFailure failure)
            {
                output.Write(line.ToString());
                throw Failure(failure, readType);
            }
            var c = one[0];
            if (c is >= 0x20 and < 0x7f)
            {
                if (run % AsciiCharactersPerLine == 0)
                {
                    if (displayed > 0 && i > 0) line.Append('\n');
                    output.Write(line.ToString());
                    line.Clear();
                    line.Append(AddressColumn(address));
                }
                line.Append((char)c);
                displayed++;
                run++;
            }
            else
            {
                // Without a count, crash stops at the end of the string (and leaves the line
                // unterminated; we end it).
                if (request.AsciiUnlimited)
                {
                    if (displayed > 0) line.Append('\n');
                    output.Write(line.ToString());
                    return;
                }
                run = 0;
            }
        }
        line.Append('\n');
        output.Write(line.ToString());
    }

    /// <summary>rd -r: copies <paramref name="count"/> bytes to a file, page by page, and says so as crash does.</summary>
    public static void WriteRaw(CommandContext context, MemoryDisplayRequest request, long count, string path)
    {
        RejectUserSpace(request);
        if (count <= 0) throw new CommandException($"invalid count request: {count}");
        var reader = new PagedMemoryReader(context.Target, request.Space == MemorySpace.Physical);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Create, FileAccess.Write);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CommandException($"cannot open output file: {path}");
        }
        using (file)
        {
            var buffer = new byte[4096];
            for (long written = 0; written < count;)
            {
                var at = request.Address + (ulong)written;
                var n = (int)Math.Min(buffer.Length - (long)(at & 4095), count - written);
                try
                {
                    reader.Read(at, buffer.AsSpan(0, n));
                }
                catch (MemoryReadFailure failure)
                {
                    throw Failure(failure, ReadType(DisplayUnit.Raw, request.Space));
                }
                file.Write(buffer, 0, n);
                written += n;
            }
        }
        context.Out.Write($"{count} bytes copied from 0x{request.Address:x} to {path}\n");
    }
}
