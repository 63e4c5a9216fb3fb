namespace KdumpDebug.Expressions;

/// <summary>
/// A recursive-descent parser for C expressions with C's precedence and associativity (C11 §6.5;
/// gdb's c-exp.y adds <c>@</c> between shifts and additive operators, and accepts a bare type name
/// as a whole expression for <c>whatis</c>/<c>ptype</c>). Whether <c>(name)</c> starts a cast
/// depends on whether <c>name</c> is a type, which only the debug info knows: the caller passes
/// <c>isTypeName</c> (a typedef, not shadowed by a variable). Costs one pass over the tokens.
/// </summary>
public sealed class Parser
{
    static readonly HashSet<string> TypeKeywords = new(StringComparer.Ordinal)
    {
        "struct", "union", "enum", "class", "unsigned", "signed", "int", "char", "short", "long",
        "void", "const", "volatile", "_Bool", "float", "double",
    };

    // Binary operators by precedence level, loosest first (gdb's c-exp.y order).
    static readonly string[][] Levels =
    [
        ["||"], ["&&"], ["|"], ["^"], ["&"], ["==", "!="], ["<", ">", "<=", ">="], ["<<", ">>"], ["@"], ["+", "-"], ["*", "/", "%"],
    ];

    readonly string _source;
    readonly IReadOnlyList<Token> _tokens;
    readonly Func<string, bool> _isTypeName;
    int _next;

    Parser(string source, Func<string, bool> isTypeName)
    {
        _source = source;
        _tokens = Lexer.Tokenize(source);
        _isTypeName = isTypeName;
    }

    /// <summary>Parses a whole expression; throws <see cref="ExpressionException"/> (gdb's syntax-error wording, with the position) on bad input.</summary>
    public static Expr Parse(string source, Func<string, bool>? isTypeName = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        var parser = new Parser(source, isTypeName ?? (_ => false));
        if (parser.Peek.Kind == TokenKind.End) throw new ExpressionException("Argument required (expression to compute).", 0);
        Expr result;
        if (parser.StartsTypeName(0) && parser.TypeNameRunsToEnd())
        {
            var at = parser.Peek.Position;
            result = new TypeNameExpr(parser.ReadTypeName(untilEnd: true), at);
        }
        else result = parser.Comma();
        if (parser.Peek.Kind != TokenKind.End) throw ExpressionException.Syntax(source, parser.Peek.Position);
        return result;
    }

    Token Peek => _tokens[_next];

    Token PeekAt(int ahead) => _tokens[Math.Min(_next + ahead, _tokens.Count - 1)];

    Token Take() => _tokens[_next < _tokens.Count - 1 ? _next++ : _next];

    void Expect(string punctuator)
    {
        if (!Peek.Is(punctuator)) throw ExpressionException.Syntax(_source, Peek.Position);
        _next++;
    }

    Expr Comma()
    {
        var left = Conditional();
        while (Peek.Is(","))
        {
            var at = Take().Position;
            left = new BinaryExpr(",", left, Conditional(), at);
        }
        return left;
    }

    Expr Conditional()
    {
        var condition = Binary(0);
        if (!Peek.Is("?")) return condition;
        var at = Take().Position;
        var whenTrue = Comma();
        Expect(":");
        var whenFalse = Conditional();
        return new ConditionalExpr(condition, whenTrue, whenFalse, at);
    }

    Expr Binary(int level)
    {
        if (level == Levels.Length) return Unary();
        var left = Binary(level + 1);
        while (Peek.Kind == TokenKind.Punctuator && Levels[level].Contains(Peek.Text))
        {
            var op = Take();
            left = new BinaryExpr(op.Text, left, Binary(level + 1), op.Position);
        }
        return left;
    }

