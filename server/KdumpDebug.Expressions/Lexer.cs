using System.Text;

namespace KdumpDebug.Expressions;

/// <summary>
/// Splits a C expression into tokens (C11 §6.4, the subset gdb's C parser accepts in practice):
/// identifiers, integer literals (decimal, <c>0x</c> hex, leading-0 octal, <c>u</c>/<c>l</c>
/// suffixes), character and string literals with C escapes, and operators (longest match).
/// One pass, allocation per token; errors are <see cref="ExpressionException"/> with the position.
/// </summary>
public static class Lexer
{
    // Longest first, so "<<=" is not read as "<<" "=".
    static readonly string[] Punctuators =
    [
        "<<=", ">>=", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
        "+", "-", "*", "/", "%", "<", ">", "&", "|", "^", "!", "~", "?", ":", "(", ")", "[", "]", ".", ",", "=", "@", "{", "}",
    ];

    public static IReadOnlyList<Token> Tokenize(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var tokens = new List<Token>();
        var i = 0;
        while (true)
        {
            while (i < source.Length && char.IsWhiteSpace(source[i])) i++;
            if (i >= source.Length)
            {
                tokens.Add(new Token(TokenKind.End, "", source.Length));
                return tokens;
            }
            var c = source[i];
            var start = i;
            if (char.IsAsciiLetter(c) || c == '_' || c == '$')
            {
                i++;
                while (i < source.Length && (char.IsAsciiLetterOrDigit(source[i]) || source[i] == '_' || source[i] == '$')) i++;
                tokens.Add(new Token(TokenKind.Identifier, source[start..i], start));
            }
            else if (char.IsAsciiDigit(c))
            {
                tokens.Add(ReadNumber(source, ref i));
            }
            else if (c == '\'')
            {
                i++;
                var value = ReadCharacter(source, ref i, '\'');
                if (i >= source.Length || source[i] != '\'') throw new ExpressionException("Unmatched single quote.", start);
                i++;
                tokens.Add(new Token(TokenKind.Character, source[start..i], start, value));
            }
            else if (c == '"')
            {
                i++;
                var bytes = new StringBuilder();
                while (i < source.Length && source[i] != '"') bytes.Append((char)ReadCharacter(source, ref i, '"'));
                if (i >= source.Length) throw new ExpressionException("Unterminated string in expression.", start);
                i++;
                tokens.Add(new Token(TokenKind.String, bytes.ToString(), start));
            }
            else
            {
                var match = Punctuators.FirstOrDefault(p => string.CompareOrdinal(source, i, p, 0, p.Length) == 0);
                if (match is null) throw new ExpressionException($"Invalid character '{c}' in expression.", start);
                i += match.Length;
                tokens.Add(new Token(TokenKind.Punctuator, match, start));
            }
        }
    }

    static Token ReadNumber(string source, ref int i)
    {
        var start = i;
        var radix = 10;
        if (source[i] == '0' && i + 1 < source.Length && (source[i + 1] is 'x' or 'X'))
        {
            radix = 16;
            i += 2;
        }
        else if (source[i] == '0') radix = 8;
        var digitsStart = i;
        while (i < source.Length && Uri.IsHexDigit(source[i])) i++;
        var digits = source[digitsStart..i];
        var unsignedSuffix = false;
        var longs = 0;
        while (i < source.Length && (source[i] is 'u' or 'U' or 'l' or 'L'))
        {
            if (source[i] is 'u' or 'U') unsignedSuffix = true;
            else longs++;
            i++;
        }
        if (i < source.Length && (char.IsAsciiLetterOrDigit(source[i]) || source[i] == '_'))
            throw new ExpressionException($"Invalid number \"{source[start..(i + 1)]}\".", start);
        if (digits.Length == 0 && radix == 16) throw new ExpressionException($"Invalid number \"{source[start..i]}\".", start);
        ulong value = 0;
        foreach (var d in digits)
        {
            var v = (ulong)Convert.ToInt32(d.ToString(), 16);
            if (v >= (ulong)radix) throw new ExpressionException($"Invalid number \"{source[start..i]}\".", start);
            var next = unchecked(value * (ulong)radix + v);
            if ((next - v) / (ulong)radix != value) throw new ExpressionException("Numeric constant too large.", start);
            value = next;
        }
        return new Token(TokenKind.Integer, source[start..i], start, value, radix == 10, unsignedSuffix, longs);
    }

    /// <summary>One character of a char or string literal, escapes decoded (C11 §6.4.4.4).</summary>
    static ulong ReadCharacter(string source, ref int i, char quote)
    {
        if (i >= source.Length) throw new ExpressionException(quote == '\'' ? "Unmatched single quote." : "Unterminated string in expression.", i);
        var c = source[i++];
        if (c != '\\') return c;
        if (i >= source.Length) throw new ExpressionException("Unmatched single quote.", i);
        var e = source[i++];
        switch (e)
        {
            case 'n': return '\n';
            case 't': return '\t';
            case 'r': return '\r';
            case 'a': return 7;
            case 'b': return 8;
            case 'f': return 12;
            case 'v': return 11;
            case 'e': return 27;
            case 'x':
            {
                ulong v = 0;
                var n = 0;
                while (i < source.Length && Uri.IsHexDigit(source[i]) && n < 2) { v = v * 16 + (ulong)Convert.ToInt32(source[i].ToString(), 16); i++; n++; }
                if (n == 0) throw new ExpressionException("\\x escape without a following hex digit", i);
                return v;
            }
            default:
                if (e is >= '0' and <= '7')
                {
                    ulong v = (ulong)(e - '0');
                    var n = 1;
                    while (i < source.Length && source[i] is >= '0' and <= '7' && n < 3) { v = v * 8 + (ulong)(source[i] - '0'); i++; n++; }
                    return v & 0xff;
                }
                return e; // \\ \' \" \? and unknown escapes stand for themselves, as in gdb
        }
    }
}
