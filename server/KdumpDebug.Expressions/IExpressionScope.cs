using KdumpDebug.Target.Objects;

namespace KdumpDebug.Expressions;

/// <summary>
/// Names an expression can see before the globals: a DAP frame's locals and parameters, the
/// console's value history (<c>$</c>, <c>$N</c>). The evaluator asks the scope first, then the
/// kernel's global variables, functions and enumerators.
/// </summary>
public interface IExpressionScope
{
    bool TryLookup(string name, out TargetObject value);
}
