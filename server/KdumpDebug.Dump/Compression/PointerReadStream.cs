namespace KdumpDebug.Dump.Compression;

/// <summary>
/// A read-only stream over a pinned block of memory that can be pointed at a new block, so the zlib
/// path reuses one per thread instead of allocating a MemoryStream (and copying the input) per page.
/// The caller keeps the memory pinned while the stream points at it.
/// </summary>
internal sealed unsafe class PointerReadStream : Stream
{
    byte* _next;
    long _remaining;

    public void Reset(byte* data, int length)
    {
        _next = data;
        _remaining = length;
    }

    public void Clear() => Reset(null, 0);

    public override int Read(Span<byte> buffer)
    {
        var n = (int)Math.Min(buffer.Length, _remaining);
        new ReadOnlySpan<byte>(_next, n).CopyTo(buffer);
        _next += n;
        _remaining -= n;
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
    public override int ReadByte()
    {
        if (_remaining == 0) return -1;
        _remaining--;
        return *_next++;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
