namespace KdumpDebug.Debuginfo.Cfi;

/// <summary>
/// Executes call frame instructions (DWARF 5 §6.4.2): the CIE's initial instructions, then an
/// FDE's up to a target address, producing the row in effect there. Allocates the row, the
/// CIE's initial row (for DW_CFA_restore) and one copy per DW_CFA_remember_state.
/// </summary>
internal static class CfiInterpreter
{
    public static UnwindRow Run(CfiTable table, ReadOnlyMemory<byte> data, CommonInformationEntry cie, FrameDescriptionEntry fde, ulong address)
    {
        var initial = new UnwindRow { Source = UnwindRowSource.Cfi, Kind = UnwindRowKind.Call, IsSignalFrame = cie.IsSignalFrame };
        var state = new State(table, data, cie, initial, null, fde.InitialLocation, ulong.MaxValue);
        // The CIE's initial instructions describe the row at the first address; they do not advance.
        state.Execute(cie.InitialInstructionsOffset, cie.InitialInstructionsLength, "CIE initial instructions");

        var row = initial.Clone();
        state = new State(table, data, cie, row, initial, fde.InitialLocation, address);
        row.Start = fde.InitialLocation;
        row.End = fde.EndLocation;
        state.Execute(fde.InstructionsOffset, fde.InstructionsLength, "FDE instructions");

        // x86-64 always uses column 16 for the return address; map another column onto rip.
        if (cie.ReturnAddressRegister != UnwindRegisters.DwarfReturnAddress)
            row[UnwindRegister.Rip] = UnwindRegisters.TryFromDwarf(cie.ReturnAddressRegister, out var ra) ? row[ra] : RegisterRule.Undefined;
        return row;
    }

    sealed class State(CfiTable table, ReadOnlyMemory<byte> data, CommonInformationEntry cie, UnwindRow row, UnwindRow? initial, ulong location, ulong target)
    {
        readonly List<UnwindRow> _stack = [];
        ulong _location = location;

