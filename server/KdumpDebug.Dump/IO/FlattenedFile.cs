using System.Buffers.Binary;
using System.Diagnostics;
using KdumpDebug.Core.Errors;

namespace KdumpDebug.Dump.IO;

/// <summary>
/// makedumpfile's flattened format (makedumpfile -F; QEMU's dump-guest-memory -z/-l/-s written to a
/// pipe or any fd): a 4096-byte header (<c>struct makedumpfile_header</c>: the signature
/// "makedumpfile" padded to 16 bytes, then big-endian int64 type = 1 and version = 1), then records of
/// <c>struct makedumpfile_data_header</c> (big-endian int64 offset, int64 buf_size) each followed by
/// buf_size bytes that belong at that offset of the real kdump-compressed file, and an end record with
/// offset = buf_size = -1 (END_FLAG_FLAT_HEADER; makedumpfile.h). makedumpfile -R replays the records
/// in order, so where two overlap the later one wins, and bytes no record covers are holes that read
/// as zero.
///
/// The records are indexed once at open into a sorted array (virtual offset -> offset in this file;
/// 24 bytes per record) and every read goes through it: the file is never rewritten. Indexing reads
/// only the 16-byte record headers through the mapping. A file without the end record is refused as
/// truncated, like makedumpfile -R does, because a missing record would otherwise read as zeros.
/// Thread-safe for reads.
/// </summary>
internal sealed class FlattenedFile : IByteSource
{
    /// <summary>Size of the flattened header block (MAX_SIZE_MDF_HEADER).</summary>
    public const int HeaderSize = 4096;
    /// <summary>The signature, NUL-padded to 16 bytes in the file.</summary>
    public static ReadOnlySpan<byte> Signature => "makedumpfile"u8;

    readonly MappedFile _file;
    // Sorted, non-overlapping: record i covers virtual [_start[i], _start[i] + _length[i]) and its data
    // is at _fileOffset[i] in the flattened file.
    readonly long[] _start;
    readonly long[] _length;
    readonly long[] _fileOffset;

    public string Path => _file.Path;

    /// <summary>Length of the reassembled kdump file (end of the furthest record).</summary>
    public long Length { get; }

    /// <summary>How many data records the stream has (after resolving overlaps).</summary>
    public int RecordCount => _start.Length;

    /// <summary>How long <see cref="Index"/> took, for diagnostics and the report.</summary>
    public TimeSpan IndexTime { get; }

    FlattenedFile(MappedFile file, long[] start, long[] length, long[] fileOffset, long virtualLength, TimeSpan indexTime)
    {
        _file = file;
        _start = start;
        _length = length;
        _fileOffset = fileOffset;
        Length = virtualLength;
        IndexTime = indexTime;
    }

    /// <summary>True when <paramref name="head"/> starts with the flattened-format signature.</summary>
    public static bool HasSignature(ReadOnlySpan<byte> head) =>
        head.Length >= 16 && head[..Signature.Length].SequenceEqual(Signature) && head[Signature.Length] == 0;

