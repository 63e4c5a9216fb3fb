using System.Globalization;

namespace KdumpDebug.Debuginfo.Types;

/// <summary>
/// Parses the type names users write (<c>struct task_struct</c>, <c>unsigned long</c>,
/// <c>const char *</c>, <c>int *[4]</c>, <c>char * const</c>) into a base name with its tag and
/// qualifiers, pointer levels and array suffixes. Pure text: finding the types is the
/// <see cref="TypeSystem"/>'s job.
/// </summary>
internal static class TypeNameParser
{
    internal sealed record Parsed(string? Tag, string BaseName, bool BaseConst, bool BaseVolatile,
        List<(bool Const, bool Volatile)> Pointers, List<ulong?> ArrayCounts);

    public static bool TryParse(string text, out Parsed parsed)
    {
        parsed = null!;
        var tokens = Tokenize(text);
        if (tokens is null || tokens.Count == 0) return false;
        var i = 0;
        string? tag = null;
        bool isConst = false, isVolatile = false;
        var words = new List<string>();
        for (; i < tokens.Count && tokens[i] is not ("*" or "["); i++)
        {
            switch (tokens[i])
            {
                case "const": isConst = true; break;
                case "volatile": isVolatile = true; break;
                case "struct" or "union" or "enum" or "class":
                    if (tag is not null || words.Count > 0) return false;
                    tag = tokens[i];
                    break;
                default: words.Add(tokens[i]); break;
            }
        }
        if (words.Count == 0) return false;
        // Several words only make sense for base types ("unsigned long"); a tag takes one name.
        if ((tag is not null || !BaseTypeNames.IsBaseTypeName(string.Join(' ', words))) && words.Count != 1) return false;
        var pointers = new List<(bool, bool)>();
        for (; i < tokens.Count && tokens[i] == "*"; i++)
        {
            bool c = false, v = false;
            while (i + 1 < tokens.Count && tokens[i + 1] is "const" or "volatile" or "restrict")
            {
                if (tokens[i + 1] == "const") c = true;
                if (tokens[i + 1] == "volatile") v = true;
                i++;
            }
            pointers.Add((c, v));
        }
        var arrays = new List<ulong?>();
        while (i < tokens.Count && tokens[i] == "[")
        {
            if (i + 1 < tokens.Count && tokens[i + 1] == "]")
            {
                arrays.Add(null);
                i += 2;
                continue;
            }
            if (i + 2 >= tokens.Count || tokens[i + 2] != "]") return false;
            if (!TryNumber(tokens[i + 1], out var n)) return false;
            arrays.Add(n);
            i += 3;
        }
        if (i != tokens.Count) return false;
        parsed = new Parsed(tag, string.Join(' ', words), isConst, isVolatile, pointers, arrays);
        return true;
    }

    static bool TryNumber(string s, out ulong value) =>
        s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(s.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value)
            : ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    static List<string>? Tokenize(string text)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var ch = text[i];
            if (char.IsWhiteSpace(ch)) { i++; continue; }
            if (ch is '*' or '[' or ']')
            {
                tokens.Add(ch.ToString());
                i++;
                continue;
            }
            if (char.IsLetterOrDigit(ch) || ch == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_')) i++;
                tokens.Add(text[start..i]);
                continue;
            }
            return null;
        }
        return tokens;
    }
}
