using System.Buffers;
using System.IO.MemoryMappedFiles;
using KdumpDebug.Core.Errors;

namespace KdumpDebug.Debuginfo.Elf;

/// <summary>
/// A whole file mapped read-only into memory. Pages are faulted in by the OS only when touched, so
/// opening a 561 MB vmlinux and reading its symbol table never reads its 274 MB of
/// <c>.rela.debug_*</c>. Spans and memories handed out stay valid until <see cref="Dispose"/>;
/// every range is checked against the file length first. Thread-safe for reads.
/// </summary>
internal sealed unsafe class MappedFile : IDisposable
{
    readonly MemoryMappedFile? _map;
    readonly MemoryMappedViewAccessor? _view;
    byte* _pointer;

    public string Path { get; }
    public long Length { get; }

    MappedFile(string path, long length, MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte* pointer)
    {
        Path = path;
        Length = length;
        _map = map;
        _view = view;
        _pointer = pointer;
    }

    /// <summary>Maps <paramref name="path"/>. An empty file maps to a zero-length view.</summary>
    public static MappedFile Open(string path)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KdumpDebugException($"{path}: cannot open: {e.Message}", e);
        }
        var length = stream.Length;
        if (length == 0)
        {
            stream.Dispose();
            return new MappedFile(path, 0, null, null, null);
        }
        MemoryMappedFile? map = null;
        MemoryMappedViewAccessor? view = null;
        try
        {
            map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read,
                HandleInheritability.None, leaveOpen: false);
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            pointer += view.PointerOffset;
            return new MappedFile(path, length, map, view, pointer);
        }
        catch
        {
            view?.Dispose();
            if (map is not null) map.Dispose(); else stream.Dispose();
            throw;
        }
    }

    /// <summary>True when [offset, offset+length) lies inside the file.</summary>
    public bool Contains(ulong offset, ulong length) =>
        offset <= (ulong)Length && length <= (ulong)Length - offset;

    /// <summary>The bytes at [offset, offset+length). The caller has checked the range with <see cref="Contains"/>.</summary>
    public ReadOnlySpan<byte> Span(long offset, int length)
    {
        if (!Contains((ulong)offset, (ulong)length)) throw new ArgumentOutOfRangeException(nameof(offset));
        ObjectDisposedException.ThrowIf(_pointer is null && Length != 0, this);
        return length == 0 ? default : new ReadOnlySpan<byte>(_pointer + offset, length);
    }

    /// <summary>The bytes at [offset, offset+length) as a memory (no copy).</summary>
    public ReadOnlyMemory<byte> Memory(long offset, int length)
    {
        if (!Contains((ulong)offset, (ulong)length)) throw new ArgumentOutOfRangeException(nameof(offset));
        ObjectDisposedException.ThrowIf(_pointer is null && Length != 0, this);
        return length == 0 ? ReadOnlyMemory<byte>.Empty : new PointerMemoryManager(_pointer + offset, length).Memory;
    }

    readonly Lock _leaseLock = new();
    int _leases;
    bool _disposeRequested;

    /// <summary>
    /// Keeps the mapping alive for work that may outlive the owner's <see cref="Dispose"/> (a
    /// background index build still running when a one-shot command ends): the unmap waits for the
    /// last lease. False when the file is already disposed. Pair each success with <see cref="ReleaseLease"/>.
    /// </summary>
    public bool TryAddLease()
    {
        lock (_leaseLock)
        {
            if (_disposeRequested) return false;
            _leases++;
            return true;
        }
    }

    public void ReleaseLease()
    {
        lock (_leaseLock)
        {
            if (--_leases > 0 || !_disposeRequested) return;
        }
        Unmap();
    }

    /// <summary>Unmaps now, or when the last lease is released.</summary>
    public void Dispose()
    {
        lock (_leaseLock)
        {
            if (_disposeRequested) return;
            _disposeRequested = true;
            if (_leases > 0) return;
        }
        Unmap();
    }

    void Unmap()
    {
        if (_view is not null && _pointer is not null)
        {
            _pointer = null;
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
            _map?.Dispose();
        }
    }

    /// <summary>A Memory over a range of the mapping (ClrMD-style; pinning is a no-op).</summary>
    sealed class PointerMemoryManager(byte* pointer, int length) : MemoryManager<byte>
    {
        public override Span<byte> GetSpan() => new(pointer, length);
        public override MemoryHandle Pin(int elementIndex = 0) => new(pointer + elementIndex);
        public override void Unpin() { }
        protected override void Dispose(bool disposing) { }
    }
}
