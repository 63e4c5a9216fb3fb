using System.Buffers;
using System.Buffers.Text;

namespace KdumpDebug.Dap.Transport;

/// <summary>
/// Writes DAP frames (<c>Content-Length: N\r\n\r\n</c> + body) to a stream. Thread-safe: concurrent
/// writers are serialised by a lock so frames never interleave. Each frame is written with one
/// Write call and flushed.
/// </summary>
public sealed class DapMessageWriter
{
    private readonly Stream _stream;
    private readonly SemaphoreSlim _lock = new(1, 1);

    /// <summary>Creates a writer of <paramref name="stream"/>; the caller keeps ownership of the stream.</summary>
    public DapMessageWriter(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
    }

    /// <summary>Writes one frame holding <paramref name="body"/> (UTF-8 JSON) and flushes.</summary>
    public async Task WriteAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        // "Content-Length: " + up to 10 digits + "\r\n\r\n"
        var frame = ArrayPool<byte>.Shared.Rent(32 + body.Length);
        try
        {
            var prefix = "Content-Length: "u8;
            prefix.CopyTo(frame);
            Utf8Formatter.TryFormat(body.Length, frame.AsSpan(prefix.Length), out var digits);
            var at = prefix.Length + digits;
            "\r\n\r\n"u8.CopyTo(frame.AsSpan(at));
            at += 4;
            body.Span.CopyTo(frame.AsSpan(at));
            at += body.Length;
            await _lock.WaitAsync(cancellationToken);
            try
            {
                await _stream.WriteAsync(frame.AsMemory(0, at), cancellationToken);
                await _stream.FlushAsync(cancellationToken);
            }
            finally
            {
                _lock.Release();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }
}
