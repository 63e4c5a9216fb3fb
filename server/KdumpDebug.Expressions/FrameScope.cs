using KdumpDebug.Target.Frames;
using KdumpDebug.Target.Objects;

namespace KdumpDebug.Expressions;

/// <summary>
/// The names a C expression sees in a stack frame (DAP watch and hover): the frame's locals,
/// innermost block first, then its parameters; the evaluator falls back to globals after this.
/// An optional <paramref name="next"/> scope (e.g. the console's value history) is asked last.
/// Thread-safe (values are computed once by <see cref="FrameVariable"/>).
/// </summary>
public sealed class FrameScope(FrameVariables variables, IExpressionScope? next = null) : IExpressionScope
{
    public FrameVariables Variables { get; } = variables ?? throw new ArgumentNullException(nameof(variables));

    public bool TryLookup(string name, out TargetObject value)
    {
        if (Variables.TryLookup(name, out var variable))
        {
            value = variable.Value;
            return true;
        }
        if (next is not null) return next.TryLookup(name, out value);
        value = null!;
        return false;
    }
}