    /// <summary>
    /// Indexes the records of a flattened file. Throws <see cref="DumpFormatException"/> naming the
    /// record offset for a bad header, a negative or overflowing record, data past the end of the
    /// file, or a missing end record.
    /// </summary>
    public static FlattenedFile Index(MappedFile file)
    {
        var timer = Stopwatch.StartNew();
        var header = file.Span(0, HeaderSize, "makedumpfile_header");
        if (!HasSignature(header))
            throw new DumpFormatException(file.Path, 0, "makedumpfile_header.signature", "not \"makedumpfile\"");
        var type = BinaryPrimitives.ReadInt64BigEndian(header[16..]);
        var version = BinaryPrimitives.ReadInt64BigEndian(header[24..]);
        if (type != 1)
            throw new DumpFormatException(file.Path, 16, "makedumpfile_header.type", $"{type}, expected 1 (TYPE_FLAT_HEADER)");
        if (version != 1)
            throw new DumpFormatException(file.Path, 24, "makedumpfile_header.version", $"{version}, only version 1 is known");

        // Worst case one record per 16 bytes of file: the arrays grow as needed, never beyond that.
        var starts = new List<long>();
        var lengths = new List<long>();
        var offsets = new List<long>();
        long pos = HeaderSize;
        long virtualEnd = 0;
        var sorted = true;
        while (true)
        {
            if (!file.TryGetSpan(pos, 16, out var rec))
                throw new DumpFormatException(file.Path, pos, "makedumpfile_data_header",
                    $"the file ends at 0x{file.Length:x} before the end record (offset = size = -1): truncated");
            var offset = BinaryPrimitives.ReadInt64BigEndian(rec);
            var size = BinaryPrimitives.ReadInt64BigEndian(rec[8..]);
            if (offset == -1 && size == -1) break;
            if (offset < 0)
                throw new DumpFormatException(file.Path, pos, "makedumpfile_data_header.offset", $"negative offset {offset}");
            if (size <= 0)
                throw new DumpFormatException(file.Path, pos + 8, "makedumpfile_data_header.buf_size", $"{size} is not a positive size");
            if (!file.Contains(pos + 16, size))
                throw new DumpFormatException(file.Path, pos + 8, "makedumpfile_data_header.buf_size",
                    $"{size} bytes of data run past the end of the file at 0x{file.Length:x}: truncated");
            if (offset > long.MaxValue - size)
                throw new DumpFormatException(file.Path, pos, "makedumpfile_data_header.offset", $"offset 0x{offset:x} + size overflows");
            if (starts.Count > 0 && offset < starts[^1] + lengths[^1]) sorted = false;
            starts.Add(offset);
            lengths.Add(size);
            offsets.Add(pos + 16);
            virtualEnd = Math.Max(virtualEnd, offset + size);
            pos += 16 + size;
        }

        long[] s, l, f;
        if (sorted)
        {
            s = starts.ToArray(); l = lengths.ToArray(); f = offsets.ToArray();
        }
        else
        {
            // Out of order or overlapping: resolve with "later record wins" (record number = priority).
            var claims = new ClaimedRange[starts.Count];
            for (var i = 0; i < claims.Length; i++)
                claims[i] = new((ulong)starts[i], (ulong)(starts[i] + lengths[i]), i, i);
            var pieces = IntervalResolver.Resolve(claims);
            s = new long[pieces.Count]; l = new long[pieces.Count]; f = new long[pieces.Count];
            for (var i = 0; i < pieces.Count; i++)
            {
                var p = pieces[i];
                s[i] = (long)p.Start;
                l[i] = (long)(p.End - p.Start);
                f[i] = offsets[p.Item] + ((long)p.Start - starts[p.Item]);
            }
        }
        return new FlattenedFile(file, s, l, f, virtualEnd, timer.Elapsed);
    }

    /// <summary>Index of the record containing <paramref name="offset"/>, or ~(first record after it).</summary>
    int Find(long offset)
    {
        int lo = 0, hi = _start.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (offset < _start[mid]) hi = mid - 1;
            else if (offset >= _start[mid] + _length[mid]) lo = mid + 1;
            else return mid;
        }
        return ~lo;
    }

    public void Read(long offset, Span<byte> destination, string field)
    {
        if (offset < 0 || offset > Length || destination.Length > Length - offset)
            throw new DumpFormatException(Path, offset, field,
                $"{destination.Length} bytes needed but the reassembled file ends at 0x{Length:x}");
        var i = Find(offset);
        if (i < 0) i = ~i;
        while (!destination.IsEmpty)
        {
            if (i >= _start.Length || offset < _start[i])
            {
                // A hole: makedumpfile -R leaves it unwritten, so it reads as zeros.
                var holeEnd = i < _start.Length ? _start[i] : Length;
                var n = (int)Math.Min(destination.Length, holeEnd - offset);
                destination[..n].Clear();
                destination = destination[n..];
                offset += n;
                continue;
            }
            var inRecord = offset - _start[i];
            var take = (int)Math.Min(destination.Length, _length[i] - inRecord);
            _file.Span(_fileOffset[i] + inRecord, take, field).CopyTo(destination);
            destination = destination[take..];
            offset += take;
            i++;
        }
    }

    public bool TryGetSpan(long offset, int length, out ReadOnlySpan<byte> span)
    {
        span = default;
        if (offset < 0 || length < 0) return false;
        var i = Find(offset);
        if (i < 0) return false;
        var inRecord = offset - _start[i];
        if (length > _length[i] - inRecord) return false;
        return _file.TryGetSpan(_fileOffset[i] + inRecord, length, out span);
    }
}
