using System.Buffers.Text;
using System.Text;

namespace KdumpDebug.Dap.Transport;

/// <summary>
/// Reads the DAP base protocol from a stream: header lines (<c>Content-Length: N</c>, other
/// headers ignored, names case-insensitive) ending with an empty line, then N bytes of UTF-8 JSON.
/// </summary>
/// <remarks>
/// Bytes are buffered, so any split of the input across reads (a header cut in half, several
/// messages in one read) is handled. A header block without a usable Content-Length, or stray
/// bytes before a header, is reported as <see cref="DapFrameKind.Skipped"/> and the reader
/// resynchronises on the next <c>Content-Length</c> text, which is how VS Code's own reader
/// recovers. A Content-Length above <see cref="MaxBodyBytes"/> cannot be skipped safely (the body
/// would have to be read to find its end) and throws <see cref="DapProtocolException"/>; the caller
/// closes the connection. Allocates one array per message body; the header buffer is reused.
/// Not thread-safe: one reader per stream.
/// </remarks>
public sealed class DapMessageReader
{
    /// <summary>Default largest body accepted: 64 MiB, far above any real DAP request.</summary>
    public const int DefaultMaxBodyBytes = 64 << 20;

    /// <summary>A header block longer than this without its empty line is treated as garbage.</summary>
    public const int MaxHeaderBytes = 8192;

    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] ContentLengthName = "content-length"u8.ToArray();

    private readonly Stream _stream;
    private byte[] _buffer = new byte[16384];
    private int _start;
    private int _end;
    private long _consumed; // stream offset of _buffer[_start], for error messages
    private bool _resync;
    private bool _eof;

    /// <summary>Creates a reader of <paramref name="stream"/>; bodies above <paramref name="maxBodyBytes"/> are refused.</summary>
    public DapMessageReader(Stream stream, int maxBodyBytes = DefaultMaxBodyBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBodyBytes);
        _stream = stream;
        MaxBodyBytes = maxBodyBytes;
    }

    /// <summary>Largest Content-Length accepted.</summary>
    public int MaxBodyBytes { get; }

    /// <summary>
    /// Reads the next frame. Returns <see cref="DapFrameKind.EndOfStream"/> once the stream ends
    /// (and on every later call); throws <see cref="DapProtocolException"/> for a Content-Length
    /// above <see cref="MaxBodyBytes"/>, and whatever the stream throws.
    /// </summary>
    public async ValueTask<DapFrame> ReadAsync(CancellationToken cancellationToken = default)
    {
        string? skipped = null;
        while (true)
        {
            if (_resync)
            {
                var at = IndexOfContentLength(_buffer.AsSpan(_start, _end - _start));
                if (at >= 0)
                {
                    Consume(at);
                    _resync = false;
                }
                else
                {
                    // Keep a tail that could be the start of "Content-Length" cut by the read.
                    Consume(Math.Max(0, _end - _start - (ContentLengthName.Length - 1)));
                    // Report what was skipped before blocking on more input: the client may be waiting.
                    if (skipped is not null) return Skipped(skipped);
                    if (!await FillAsync(cancellationToken)) return End(skipped);
                    continue;
                }
            }

            var buffered = _end - _start;
            var headerEnd = _buffer.AsSpan(_start, buffered).IndexOf(HeaderEnd);
            if (headerEnd < 0 || headerEnd > MaxHeaderBytes)
            {
                if (buffered > MaxHeaderBytes)
                {
                    skipped ??= $"skipped {buffered} bytes at stream offset {_consumed}: no end of DAP header within {MaxHeaderBytes} bytes";
                    StartResync();
                    continue;
                }
                if (skipped is not null) return Skipped(skipped);
                if (!await FillAsync(cancellationToken))
                    return End(skipped ?? (buffered == 0 ? null : $"stream ended inside a DAP header at offset {_consumed} ({buffered} bytes)"));
                continue;
            }

            var length = ParseContentLength(_buffer.AsSpan(_start, headerEnd), out var problem);
            if (length < 0)
            {
                skipped ??= $"skipped a DAP header at stream offset {_consumed}: {problem}";
                StartResync();
                continue;
            }
            if (skipped is not null)
            {
                // Report the skipped stretch first; this valid frame is read on the next call.
                return Skipped(skipped);
            }
            if (length > MaxBodyBytes)
                throw new DapProtocolException($"DAP header at stream offset {_consumed}: Content-Length {length} exceeds the limit of {MaxBodyBytes} bytes");

            Consume(headerEnd + HeaderEnd.Length);
            var body = new byte[length];
            var have = Math.Min((int)length, _end - _start);
            _buffer.AsSpan(_start, have).CopyTo(body);
            Consume(have);
            while (have < length)
            {
                var n = await _stream.ReadAsync(body.AsMemory(have), cancellationToken);
                if (n == 0)
                {
                    _eof = true;
                    return End($"stream ended inside a DAP body after {have} of {length} bytes");
                }
                have += n;
                _consumed += n;
            }
            return new DapFrame(DapFrameKind.Message, body, null);
        }
    }

    private static DapFrame Skipped(string error) => new(DapFrameKind.Skipped, ReadOnlyMemory<byte>.Empty, error);

    private static DapFrame End(string? error) => new(DapFrameKind.EndOfStream, ReadOnlyMemory<byte>.Empty, error);

    // Drop one byte so the search does not find the header that just failed again at offset 0.
    private void StartResync()
    {
        Consume(1);
        _resync = true;
    }

    private void Consume(int count)
    {
        _start += count;
        _consumed += count;
        if (_start == _end) _start = _end = 0;
    }

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_eof) return false;
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        var n = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
        if (n == 0)
        {
            _eof = true;
            return false;
        }
        _end += n;
        return true;
    }

    /// <summary>
    /// The Content-Length of a header block (without its final empty line), or -1 with
    /// <paramref name="problem"/> set. Every line must be <c>Name: value</c>.
    /// </summary>
    internal static long ParseContentLength(ReadOnlySpan<byte> headers, out string? problem)
    {
        problem = null;
        long length = -1;
        while (true)
        {
            var eol = headers.IndexOf("\r\n"u8);
            var line = eol < 0 ? headers : headers[..eol];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                problem = $"header line '{Printable(line)}' is not 'Name: value'";
                return -1;
            }
            var name = line[..colon].Trim((byte)' ');
            if (Ascii.EqualsIgnoreCase(name, ContentLengthName))
            {
                var value = line[(colon + 1)..].Trim((byte)' ');
                if (!Utf8Parser.TryParse(value, out long n, out var used) || used != value.Length || n < 0)
                {
                    problem = $"Content-Length '{Printable(value)}' is not a non-negative integer";
                    return -1;
                }
                length = n;
            }
            if (eol < 0) break;
            headers = headers[(eol + 2)..];
        }
        if (length < 0) problem = "no Content-Length header";
        return length;
    }

    private static int IndexOfContentLength(ReadOnlySpan<byte> data)
    {
        for (var i = 0; i + ContentLengthName.Length <= data.Length; i++)
        {
            var at = data[i..].IndexOfAny((byte)'c', (byte)'C');
            if (at < 0) return -1;
            i += at;
            if (i + ContentLengthName.Length > data.Length) return -1;
            if (Ascii.EqualsIgnoreCase(data.Slice(i, ContentLengthName.Length), ContentLengthName)) return i;
        }
        return -1;
    }

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = Encoding.UTF8.GetString(bytes.Length > 60 ? bytes[..60] : bytes);
        var sb = new StringBuilder(text.Length);
        foreach (var c in text) sb.Append(char.IsControl(c) ? '?' : c);
        if (bytes.Length > 60) sb.Append("...");
        return sb.ToString();
    }
}
