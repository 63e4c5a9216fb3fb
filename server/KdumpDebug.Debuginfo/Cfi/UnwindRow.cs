using System.Text;

namespace KdumpDebug.Debuginfo.Cfi;

/// <summary>
/// One row of the unwind table: for the addresses [<see cref="Start"/>, <see cref="End"/>), how to
/// compute the Canonical Frame Address and recover each register of the caller (DWARF 5 §6.4.1).
/// ORC entries and DWARF CFI both produce this type, so the unwinder has one interpreter; an ORC
/// entry is translated into the same rules (its pt_regs frames become rules at fixed CFA offsets
/// plus a <see cref="Kind"/>).
/// <para>
/// A row is a small mutable value (27 register rules): readers build it, then hand it out; callers
/// that keep a row while asking for another should <see cref="Clone"/> it. Not thread-safe while
/// being built.
/// </para>
/// </summary>
public sealed class UnwindRow
{
    readonly RegisterRule[] _rules = new RegisterRule[UnwindRegisters.Count];

    /// <summary>First address the row applies to.</summary>
    public ulong Start { get; set; }

    /// <summary>First address past the row (exclusive).</summary>
    public ulong End { get; set; }

    /// <summary>Where the row came from.</summary>
    public UnwindRowSource Source { get; set; }

    /// <summary>Ordinary call frame, pt_regs frame, iret frame, or end of stack.</summary>
    public UnwindRowKind Kind { get; set; }

    /// <summary>
    /// True when the caller's <c>rip</c> is the exact interrupted instruction rather than a return
    /// address (the CIE augmentation 'S' of a signal frame, or an ORC entry's signal bit on a call
    /// frame): the unwinder then looks up the caller's row at <c>rip</c>, not <c>rip - 1</c>.
    /// <see cref="UnwindRowKind.Regs"/> and <see cref="UnwindRowKind.RegsPartial"/> imply it.
    /// </summary>
    public bool IsSignalFrame { get; set; }

    /// <summary>How to compute the CFA.</summary>
    public CfaRule Cfa { get; set; }

    /// <summary>The rule for one register of the caller.</summary>
    public RegisterRule this[UnwindRegister register]
    {
        get => _rules[(int)register];
        set => _rules[(int)register] = value;
    }

    /// <summary>True when the caller's registers are read from a <c>struct pt_regs</c> or iret frame at the CFA.</summary>
    public bool CrossesPtRegs => Kind is UnwindRowKind.Regs or UnwindRowKind.RegsPartial;

    /// <summary>A copy (rules included) that later changes to this row do not affect.</summary>
    public UnwindRow Clone()
    {
        var copy = new UnwindRow
        {
            Start = Start, End = End, Source = Source, Kind = Kind, IsSignalFrame = IsSignalFrame, Cfa = Cfa,
        };
        _rules.CopyTo(copy._rules, 0);
        return copy;
    }

    /// <summary>Copies every rule and the CFA rule from <paramref name="other"/> (the CFI interpreter's restore_state).</summary>
    public void CopyRulesFrom(UnwindRow other)
    {
        other._rules.CopyTo(_rules, 0);
        Cfa = other.Cfa;
    }

    /// <summary>Sets every register rule to <see cref="RegisterRule.Unspecified"/>.</summary>
    public void ClearRules() => Array.Clear(_rules);

    /// <summary>"[start-end) Source Kind cfa=rsp+8 rip=[cfa-8] ...": the rules that are specified, for logs and test failures.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append($"[{Start:x}-{End:x}) {Source} {Kind}{(IsSignalFrame ? " signal" : "")} cfa={Cfa}");
        for (var i = 0; i < _rules.Length; i++)
            if (_rules[i].Kind != RegisterRuleKind.Unspecified)
                sb.Append(' ').Append(UnwindRegisters.Name((UnwindRegister)i)).Append('=').Append(_rules[i]);
        return sb.ToString();
    }
}
