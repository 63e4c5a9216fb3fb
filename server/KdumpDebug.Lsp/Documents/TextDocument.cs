using KdumpDebug.Lsp.Protocol;

namespace KdumpDebug.Lsp.Documents;

/// <summary>
/// One open document as the client last sent it: URI, language id, version and text, with the
/// start offset of every line computed once (O(length)). Positions are LSP's default UTF-16
/// code units, which are C# string indexes. Immutable, so a feature can work on a snapshot while
/// the next change arrives.
/// </summary>
public sealed class TextDocument
{
    private readonly int[] _lineStarts;

    public TextDocument(string uri, string languageId, int version, string text)
    {
        Uri = uri;
        LanguageId = languageId;
        Version = version;
        Text = text;
        var starts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n') starts.Add(i + 1);
            else if (c == '\r' && (i + 1 >= text.Length || text[i + 1] != '\n')) starts.Add(i + 1);
        }
        _lineStarts = starts.ToArray();
        Kind = DocumentClassifier.Classify(uri, languageId);
    }

    public string Uri { get; }
    public string LanguageId { get; }
    public int Version { get; }
    public string Text { get; }

    /// <summary>Which language features serve this document.</summary>
    public DocumentKind Kind { get; }

    public int LineCount => _lineStarts.Length;

    /// <summary>The text of line <paramref name="line"/> without its line end; empty outside the document.</summary>
    public string Line(int line)
    {
        if (line < 0 || line >= _lineStarts.Length) return "";
        var start = _lineStarts[line];
        var end = line + 1 < _lineStarts.Length ? _lineStarts[line + 1] : Text.Length;
        while (end > start && Text[end - 1] is '\n' or '\r') end--;
        return Text[start..end];
    }

    /// <summary>
    /// The line and column of <paramref name="position"/> when it lies inside the document (a
    /// column may equal the line's length); false for a negative or past-the-end position.
    /// </summary>
    public bool TryResolve(Position? position, out int line, out int column)
    {
        line = position?.Line ?? -1;
        column = position?.Character ?? -1;
        return line >= 0 && line < _lineStarts.Length && column >= 0 && column <= Line(line).Length;
    }

    /// <summary>A new snapshot with <paramref name="change"/> applied (a range replaces that span; none replaces the whole text).</summary>
    public TextDocument With(int version, Range? range, string text)
    {
        if (range is null) return new TextDocument(Uri, LanguageId, version, text);
        var start = Offset(range.Start);
        var end = Math.Max(start, Offset(range.End));
        return new TextDocument(Uri, LanguageId, version, string.Concat(Text.AsSpan(0, start), text, Text.AsSpan(end)));
    }

    /// <summary>The string index of a position, clamped into the document (the LSP rule for columns past a line's end).</summary>
    public int Offset(Position position)
    {
        if (position.Line < 0) return 0;
        if (position.Line >= _lineStarts.Length) return Text.Length;
        var lineLength = Line(position.Line).Length;
        return _lineStarts[position.Line] + Math.Clamp(position.Character, 0, lineLength);
    }

    /// <summary>An LSP range on one line.</summary>
    public static Range Span(int line, int start, int end) => new()
    {
        Start = new Position { Line = line, Character = start },
        End = new Position { Line = line, Character = end },
    };
}
