namespace KdumpDebug.Expressions;

/// <summary>What a <see cref="Token"/> is.</summary>
public enum TokenKind
{
    /// <summary>An integer literal (decimal, 0x hex, 0 octal, with u/l suffixes).</summary>
    Integer,
    /// <summary>A character literal such as <c>'A'</c> or <c>'\n'</c>; its value is in <see cref="Token.Value"/>.</summary>
    Character,
    /// <summary>A string literal; its bytes (escapes decoded) are in <see cref="Token.Text"/>.</summary>
    String,
    /// <summary>An identifier or keyword; gdb's value-history names <c>$</c>, <c>$N</c>, <c>$$</c> are identifiers too.</summary>
    Identifier,
    /// <summary>An operator or punctuator: <c>-&gt;</c>, <c>&lt;&lt;</c>, <c>(</c>...</summary>
    Punctuator,
    /// <summary>The end of the input.</summary>
    End,
}

/// <summary>
/// One token of a C expression with its position (0-based character offset) in the source text,
/// so errors can say where they are. For integers, <see cref="Value"/> holds the value and the
/// flags say how it was written (C's rules for a literal's type need them).
/// </summary>
public readonly record struct Token(TokenKind Kind, string Text, int Position, ulong Value = 0, bool IsDecimal = true, bool HasUnsignedSuffix = false, int LongSuffixes = 0)
{
    public bool Is(string punctuator) => Kind == TokenKind.Punctuator && Text == punctuator;

    public bool IsKeyword(string word) => Kind == TokenKind.Identifier && Text == word;

    public override string ToString() => Kind == TokenKind.End ? "end of expression" : Text;
}
