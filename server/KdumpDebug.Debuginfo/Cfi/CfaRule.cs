namespace KdumpDebug.Debuginfo.Cfi;

/// <summary>How the Canonical Frame Address is computed (DWARF 5 §6.4.1).</summary>
public enum CfaRuleKind : byte
{
    /// <summary>No rule yet (a row before any <c>DW_CFA_def_cfa</c>): the CFA cannot be computed.</summary>
    Unknown = 0,
    /// <summary>CFA = register + offset (<c>DW_CFA_def_cfa</c>).</summary>
    RegisterOffset,
    /// <summary>CFA = value of the expression (<c>DW_CFA_def_cfa_expression</c>).</summary>
    Expression,
}

/// <summary>The CFA rule of an <see cref="UnwindRow"/>: register + offset, or an expression kept as bytes.</summary>
public readonly record struct CfaRule(CfaRuleKind Kind, UnwindRegister Register = 0, long Offset = 0, ReadOnlyMemory<byte> Expression = default)
{
    public static CfaRule RegisterPlus(UnwindRegister register, long offset) => new(CfaRuleKind.RegisterOffset, register, offset);
    public static CfaRule FromExpression(ReadOnlyMemory<byte> expression) => new(CfaRuleKind.Expression, Expression: expression);

    public override string ToString() => Kind switch
    {
        CfaRuleKind.RegisterOffset => $"{UnwindRegisters.Name(Register)}{Offset:+#;-#;+0}",
        CfaRuleKind.Expression => $"expr {Convert.ToHexString(Expression.Span)}",
        _ => "unknown",
    };
}
