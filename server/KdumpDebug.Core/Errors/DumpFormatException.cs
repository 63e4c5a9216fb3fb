namespace KdumpDebug.Core.Errors;

/// <summary>
/// A file (vmcore, vmlinux, module) whose bytes do not follow its format: truncated, a header field
/// out of range, an offset past the end. The message reads
/// <c>FILE: FIELD at offset 0xOFF: PROBLEM</c>.
/// </summary>
public sealed class DumpFormatException : KdumpDebugException
{
    public string FilePath { get; }
    public long? Offset { get; }
    public string Field { get; }

    public DumpFormatException(string filePath, long? offset, string field, string problem)
        : base(Format(filePath, offset, field, problem))
    {
        FilePath = filePath;
        Offset = offset;
        Field = field;
    }

    static string Format(string filePath, long? offset, string field, string problem) =>
        offset is long o
            ? $"{filePath}: {field} at offset 0x{o:x}: {problem}"
            : $"{filePath}: {field}: {problem}";
}
