namespace KdumpDebug.Expressions;

/// <summary>gdb's print formats (<c>p/x</c>, <c>p/d</c>, <c>p/c</c>); <see cref="Natural"/> is plain <c>p</c>.</summary>
public enum ValueFormat
{
    Natural,
    /// <summary><c>/x</c>: integers, pointers, characters and enums in hex.</summary>
    Hex,
    /// <summary><c>/d</c>: integers as signed decimal.</summary>
    Decimal,
    /// <summary><c>/c</c>: integers as a character (<c>65 'A'</c>).</summary>
    Character,
    /// <summary>
    /// gdb's <c>set output-radix 16</c> (crash's <c>struct -x</c>): integers in hex, but characters
    /// keep their glyph, strings stay strings, enums and booleans keep their names.
    /// </summary>
    Radix16,
}
