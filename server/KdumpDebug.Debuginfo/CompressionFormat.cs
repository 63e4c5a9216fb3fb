namespace KdumpDebug.Debuginfo;

/// <summary>How a debug file on disk is stored, detected from its first bytes (not its name).</summary>
public enum CompressionFormat
{
    /// <summary>Not a format this reader knows.</summary>
    Unknown,
    /// <summary>An uncompressed ELF file (<c>7f 45 4c 46</c>).</summary>
    Elf,
    /// <summary>xz (<c>fd 37 7a 58 5a 00</c>).</summary>
    Xz,
    /// <summary>zstd (frame magic <c>28 b5 2f fd</c>).</summary>
    Zstd,
    /// <summary>gzip (<c>1f 8b</c>).</summary>
    Gzip,
}