        /// <summary>Runs instructions until they end or the location passes the target address.</summary>
        public void Execute(int offset, int length, string what)
        {
            var c = new CfiCursor(data.Span, offset, offset + length, table.Path, $"{table.SectionName} {what}");
            while (!c.AtEnd)
            {
                var opOffset = c.Position;
                var op = c.U8("opcode");
                var low = (byte)(op & 0x3f);
                switch (op & 0xc0)
                {
                    case (int)DwCfa.AdvanceLoc:
                        if (Advance(low * cie.CodeAlignmentFactor)) return;
                        continue;
                    case (int)DwCfa.Offset:
                        SetRule(low, RegisterRule.AtCfa(Factored(c.ULeb("DW_CFA_offset offset"))));
                        continue;
                    case (int)DwCfa.Restore:
                        Restore(low);
                        continue;
                }
                switch ((DwCfa)op)
                {
                    case DwCfa.Nop:
                        break;
                    case DwCfa.SetLoc:
                    {
                        var newLocation = table.Format == CfiFormat.DebugFrame
                            ? c.Unsigned(cie.AddressSize, "DW_CFA_set_loc address")
                            : c.EncodedPointer(cie.FdePointerEncoding, table.SectionAddress, cie.AddressSize, "DW_CFA_set_loc address");
                        if (newLocation < _location)
                            throw c.ErrorAt(opOffset, "DW_CFA_set_loc", $"0x{newLocation:x} moves backwards from 0x{_location:x}");
                        if (MoveTo(newLocation)) return;
                        break;
                    }
                    case DwCfa.AdvanceLoc1:
                        if (Advance(c.U8("DW_CFA_advance_loc1 delta") * cie.CodeAlignmentFactor)) return;
                        break;
                    case DwCfa.AdvanceLoc2:
                        if (Advance(c.U16("DW_CFA_advance_loc2 delta") * cie.CodeAlignmentFactor)) return;
                        break;
                    case DwCfa.AdvanceLoc4:
                        if (Advance(c.U32("DW_CFA_advance_loc4 delta") * cie.CodeAlignmentFactor)) return;
                        break;
                    case DwCfa.OffsetExtended:
                    {
                        var reg = c.ULeb("DW_CFA_offset_extended register");
                        SetRule(reg, RegisterRule.AtCfa(Factored(c.ULeb("DW_CFA_offset_extended offset"))));
                        break;
                    }
                    case DwCfa.RestoreExtended:
                        Restore(c.ULeb("DW_CFA_restore_extended register"));
                        break;
                    case DwCfa.Undefined:
                        SetRule(c.ULeb("DW_CFA_undefined register"), RegisterRule.Undefined);
                        break;
                    case DwCfa.SameValue:
                        SetRule(c.ULeb("DW_CFA_same_value register"), RegisterRule.SameValue);
                        break;
                    case DwCfa.Register:
                    {
                        var reg = c.ULeb("DW_CFA_register register");
                        var from = c.ULeb("DW_CFA_register register");
                        SetRule(reg, UnwindRegisters.TryFromDwarf(from, out var source) ? RegisterRule.InRegister(source) : RegisterRule.Undefined);
                        break;
                    }
                    case DwCfa.RememberState:
                        if (_stack.Count >= CfiTable.MaxRememberDepth)
                            throw c.ErrorAt(opOffset, "DW_CFA_remember_state", $"nesting deeper than {CfiTable.MaxRememberDepth}");
                        _stack.Add(row.Clone());
                        break;
                    case DwCfa.RestoreState:
                        if (_stack.Count == 0)
                            throw c.ErrorAt(opOffset, "DW_CFA_restore_state", "no state was remembered");
                        // The CFA rule is part of the remembered state (DWARF 5 §6.4.2.4; GCC relies on it
                        // after an epilogue in the middle of a function).
                        row.CopyRulesFrom(_stack[^1]);
                        _stack.RemoveAt(_stack.Count - 1);
                        break;
                    case DwCfa.DefCfa:
                    {
                        var reg = c.ULeb("DW_CFA_def_cfa register");
                        DefineCfa(reg, (long)c.ULeb("DW_CFA_def_cfa offset"));
                        break;
                    }
                    case DwCfa.DefCfaSf:
                    {
                        var reg = c.ULeb("DW_CFA_def_cfa_sf register");
                        DefineCfa(reg, c.SLeb("DW_CFA_def_cfa_sf offset") * cie.DataAlignmentFactor);
                        break;
                    }
                    case DwCfa.DefCfaRegister:
                    {
                        var reg = c.ULeb("DW_CFA_def_cfa_register register");
                        DefineCfa(reg, row.Cfa.Kind == CfaRuleKind.RegisterOffset ? row.Cfa.Offset : 0);
                        break;
                    }
                    case DwCfa.DefCfaOffset:
                        SetCfaOffset((long)c.ULeb("DW_CFA_def_cfa_offset offset"));
                        break;
                    case DwCfa.DefCfaOffsetSf:
                        SetCfaOffset(c.SLeb("DW_CFA_def_cfa_offset_sf offset") * cie.DataAlignmentFactor);
                        break;
                    case DwCfa.DefCfaExpression:
                        row.Cfa = CfaRule.FromExpression(Block(ref c, "DW_CFA_def_cfa_expression"));
                        break;
                    case DwCfa.Expression:
                    {
                        var reg = c.ULeb("DW_CFA_expression register");
                        SetRule(reg, RegisterRule.AtExpression(Block(ref c, "DW_CFA_expression")));
                        break;
                    }
                    case DwCfa.ValExpression:
                    {
                        var reg = c.ULeb("DW_CFA_val_expression register");
                        SetRule(reg, RegisterRule.ValueOfExpression(Block(ref c, "DW_CFA_val_expression")));
                        break;
                    }
                    case DwCfa.OffsetExtendedSf:
                    {
                        var reg = c.ULeb("DW_CFA_offset_extended_sf register");
                        SetRule(reg, RegisterRule.AtCfa(c.SLeb("DW_CFA_offset_extended_sf offset") * cie.DataAlignmentFactor));
                        break;
                    }
                    case DwCfa.ValOffset:
                    {
                        var reg = c.ULeb("DW_CFA_val_offset register");
                        SetRule(reg, RegisterRule.ValueAtCfa(Factored(c.ULeb("DW_CFA_val_offset offset"))));
                        break;
                    }
                    case DwCfa.ValOffsetSf:
                    {
                        var reg = c.ULeb("DW_CFA_val_offset_sf register");
                        SetRule(reg, RegisterRule.ValueAtCfa(c.SLeb("DW_CFA_val_offset_sf offset") * cie.DataAlignmentFactor));
                        break;
                    }
                    case DwCfa.GnuArgsSize:
                        // Only matters to exception handling (how much to pop at a landing pad).
                        c.ULeb("DW_CFA_GNU_args_size size");
                        break;
                    case DwCfa.GnuNegativeOffsetExtended:
                    {
                        var reg = c.ULeb("DW_CFA_GNU_negative_offset_extended register");
                        SetRule(reg, RegisterRule.AtCfa(-Factored(c.ULeb("DW_CFA_GNU_negative_offset_extended offset"))));
                        break;
                    }
                    default:
                        // Unknown opcodes have unknown operand lengths: nothing after them can be read.
                        throw c.ErrorAt(opOffset, "opcode", $"0x{op:x2} is not a call frame instruction this reader knows");
                }
            }
        }

        long Factored(ulong value) => unchecked((long)value * cie.DataAlignmentFactor);

        /// <summary>Moves the location forward; true when it passed the target (the current row is the answer).</summary>
        bool Advance(ulong delta) => MoveTo(unchecked(_location + delta) < _location ? ulong.MaxValue : _location + delta);

        bool MoveTo(ulong newLocation)
        {
            if (newLocation > target)
            {
                if (newLocation < row.End) row.End = newLocation;
                return true;
            }
            _location = newLocation;
            row.Start = newLocation;
            return false;
        }

        void SetRule(ulong dwarfRegister, RegisterRule rule)
        {
            // Rules for registers the unwinder does not track (vector, x87) are dropped.
            if (UnwindRegisters.TryFromDwarf(dwarfRegister, out var reg)) row[reg] = rule;
        }

        void Restore(ulong dwarfRegister)
        {
            if (UnwindRegisters.TryFromDwarf(dwarfRegister, out var reg))
                row[reg] = initial is null ? RegisterRule.Unspecified : initial[reg];
        }

        void DefineCfa(ulong dwarfRegister, long offset) =>
            row.Cfa = UnwindRegisters.TryFromDwarf(dwarfRegister, out var reg) ? CfaRule.RegisterPlus(reg, offset) : default;

        void SetCfaOffset(long offset)
        {
            // Only meaningful for a register-based CFA (DWARF 5 §6.4.2.2); keep the register.
            if (row.Cfa.Kind == CfaRuleKind.RegisterOffset) row.Cfa = row.Cfa with { Offset = offset };
        }

        ReadOnlyMemory<byte> Block(ref CfiCursor c, string what)
        {
            var length = c.ULeb($"{what} length");
            var start = c.Position;
            c.Skip(length, $"{what} block");
            return data.Slice(start, (int)length);
        }
    }
}
