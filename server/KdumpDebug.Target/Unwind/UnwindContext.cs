using KdumpDebug.Debuginfo.Cfi;

namespace KdumpDebug.Target.Unwind;

/// <summary>
/// The unwind row interpreter and its register file: holds the registers of the current frame
/// (each known or unknown) and applies an <see cref="UnwindRow"/> to get the caller's. The same
/// code runs rows from ORC, DWARF CFI and the frame-pointer rule. The context is reused across
/// frames: a step writes into a second register file and swaps, so stepping allocates nothing.
/// Not thread-safe.
/// </summary>
public sealed class UnwindContext
{
    RegisterSet _current = new();
    RegisterSet _next = new();

    /// <summary>The registers of the current frame (valid until the next <see cref="TryStep"/>).</summary>
    public RegisterSet Registers => _current;

    /// <summary>Starts over from <paramref name="initial"/> (copied).</summary>
    public void Reset(RegisterSet initial)
    {
        ArgumentNullException.ThrowIfNull(initial);
        initial.CopyTo(_current);
    }

    /// <summary>
    /// The rule that applies to <paramref name="register"/> when the row leaves it unspecified:
    /// the stack pointer is the CFA (DWARF's definition of the CFA on x86-64), callee-saved and
    /// segment registers keep their value (System V AMD64 ABI §3.2.1), the rest are undefined.
    /// </summary>
    public static RegisterRule DefaultRule(UnwindRegister register) =>
        register == UnwindRegister.Rsp ? RegisterRule.ValueAtCfa(0)
        : UnwindRegisters.IsCalleeSaved(register) || UnwindRegisters.IsSegment(register) ? RegisterRule.SameValue
        : RegisterRule.Undefined;

    /// <summary>Computes the CFA of the current frame under <paramref name="row"/>.</summary>
    public bool TryComputeCfa(UnwindRow row, IUnwindMemory memory, out ulong cfa, out string? error)
    {
        ArgumentNullException.ThrowIfNull(row);
        var rule = row.Cfa;
        switch (rule.Kind)
        {
            case CfaRuleKind.RegisterOffset:
                if (!_current.TryGet(rule.Register, out var baseValue))
                {
                    cfa = 0;
                    error = $"{UnwindRegisters.Name(rule.Register)} is unknown, so the frame address ({rule}) cannot be computed";
                    return false;
                }
                cfa = unchecked(baseValue + (ulong)rule.Offset);
                error = null;
                return true;
            case CfaRuleKind.Expression:
                if (UnwindExpression.TryEvaluate(rule.Expression.Span, _current, null, memory, out cfa, out var e))
                {
                    error = null;
                    return true;
                }
                error = $"frame address expression failed: {e}";
                return false;
            default:
                cfa = 0;
                error = "the unwind row has no frame address rule";
                return false;
        }
    }

    /// <summary>
    /// Applies <paramref name="row"/> with the current frame's CFA <paramref name="cfa"/>: the
    /// caller's registers become current. Every register rule is evaluated against the current
    /// (callee) registers. A register whose rule cannot be evaluated (unknown base register,
    /// unreadable save slot) becomes unknown, except rip and rsp: without them there is no caller,
    /// and the step fails with the reason.
    /// </summary>
    public bool TryStep(UnwindRow row, ulong cfa, IUnwindMemory memory, out string? error)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(memory);
        _next.Clear();
        for (var i = 0; i < UnwindRegisters.Count; i++)
        {
            var register = (UnwindRegister)i;
            var rule = row[register];
            if (rule.Kind == RegisterRuleKind.Unspecified) rule = DefaultRule(register);
            if (TryEvaluate(register, rule, cfa, memory, out var value, out var why))
            {
                _next.Set(register, value);
            }
            else if (register is UnwindRegister.Rip or UnwindRegister.Rsp && why is not null)
            {
                error = $"cannot recover {UnwindRegisters.Name(register)} ({rule}): {why}";
                return false;
            }
        }
        (_current, _next) = (_next, _current);
        error = null;
        return true;
    }

    /// <summary>Evaluates one rule; false with a null reason when the value is simply not recoverable (undefined).</summary>
    bool TryEvaluate(UnwindRegister register, RegisterRule rule, ulong cfa, IUnwindMemory memory, out ulong value, out string? error)
    {
        error = null;
        value = 0;
        switch (rule.Kind)
        {
            case RegisterRuleKind.SameValue:
                return _current.TryGet(register, out value) || Unknown(out error);
            case RegisterRuleKind.Offset:
                return memory.TryReadUInt64(unchecked(cfa + (ulong)rule.Offset), out value, out error);
            case RegisterRuleKind.ValOffset:
                value = unchecked(cfa + (ulong)rule.Offset);
                return true;
            case RegisterRuleKind.Register:
                return _current.TryGet(rule.Register, out value) || Unknown(out error);
            case RegisterRuleKind.Expression:
                if (!UnwindExpression.TryEvaluate(rule.Expression.Span, _current, cfa, memory, out var address, out error)) return false;
                return memory.TryReadUInt64(address, out value, out error);
            case RegisterRuleKind.ValExpression:
                return UnwindExpression.TryEvaluate(rule.Expression.Span, _current, cfa, memory, out value, out error);
            default:
                return false;
        }

        static bool Unknown(out string? error)
        {
            error = null;
            return false;
        }
    }
}
