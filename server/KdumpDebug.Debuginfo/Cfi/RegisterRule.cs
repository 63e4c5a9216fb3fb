namespace KdumpDebug.Debuginfo.Cfi;

/// <summary>How to recover one register of the caller (DWARF 5 §6.4.1 "register rules").</summary>
public enum RegisterRuleKind : byte
{
    /// <summary>The row says nothing: the ABI default applies (callee-saved: same value; others: undefined).</summary>
    Unspecified = 0,
    /// <summary>The value is not recoverable (<c>DW_CFA_undefined</c>).</summary>
    Undefined,
    /// <summary>The caller's value is the current value (<c>DW_CFA_same_value</c>).</summary>
    SameValue,
    /// <summary>Saved at address CFA + <see cref="RegisterRule.Offset"/> (<c>DW_CFA_offset</c>).</summary>
    Offset,
    /// <summary>The value is CFA + <see cref="RegisterRule.Offset"/> (<c>DW_CFA_val_offset</c>).</summary>
    ValOffset,
    /// <summary>The value is in register <see cref="RegisterRule.Register"/> (<c>DW_CFA_register</c>).</summary>
    Register,
    /// <summary>Saved at the address the expression computes, with the CFA pushed first (<c>DW_CFA_expression</c>).</summary>
    Expression,
    /// <summary>The value is what the expression computes, with the CFA pushed first (<c>DW_CFA_val_expression</c>).</summary>
    ValExpression,
}

/// <summary>
/// One register's rule in an <see cref="UnwindRow"/>. Expressions stay as the DWARF expression
/// bytes; the unwinder evaluates them (no reference to a target here).
/// </summary>
public readonly record struct RegisterRule(RegisterRuleKind Kind, long Offset = 0, UnwindRegister Register = 0, ReadOnlyMemory<byte> Expression = default)
{
    public static RegisterRule Unspecified => default;
    public static RegisterRule Undefined => new(RegisterRuleKind.Undefined);
    public static RegisterRule SameValue => new(RegisterRuleKind.SameValue);
    public static RegisterRule AtCfa(long offset) => new(RegisterRuleKind.Offset, offset);
    public static RegisterRule ValueAtCfa(long offset) => new(RegisterRuleKind.ValOffset, offset);
    public static RegisterRule InRegister(UnwindRegister register) => new(RegisterRuleKind.Register, Register: register);
    public static RegisterRule AtExpression(ReadOnlyMemory<byte> expression) => new(RegisterRuleKind.Expression, Expression: expression);
    public static RegisterRule ValueOfExpression(ReadOnlyMemory<byte> expression) => new(RegisterRuleKind.ValExpression, Expression: expression);

    public override string ToString() => Kind switch
    {
        RegisterRuleKind.Offset => $"[cfa{Offset:+#;-#;+0}]",
        RegisterRuleKind.ValOffset => $"cfa{Offset:+#;-#;+0}",
        RegisterRuleKind.Register => UnwindRegisters.Name(Register),
        RegisterRuleKind.Expression => $"[expr {Convert.ToHexString(Expression.Span)}]",
        RegisterRuleKind.ValExpression => $"expr {Convert.ToHexString(Expression.Span)}",
        _ => Kind.ToString(),
    };
}
