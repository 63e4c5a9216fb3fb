namespace KdumpDebug.Dump.IO;

/// <summary>
/// Random access to the bytes of one dump container: a plain file (<see cref="MappedFile"/>) or the
/// file a flattened stream describes (<see cref="FlattenedFile"/>). The kdump reader reads its headers,
/// bitmaps, page descriptors and page data only through this, so it never knows which one it has.
/// Implementations are thread-safe for reads.
/// </summary>
internal interface IByteSource
{
    /// <summary>The file the user named, for error messages.</summary>
    string Path { get; }

    /// <summary>Size of the (possibly reassembled) file in bytes.</summary>
    long Length { get; }

    /// <summary>
    /// Copies <paramref name="destination"/>.Length bytes at <paramref name="offset"/>. Throws
    /// <see cref="KdumpDebug.Core.Errors.DumpFormatException"/> naming <paramref name="field"/> when the
    /// range is not inside the file.
    /// </summary>
    void Read(long offset, Span<byte> destination, string field);

    /// <summary>
    /// The bytes at [offset, offset + length) without copying, when they are contiguous in memory
    /// (always for a plain file; within one record for a flattened one). False otherwise, or when the
    /// range is not inside the file; the caller then uses <see cref="Read"/>, which reports the error.
    /// The span stays valid until the source is disposed.
    /// </summary>
    bool TryGetSpan(long offset, int length, out ReadOnlySpan<byte> span);
}
