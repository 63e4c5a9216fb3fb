using KdumpDebug.Debuginfo.Cfi;

namespace KdumpDebug.Debuginfo.Orc;

/// <summary>
/// One decoded <c>struct orc_entry</c> (6 bytes: s16 sp_offset, s16 bp_offset, then bit fields
/// whose layout <see cref="OrcEntryLayout"/> describes), normalized to the v6.4 type numbering.
/// </summary>
/// <param name="SpOffset">Offset added to the base register to get the previous frame's sp.</param>
/// <param name="BpOffset">Offset of the saved bp from the <see cref="BpRegister"/> base.</param>
/// <param name="SpRegister">Base of the previous sp.</param>
/// <param name="BpRegister">Where the previous bp is: <see cref="OrcRegister.Undefined"/> (unchanged), PrevSp or Bp.</param>
/// <param name="Type">Frame type.</param>
/// <param name="Signal">The frame is a signal/interrupt frame: its caller's ip is exact (v6.3 flag; implied by the REGS types before).</param>
public readonly record struct OrcEntry(short SpOffset, short BpOffset, OrcRegister SpRegister, OrcRegister BpRegister, OrcType Type, bool Signal)
{
    // DWARF expression opcodes used to express ORC's indirect stack pointers as CFA expressions
    // (DWARF 5 §2.5.1): DW_OP_breg6 (rbp) / DW_OP_breg7 (rsp) with an SLEB128 offset, DW_OP_deref,
    // DW_OP_consts + DW_OP_plus.
    const byte OpBreg6 = 0x76, OpBreg7 = 0x77, OpDeref = 0x06, OpConsts = 0x11, OpPlus = 0x22;

    /// <summary>
    /// The entry as an <see cref="UnwindRow"/> over [<paramref name="start"/>, <paramref name="end"/>),
    /// following the kernel's own unwinder (arch/x86/kernel/unwind_orc.c, <c>unwind_next_frame</c>):
    /// <list type="bullet">
    /// <item>CFA (the previous sp): sp/bp + sp_offset; SP_INDIRECT = *(sp) + sp_offset; BP_INDIRECT =
    /// *(bp + sp_offset) (both as DWARF expressions); R10/R13/DI/DX = that register, whose value the
    /// kernel only has from a pt_regs, and without the offset, as the kernel computes it.</item>
    /// <item>CALL: return address at CFA - 8, sp = CFA. REGS: every register from the pt_regs at the
    /// CFA. REGS_PARTIAL: ip/cs/flags/sp/ss from the iret frame at the CFA, the rest unchanged.</item>
    /// <item>bp: PREV_SP: saved at CFA + bp_offset; BP: saved at bp + bp_offset; UNDEFINED:
    /// unchanged (or from the pt_regs for REGS).</item>
    /// <item>ORC does not track rbx and r12-r15: a CALL row leaves them <see cref="RegisterRule.Undefined"/>
    /// (the unwinder may fill them from a DWARF row with the same CFA); caller-saved registers are
    /// undefined after a call; segment registers do not change.</item>
    /// </list>
    /// Undefined and end-of-stack entries give a row of kind <see cref="UnwindRowKind.EndOfStack"/>
    /// (end of stack) or null (undefined: no information).
    /// </summary>
    public UnwindRow? ToUnwindRow(ulong start, ulong end)
    {
        if (Type == OrcType.Undefined) return null;
        var row = new UnwindRow { Start = start, End = end, Source = UnwindRowSource.Orc };
        if (Type == OrcType.EndOfStack)
        {
            row.Kind = UnwindRowKind.EndOfStack;
            return row;
        }
        switch (SpRegister)
        {
            case OrcRegister.Sp: row.Cfa = CfaRule.RegisterPlus(UnwindRegister.Rsp, SpOffset); break;
            case OrcRegister.Bp: row.Cfa = CfaRule.RegisterPlus(UnwindRegister.Rbp, SpOffset); break;
            case OrcRegister.SpIndirect: row.Cfa = CfaRule.FromExpression(Expression(OpBreg7, 0, deref: true, add: SpOffset)); break;
            case OrcRegister.BpIndirect: row.Cfa = CfaRule.FromExpression(Expression(OpBreg6, SpOffset, deref: true, add: 0)); break;
            case OrcRegister.R10: row.Cfa = CfaRule.RegisterPlus(UnwindRegister.R10, 0); break;
            case OrcRegister.R13: row.Cfa = CfaRule.RegisterPlus(UnwindRegister.R13, 0); break;
            case OrcRegister.Di: row.Cfa = CfaRule.RegisterPlus(UnwindRegister.Rdi, 0); break;
            case OrcRegister.Dx: row.Cfa = CfaRule.RegisterPlus(UnwindRegister.Rdx, 0); break;
            default: return null; // PREV_SP or an unknown number: the kernel reports "unknown SP base reg".
        }
        for (var r = 0; r < UnwindRegisters.Count; r++)
            row[(UnwindRegister)r] = UnwindRegisters.IsSegment((UnwindRegister)r) ? RegisterRule.SameValue : RegisterRule.Undefined;
        switch (Type)
        {
            case OrcType.Call:
                row.Kind = UnwindRowKind.Call;
                row.IsSignalFrame = Signal;
                row[UnwindRegister.Rip] = RegisterRule.AtCfa(-8);
                row[UnwindRegister.Rsp] = RegisterRule.ValueAtCfa(0);
                row[UnwindRegister.Rbp] = RegisterRule.SameValue;
                break;
            case OrcType.Regs:
                row.Kind = UnwindRowKind.Regs;
                row.IsSignalFrame = true;
                for (var i = 0; i < PtRegs.Order.Length; i++)
                    row[PtRegs.Order[i]] = RegisterRule.AtCfa(i * 8);
                break;
            case OrcType.RegsPartial:
                row.Kind = UnwindRowKind.RegsPartial;
                row.IsSignalFrame = true;
                // The registers pushed by software are still live in the interrupted context.
                for (var r = 0; r < UnwindRegisters.Count; r++) row[(UnwindRegister)r] = RegisterRule.SameValue;
                for (var i = PtRegs.IpIndex; i < PtRegs.Order.Length; i++)
                    row[PtRegs.Order[i]] = RegisterRule.AtCfa((i - PtRegs.IpIndex) * 8);
                break;
            default:
                return null;
        }
        switch (BpRegister)
        {
            case OrcRegister.Undefined: break; // unchanged, or from the pt_regs (set above)
            case OrcRegister.PrevSp: row[UnwindRegister.Rbp] = RegisterRule.AtCfa(BpOffset); break;
            case OrcRegister.Bp: row[UnwindRegister.Rbp] = RegisterRule.AtExpression(Expression(OpBreg6, BpOffset, deref: false, add: 0)); break;
            default: return null; // the kernel reports "unknown BP base reg"
        }
        return row;
    }

    static byte[] Expression(byte breg, long offset, bool deref, long add)
    {
        var bytes = new List<byte>(16) { breg };
        WriteSleb(bytes, offset);
        if (deref) bytes.Add(OpDeref);
        if (add != 0)
        {
            bytes.Add(OpConsts);
            WriteSleb(bytes, add);
            bytes.Add(OpPlus);
        }
        return bytes.ToArray();
    }

    static void WriteSleb(List<byte> bytes, long value)
    {
        while (true)
        {
            var b = (byte)(value & 0x7f);
            value >>= 7;
            var done = (value == 0 && (b & 0x40) == 0) || (value == -1 && (b & 0x40) != 0);
            bytes.Add(done ? b : (byte)(b | 0x80));
            if (done) return;
        }
    }
}
