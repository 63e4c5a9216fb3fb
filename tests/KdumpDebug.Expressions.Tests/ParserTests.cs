namespace KdumpDebug.Expressions.Tests;

/// <summary>
/// The lexer and parser without a target: C precedence and associativity, casts decided by the
/// type-name callback, sizeof forms, literals, and gdb's syntax-error wording with positions.
/// The tree is printed fully parenthesized so each assertion shows the grouping.
/// </summary>
public sealed class ParserTests
{
    static string Show(Expr e) => e switch
    {
        LiteralExpr l => l.Token.Text,
        StringExpr s => "\"" + s.Bytes + "\"",
        NameExpr n => n.Name,
        MemberExpr m => $"({Show(m.Target)}{(m.Arrow ? "->" : ".")}{m.Member})",
        IndexExpr i => $"({Show(i.Target)}[{Show(i.Index)}])",
        UnaryExpr u => $"({u.Operator}{Show(u.Operand)})",
        BinaryExpr b => $"({Show(b.Left)} {b.Operator} {Show(b.Right)})",
        ConditionalExpr c => $"({Show(c.Condition)} ? {Show(c.WhenTrue)} : {Show(c.WhenFalse)})",
        CastExpr c => $"(cast<{c.TypeName}> {Show(c.Operand)})",
        SizeofTypeExpr s => $"sizeof<{s.TypeName}>",
        SizeofExprExpr s => $"(sizeof {Show(s.Operand)})",
        TypeNameExpr t => $"type<{t.TypeName}>",
        _ => throw new InvalidOperationException(),
    };

    static string P(string source, params string[] typedefs) => Show(Parser.Parse(source, typedefs.Contains));

    [Theory]
    [InlineData("1+2*3", "(1 + (2 * 3))")]
    [InlineData("(1+2)*3", "((1 + 2) * 3)")]
    [InlineData("1-2-3", "((1 - 2) - 3)")]
    [InlineData("1 << 2 + 3", "(1 << (2 + 3))")]
    [InlineData("a & b == c", "(a & (b == c))")]
    [InlineData("a || b && c", "(a || (b && c))")]
    [InlineData("a | b ^ c & d", "(a | (b ^ (c & d)))")]
    [InlineData("a < b == c > d", "((a < b) == (c > d))")]
    [InlineData("a ? b : c ? d : e", "(a ? b : (c ? d : e))")]
    [InlineData("-a->b", "(-(a->b))")]
    [InlineData("*a.b[2]", "(*((a.b)[2]))")]
    [InlineData("&init_task.tasks + 1", "((&(init_task.tasks)) + 1)")]
    [InlineData("!~-x", "(!(~(-x)))")]
    [InlineData("*init_task.comm@3", "((*(init_task.comm)) @ 3)")]
    [InlineData("a @ 1 + 2", "(a @ (1 + 2))")]
    [InlineData("a, b", "(a , b)")]
    public void PrecedenceAndAssociativityFollowC(string source, string expected) => Assert.Equal(expected, P(source));

    [Fact]
    public void CastsToAnyTypeName()
    {
        Assert.Equal("((cast<struct task_struct *> 0xffff8880049b0000)->comm)", P("((struct task_struct *)0xffff8880049b0000)->comm"));
        Assert.Equal("(cast<unsigned long> x)", P("(unsigned long)x"));
        Assert.Equal("(cast<const char *> linux_banner)", P("(const char *)linux_banner"));
        Assert.Equal("((cast<u64> x) + 1)", P("(u64)x + 1", "u64"));
        // Not a type: a parenthesized expression.
        Assert.Equal("(x + 1)", P("(x) + 1"));
        Assert.Equal("(cast<int> (-1))", P("(int)-1"));
    }

    [Fact]
    public void SizeofTakesATypeOrAnExpression()
    {
        Assert.Equal("sizeof<struct page>", P("sizeof(struct page)"));
        Assert.Equal("(sizeof init_task)", P("sizeof init_task"));
        Assert.Equal("(sizeof (init_task.comm))", P("sizeof(init_task.comm)"));
        Assert.Equal("(sizeof<int> * 2)", P("sizeof(int) * 2"));
    }

    [Fact]
    public void ABareTypeNameIsAcceptedForWhatisAndPtype()
    {
        Assert.Equal("type<struct file>", P("struct file"));
        Assert.Equal("type<unsigned long>", P("unsigned long"));
        Assert.Equal("type<struct list_head *>", P("struct list_head *"));
        Assert.Equal("type<spinlock_t>", P("spinlock_t", "spinlock_t"));
    }

    [Fact]
    public void LiteralsInEveryBase()
    {
        var tokens = Lexer.Tokenize("0x10 010 10 'A' '\\n' '\\0' 10UL \"a\\tb\"");
        Assert.Equal([16UL, 8UL, 10UL, 65UL, 10UL, 0UL, 10UL], tokens.Take(7).Select(t => t.Value));
        Assert.False(tokens[0].IsDecimal);
        Assert.True(tokens[6].HasUnsignedSuffix);
        Assert.Equal(1, tokens[6].LongSuffixes);
        Assert.Equal(TokenKind.String, tokens[7].Kind);
        Assert.Equal("a\tb", tokens[7].Text);
        Assert.Equal(TokenKind.End, tokens[8].Kind);
    }

    [Theory]
    [InlineData("1 +", "A syntax error in expression, near `'.", 3)]
    [InlineData("(1 + 2", "A syntax error in expression, near `'.", 6)]
    [InlineData("a.", "A syntax error in expression, near `'.", 2)]
    [InlineData("1 2", "A syntax error in expression, near `2'.", 2)]
    [InlineData("a->5", "A syntax error in expression, near `5'.", 3)]
    [InlineData("1 # 2", "Invalid character '#' in expression.", 2)]
    [InlineData("0x", "Invalid number \"0x\".", 0)]
    [InlineData("09", "Invalid number \"09\".", 0)]
    [InlineData("'a", "Unmatched single quote.", 0)]
    [InlineData("\"abc", "Unterminated string in expression.", 0)]
    [InlineData("", "Argument required (expression to compute).", 0)]
    [InlineData("99999999999999999999", "Numeric constant too large.", 0)]
    public void SyntaxErrorsNameThePlace(string source, string message, int position)
    {
        var e = Assert.Throws<ExpressionException>(() => Parser.Parse(source));
        Assert.Equal(message, e.Message);
        Assert.Equal(position, e.Position);
    }
}
