namespace KdumpDebug.Commands.Parsing;

/// <summary>
/// Splits a command line into words the way crash's parse_line does for plain commands:
/// whitespace separates words; a double-quoted string is one word (quotes removed), so
/// <c>sym -q "a b"</c> passes one argument. Pipes and redirection are split off before, by
/// <see cref="OutputRedirectionParser"/>.
/// </summary>
static class CommandLineTokenizer
{
    public static IReadOnlyList<string> Split(string line)
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        var inWord = false;
        var inQuotes = false;
        foreach (var c in line)
        {
            if (inQuotes)
            {
                if (c == '"') inQuotes = false;
                else current.Append(c);
            }
            else if (c == '"')
            {
                inQuotes = true;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord) words.Add(current.ToString());
                current.Clear();
                inWord = false;
            }
            else
            {
                current.Append(c);
                inWord = true;
            }
        }
        if (inQuotes) throw new CommandException("unbalanced quotation marks in command line");
        if (inWord) words.Add(current.ToString());
        return words;
    }
}
