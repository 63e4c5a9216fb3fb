namespace KdumpDebug.Dap.Tests;

/// <summary>
/// A read-only stream over fixed bytes that returns at most <c>chunk</c> bytes per read, to drive
/// the framing code through every split of headers and bodies.
/// </summary>
internal sealed class ChunkedReadStream(byte[] data, int chunk) : Stream
{
    private int _position;

    public int Reads { get; private set; }

    public override int Read(byte[] buffer, int offset, int count)
    {
        Reads++;
        var n = Math.Min(Math.Min(count, chunk), data.Length - _position);
        Array.Copy(data, _position, buffer, offset, n);
        _position += n;
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => data.Length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
