namespace KdumpDebug.Lsp.Documents;

/// <summary>A whitespace-separated word of a line and the columns it covers (<see cref="End"/> exclusive).</summary>
public readonly record struct Word(string Text, int Start, int End)
{
    /// <summary>
    /// Splits a line into words at whitespace. A double-quoted run belongs to its word (quotes
    /// kept, so spans match the text). With <paramref name="commentChar"/>, a word starting with it
    /// ends the line (shell-style comments: <c>path /var/crash # here</c>). Linear in the line.
    /// </summary>
    public static List<Word> Split(string line, char? commentChar = '#')
    {
        var words = new List<Word>();
        var i = 0;
        while (i < line.Length)
        {
            while (i < line.Length && char.IsWhiteSpace(line[i])) i++;
            if (i >= line.Length || line[i] == commentChar) break;
            var start = i;
            var quoted = false;
            while (i < line.Length && (quoted || !char.IsWhiteSpace(line[i])))
            {
                if (line[i] == '"') quoted = !quoted;
                i++;
            }
            words.Add(new Word(line[start..i], start, i));
        }
        return words;
    }

    /// <summary>True when <paramref name="column"/> touches this word (inside it or just after its end).</summary>
    public bool Touches(int column) => column >= Start && column <= End;
}
