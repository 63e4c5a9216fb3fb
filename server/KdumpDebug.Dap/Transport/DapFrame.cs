namespace KdumpDebug.Dap.Transport;

/// <summary>What <see cref="DapMessageReader.ReadAsync"/> found next in the stream.</summary>
public enum DapFrameKind
{
    /// <summary>A complete body; <see cref="DapFrame.Body"/> holds it.</summary>
    Message,

    /// <summary>
    /// Bytes that were not a valid frame (no or bad Content-Length, stray text) were skipped and the
    /// reader resynchronised on the next <c>Content-Length</c> header; <see cref="DapFrame.Error"/> says why.
    /// </summary>
    Skipped,

    /// <summary>The stream ended (cleanly, or inside a frame: then <see cref="DapFrame.Error"/> says where).</summary>
    EndOfStream,
}

/// <summary>One result of the framing layer: a message body, a skipped stretch, or the end.</summary>
/// <param name="Kind">What was found.</param>
/// <param name="Body">The UTF-8 JSON body for <see cref="DapFrameKind.Message"/>; empty otherwise.</param>
/// <param name="Error">One line describing skipped or truncated input; null for a clean message or end.</param>
public readonly record struct DapFrame(DapFrameKind Kind, ReadOnlyMemory<byte> Body, string? Error);
