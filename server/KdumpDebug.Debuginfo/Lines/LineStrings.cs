using System.Text;
using KdumpDebug.Core.Errors;

namespace KdumpDebug.Debuginfo.Lines;

/// <summary>
/// The string sections a line-table header refers to (.debug_line_str for DW_FORM_line_strp,
/// .debug_str for DW_FORM_strp). Strings are decoded on first use and cached; thread-safe.
/// </summary>
internal sealed class LineStrings(string path, ReadOnlyMemory<byte> lineStr, ReadOnlyMemory<byte> str)
{
    readonly Dictionary<(bool, ulong), string> _cache = [];

    public int LineStrLength => lineStr.Length;
    public int StrLength => str.Length;

    /// <summary>The NUL-terminated string at <paramref name="offset"/> (bounds were checked when the header was read).</summary>
    public string Read(bool inLineStr, ulong offset, long unitOffset)
    {
        lock (_cache)
        {
            if (_cache.TryGetValue((inLineStr, offset), out var s)) return s;
            var table = (inLineStr ? lineStr : str).Span;
            var name = inLineStr ? ".debug_line_str" : ".debug_str";
            if (offset >= (ulong)table.Length)
                throw new DumpFormatException(path, null, $".debug_line unit at 0x{unitOffset:x} path", $"offset 0x{offset:x} is past the end of {name}");
            var rest = table[(int)offset..];
            var n = rest.IndexOf((byte)0);
            if (n < 0)
                throw new DumpFormatException(path, null, $".debug_line unit at 0x{unitOffset:x} path", $"string at 0x{offset:x} in {name} is not NUL-terminated");
            s = Encoding.UTF8.GetString(rest[..n]);
            _cache[(inLineStr, offset)] = s;
            return s;
        }
    }
}