    Expr Unary()
    {
        var token = Peek;
        if (token.Kind == TokenKind.Punctuator && token.Text is "*" or "&" or "-" or "+" or "!" or "~")
        {
            _next++;
            return new UnaryExpr(token.Text, Unary(), token.Position);
        }
        if (token.IsKeyword("sizeof"))
        {
            _next++;
            if (Peek.Is("(") && StartsTypeName(1))
            {
                _next++;
                var typeName = ReadTypeName(untilEnd: false);
                Expect(")");
                return new SizeofTypeExpr(typeName, token.Position);
            }
            return new SizeofExprExpr(Unary(), token.Position);
        }
        if (token.Is("(") && StartsTypeName(1))
        {
            _next++;
            var typeName = ReadTypeName(untilEnd: false);
            Expect(")");
            return new CastExpr(typeName, Unary(), token.Position);
        }
        return Postfix(Primary());
    }

    Expr Postfix(Expr expr)
    {
        while (true)
        {
            var token = Peek;
            if (token.Is(".") || token.Is("->"))
            {
                _next++;
                var name = Take();
                if (name.Kind != TokenKind.Identifier) throw ExpressionException.Syntax(_source, name.Position);
                expr = new MemberExpr(expr, name.Text, token.Text == "->", token.Position);
            }
            else if (token.Is("["))
            {
                _next++;
                var index = Comma();
                Expect("]");
                expr = new IndexExpr(expr, index, token.Position);
            }
            else return expr;
        }
    }

    Expr Primary()
    {
        var token = Take();
        switch (token.Kind)
        {
            case TokenKind.Integer:
            case TokenKind.Character:
                return new LiteralExpr(token);
            case TokenKind.String:
                return new StringExpr(token.Text, token.Position);
            case TokenKind.Identifier:
                return new NameExpr(token.Text, token.Position);
            case TokenKind.Punctuator when token.Text == "(":
                var inner = Comma();
                Expect(")");
                return inner;
            default:
                throw ExpressionException.Syntax(_source, token.Position);
        }
    }

    /// <summary>True when the token <paramref name="ahead"/> of the current one starts a type name.</summary>
    bool StartsTypeName(int ahead)
    {
        var t = PeekAt(ahead);
        if (t.Kind != TokenKind.Identifier) return false;
        return TypeKeywords.Contains(t.Text) || _isTypeName(t.Text);
    }

    /// <summary>For a whole-expression type name: true when nothing but declarator tokens follow.</summary>
    bool TypeNameRunsToEnd()
    {
        for (var i = _next; i < _tokens.Count; i++)
        {
            var t = _tokens[i];
            if (t.Kind == TokenKind.End) return true;
            if (t.Kind == TokenKind.Identifier && (i == _next || TypeKeywords.Contains(t.Text) || IsTagPosition(i))) continue;
            if (t.Kind == TokenKind.Identifier && i > _next && _tokens[i - 1].Kind == TokenKind.Identifier) continue;
            if (t.Kind == TokenKind.Punctuator && t.Text is "*" or "(" or ")" or "[" or "]") continue;
            if (t.Kind == TokenKind.Integer && i > _next && _tokens[i - 1].Is("[")) continue;
            return false;
        }
        return true;
    }

    bool IsTagPosition(int i) => i > 0 && _tokens[i - 1].Kind == TokenKind.Identifier && _tokens[i - 1].Text is "struct" or "union" or "enum" or "class";

    /// <summary>
    /// The text of a type name (specifiers and an abstract declarator) from the current token up
    /// to the closing parenthesis of the cast/sizeof (not consumed), or to the end.
    /// </summary>
    string ReadTypeName(bool untilEnd)
    {
        var parts = new List<string>();
        var depth = 0;
        while (true)
        {
            var t = Peek;
            if (t.Kind == TokenKind.End) break;
            if (!untilEnd && t.Is(")") && depth == 0) break;
            if (t.Is("(") || t.Is("[")) depth++;
            if (t.Is(")") || t.Is("]")) depth--;
            parts.Add(t.Kind == TokenKind.Integer ? t.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : t.Text);
            _next++;
        }
        if (parts.Count == 0) throw ExpressionException.Syntax(_source, Peek.Position);
        return string.Join(' ', parts).Replace("[ ", "[").Replace(" ]", "]").Replace(" [", "[");
    }
}
