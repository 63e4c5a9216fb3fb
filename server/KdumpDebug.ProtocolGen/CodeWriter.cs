using System.Text;

namespace KdumpDebug.ProtocolGen;

/// <summary>
/// Appends C# source text with four-space indentation and "\n" line ends, so generated files are
/// byte-identical on every platform. Not thread-safe; one writer per output file.
/// </summary>
public sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    /// <summary>Writes one line at the current indentation (an empty line has no trailing spaces).</summary>
    public void Line(string text = "")
    {
        if (text.Length > 0)
        {
            _text.Append(' ', _indent * 4);
            _text.Append(text);
        }
        _text.Append('\n');
    }

    /// <summary>Writes <paramref name="header"/> and an opening brace, then indents.</summary>
    public void Open(string header)
    {
        Line(header);
        Line("{");
        _indent++;
    }

    /// <summary>Unindents and writes the closing brace.</summary>
    public void Close()
    {
        _indent--;
        Line("}");
    }

    /// <summary>
    /// Writes a <c>&lt;summary&gt;</c> doc comment from a schema description (XML-escaped, one
    /// comment line per description line); writes nothing when both parts are empty.
    /// </summary>
    public void Summary(string? description, string? extra = null)
    {
        var parts = new List<string>();
        if (!string.IsNullOrWhiteSpace(description)) parts.AddRange(SplitLines(description));
        if (!string.IsNullOrWhiteSpace(extra)) parts.AddRange(SplitLines(extra));
        if (parts.Count == 0) return;
        Line("/// <summary>");
        foreach (var p in parts) Line(p.Length == 0 ? "///" : "/// " + Escape(p));
        Line("/// </summary>");
    }

    private static IEnumerable<string> SplitLines(string text) =>
        text.Replace("\r\n", "\n").Trim().Split('\n').Select(l => l.TrimEnd());

    /// <summary>Escapes the three characters XML doc comments cannot hold literally.</summary>
    public static string Escape(string text) =>
        text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    public override string ToString() => _text.ToString();
}
