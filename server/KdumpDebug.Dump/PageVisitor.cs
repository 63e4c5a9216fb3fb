namespace KdumpDebug.Dump;

/// <summary>
/// Receives one page from <see cref="DumpPageReader.ReadAllPresentPages"/>. <paramref name="data"/> is
/// valid only during the call (the buffer is reused for the next page).
/// </summary>
public delegate void PageVisitor(ulong pfn, ReadOnlySpan<byte> data);
