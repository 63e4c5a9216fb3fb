using System.IO.MemoryMappedFiles;
using KdumpDebug.Core.Errors;

namespace KdumpDebug.Dump.IO;

/// <summary>
/// A whole file mapped read-only into the address space (ClrMD's memory-mapped data reader). Every read
/// is a bounds-checked copy or span over the mapping: no system call and no allocation per read.
/// Thread-safe for reads. A read after <see cref="Dispose"/> throws ObjectDisposedException; a read
/// racing with Dispose is the caller's bug (the mapping may vanish under it). Assumes the file does not
/// shrink while mapped (a vmcore is not written to once saved).
/// </summary>
internal sealed unsafe class MappedFile : IByteSource, IDisposable
{
    readonly MemoryMappedFile _map;
    readonly MemoryMappedViewAccessor _view;
    readonly byte* _base;
    bool _disposed;

    public string Path { get; }
    public long Length { get; }

    MappedFile(string path, long length, MemoryMappedFile map, MemoryMappedViewAccessor view)
    {
        Path = path;
        Length = length;
        _map = map;
        _view = view;
        byte* p = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        _base = p + _view.PointerOffset;
    }

    /// <summary>
    /// Maps <paramref name="path"/> read-only. Throws <see cref="KdumpDebugException"/> (one line naming
    /// the file) when it does not exist, cannot be read, or is empty.
    /// </summary>
    public static MappedFile Open(string path)
    {
        FileStream? stream = null;
        MemoryMappedFile? map = null;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
            var length = stream.Length;
            if (length == 0) throw new DumpFormatException(path, null, "file", "the file is empty");
            map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            var view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            return new MappedFile(path, length, map, view);
        }
        catch (KdumpDebugException)
        {
            map?.Dispose();
            stream?.Dispose();
            throw;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            map?.Dispose();
            stream?.Dispose();
            var what = ex switch
            {
                FileNotFoundException or DirectoryNotFoundException => "no such file",
                UnauthorizedAccessException => "permission denied",
                _ => ex.Message.ReplaceLineEndings(" "),
            };
            throw new KdumpDebugException($"{path}: cannot open: {what}", ex);
        }
    }

    /// <summary>True when [offset, offset + length) lies inside the file (no overflow).</summary>
    public bool Contains(long offset, long length) =>
        offset >= 0 && length >= 0 && offset <= Length && length <= Length - offset;

    public void Read(long offset, Span<byte> destination, string field)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!Contains(offset, destination.Length))
            throw PastEnd(offset, destination.Length, field);
        new ReadOnlySpan<byte>(_base + offset, destination.Length).CopyTo(destination);
    }

    public bool TryGetSpan(long offset, int length, out ReadOnlySpan<byte> span)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!Contains(offset, length)) { span = default; return false; }
        span = new ReadOnlySpan<byte>(_base + offset, length);
        return true;
    }

    /// <summary>The bytes at [offset, offset + length); throws naming <paramref name="field"/> when outside the file.</summary>
    public ReadOnlySpan<byte> Span(long offset, int length, string field)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!Contains(offset, length)) throw PastEnd(offset, length, field);
        return new ReadOnlySpan<byte>(_base + offset, length);
    }

    public DumpFormatException PastEnd(long offset, long length, string field) =>
        new(Path, offset, field, $"{length} bytes needed but the file ends at 0x{Length:x} (truncated?)");

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }
}
