using System.Globalization;
using KdumpDebug.Expressions;
using KdumpDebug.Target.Objects;

namespace KdumpDebug.Commands;

/// <summary>
/// gdb's value history as crash shows it: each value <c>p</c> prints is numbered <c>$1</c>,
/// <c>$2</c>... for the life of the session, and expressions can name them (<c>$</c> the last,
/// <c>$$</c> the one before, <c>$N</c>, <c>$$N</c> N back). An <see cref="IExpressionScope"/>.
/// </summary>
public sealed class ValueHistory : IExpressionScope
{
    readonly List<TargetObject> _values = new();

    public int Count => _values.Count;

    /// <summary>Records a printed value; returns its number (1-based).</summary>
    public int Add(TargetObject value)
    {
        _values.Add(value);
        return _values.Count;
    }

    public bool TryLookup(string name, out TargetObject value)
    {
        value = null!;
        if (name.Length == 0 || name[0] != '$') return false;
        int index;
        if (name == "$") index = _values.Count;
        else if (name == "$$") index = _values.Count - 1;
        else if (name.StartsWith("$$", StringComparison.Ordinal) && int.TryParse(name.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var back)) index = _values.Count - back;
        else if (int.TryParse(name.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var n)) index = n;
        else return false;
        if (index < 1 || index > _values.Count)
            throw new ExpressionException(_values.Count == 0 ? "History is empty." : $"History has not yet reached ${index}.");
        value = _values[index - 1];
        return true;
    }
}
