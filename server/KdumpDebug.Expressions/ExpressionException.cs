using KdumpDebug.Core.Errors;

namespace KdumpDebug.Expressions;

/// <summary>
/// An expression could not be parsed or evaluated; the message is gdb's wording where gdb has one
/// (<c>No symbol "foo" in current context.</c>, <c>There is no member named bar.</c>,
/// <c>A syntax error in expression, near `+ 3'.</c>), and <see cref="Position"/> is the character
/// offset in the expression where the problem was found (-1 when it is not about one place).
/// </summary>
public sealed class ExpressionException : KdumpDebugException
{
    public ExpressionException(string message, int position = -1) : base(message)
    {
        Position = position;
    }

    public int Position { get; }

    /// <summary>gdb's syntax error: the rest of the input from <paramref name="position"/> is quoted.</summary>
    public static ExpressionException Syntax(string source, int position) =>
        new($"A syntax error in expression, near `{(position < source.Length ? source[position..] : "")}'.", position);
}
