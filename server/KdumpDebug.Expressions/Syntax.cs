namespace KdumpDebug.Expressions;

/// <summary>
/// A parsed C expression: an immutable tree the <see cref="Parser"/> builds and the
/// <see cref="Evaluator"/> walks. Every node keeps the character offset where it starts, for errors.
/// </summary>
public abstract record Expr(int Position);

/// <summary>An integer or character literal.</summary>
public sealed record LiteralExpr(Token Token) : Expr(Token.Position);

/// <summary>A string literal (bytes without the terminating NUL).</summary>
public sealed record StringExpr(string Bytes, int At) : Expr(At);

/// <summary>An identifier: a local (from the scope), a global variable or function, an enumerator, or a value-history name (<c>$</c>, <c>$N</c>).</summary>
public sealed record NameExpr(string Name, int At) : Expr(At);

/// <summary><c>a.b</c> or <c>a-&gt;b</c>.</summary>
public sealed record MemberExpr(Expr Target, string Member, bool Arrow, int At) : Expr(At);

/// <summary><c>a[i]</c>.</summary>
public sealed record IndexExpr(Expr Target, Expr Index, int At) : Expr(At);

/// <summary>A prefix operator: <c>* &amp; - + ! ~</c>.</summary>
public sealed record UnaryExpr(string Operator, Expr Operand, int At) : Expr(At);

/// <summary>A binary operator (arithmetic, shift, bitwise, comparison, logical, gdb's <c>@</c>, comma).</summary>
public sealed record BinaryExpr(string Operator, Expr Left, Expr Right, int At) : Expr(At);

/// <summary><c>c ? a : b</c>.</summary>
public sealed record ConditionalExpr(Expr Condition, Expr WhenTrue, Expr WhenFalse, int At) : Expr(At);

/// <summary><c>(type) operand</c>; the type as written (<c>struct task_struct *</c>).</summary>
public sealed record CastExpr(string TypeName, Expr Operand, int At) : Expr(At);

/// <summary><c>sizeof(type)</c>.</summary>
public sealed record SizeofTypeExpr(string TypeName, int At) : Expr(At);

/// <summary><c>sizeof expr</c> (the operand is not evaluated for its value, only its type).</summary>
public sealed record SizeofExprExpr(Expr Operand, int At) : Expr(At);

/// <summary>A bare type name where an expression may stand (<c>whatis task_struct</c>, <c>ptype struct file</c>).</summary>
public sealed record TypeNameExpr(string TypeName, int At) : Expr(At);
