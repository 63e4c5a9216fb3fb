namespace KdumpDebug.Debuginfo.Lines;

/// <summary>
/// The DWARF line-number state machine (DWARF 5 §6.2.2 and §6.2.5): runs the opcodes of one
/// program (or from the start of one of its sequences) and yields each row it appends, the
/// end-of-sequence rows included. Standard, extended and special opcodes are implemented in full,
/// VLIW op_index included; unknown standard opcodes are skipped using standard_opcode_lengths,
/// unknown extended opcodes using their length. Allocation-free.
/// </summary>
internal ref struct LineStateMachine
{
    LineCursor _cursor;
    readonly LineProgramHeader _header;

    ulong _address;
    uint _opIndex;
    uint _file;
    uint _line;
    uint _column;
    bool _isStmt;
    uint _discriminator;

    /// <summary>
    /// gdb's <c>m_line_has_non_zero_discriminator</c> (gdb 10 dwarf2/read.c): set when the current
    /// line was reached or marked with a non-zero discriminator; gdb then records only the first
    /// row of a run of rows with that line (PR 17276).
    /// </summary>
    public bool LineHasNonZeroDiscriminator { get; private set; }

    /// <summary>How many DW_LNS_set_file opcodes have run (lets a caller notice a file switch).</summary>
    public int SetFileCount { get; private set; }

    /// <summary>The file register just before the latest DW_LNS_set_file.</summary>
    public uint FileBeforeLastSetFile { get; private set; }

    /// <summary>Starts at <paramref name="position"/>, the first opcode of the program or of a sequence.</summary>
    public LineStateMachine(ReadOnlySpan<byte> section, string path, string sectionName, LineProgramHeader header, int position)
    {
        _cursor = new LineCursor(section, path, sectionName, position, header.UnitEnd) { UnitOffset = header.UnitOffset };
        _header = header;
        Reset();
    }

    /// <summary>Offset of the next opcode: after an end-of-sequence row, where the next sequence starts.</summary>
    public readonly int Position => _cursor.Position;

    // DWARF 5 §6.2.2 Table 6.4: the initial state.
    void Reset()
    {
        _address = 0;
        _opIndex = 0;
        _file = 1;
        _line = 1;
        _column = 0;
        _isStmt = _header.DefaultIsStmt;
        _discriminator = 0;
        LineHasNonZeroDiscriminator = false;
    }

    void AdvanceLine(long delta)
    {
        _line = unchecked((uint)((long)_line + delta));
        if (delta != 0) LineHasNonZeroDiscriminator = _discriminator != 0;
    }

    /// <summary>Runs opcodes until the next row is appended; false at the end of the program.</summary>
    public bool Next(out LineRow row)
    {
        var h = _header;
        while (!_cursor.AtEnd)
        {
            var opcode = _cursor.U8("opcode");
            if (opcode >= h.OpcodeBase)
            {
                // §6.2.5.1 special opcode: advance address and line, append a row.
                var adjusted = opcode - h.OpcodeBase;
                Advance((ulong)(adjusted / h.LineRange));
                AdvanceLine(h.LineBase + adjusted % h.LineRange);
                row = Emit(false);
                return true;
            }
            switch (opcode)
            {
                case 0:
                {
                    var length = _cursor.Uleb("extended opcode length");
                    if (length == 0) continue;
                    if (length > (ulong)(_cursor.End - _cursor.Position))
                        throw _cursor.Error("extended opcode length", $"0x{length:x} runs past the end of the unit");
                    var start = _cursor.Position;
                    var sub = _cursor.U8("extended opcode");
                    switch ((DwLne)sub)
                    {
                        case DwLne.EndSequence:
                            row = Emit(true);
                            Reset();
                            _cursor.Position = start + (int)length;
                            return true;
                        case DwLne.SetAddress:
                        {
                            var size = (int)length - 1;
                            _address = size is 1 or 2 or 4 or 8
                                ? _cursor.Unsigned(size, "DW_LNE_set_address operand")
                                : throw _cursor.Error("DW_LNE_set_address operand", $"address size {size} is not 1, 2, 4 or 8");
                            _opIndex = 0;
                            break;
                        }
                        case DwLne.DefineFile:
                        {
                            // DWARF 2-4 only. Recorded by the first (indexing) pass; later re-runs of a
                            // sequence see the name already defined.
                            var name = _cursor.CString("DW_LNE_define_file name");
                            var dir = _cursor.Uleb("DW_LNE_define_file directory");
                            if (!h.Files.Contains((LineProgramHeader.PathRef.Of(name), dir))) h.Files.Add((LineProgramHeader.PathRef.Of(name), dir));
                            break;
                        }
                        case DwLne.SetDiscriminator:
                            _discriminator = (uint)_cursor.Uleb("DW_LNE_set_discriminator operand");
                            LineHasNonZeroDiscriminator |= _discriminator != 0;
                            break;
                    }
                    _cursor.Position = start + (int)length;
                    break;
                }
                case (byte)DwLns.Copy:
                    row = Emit(false);
                    return true;
                case (byte)DwLns.AdvancePc:
                    Advance(_cursor.Uleb("DW_LNS_advance_pc operand"));
                    break;
                case (byte)DwLns.AdvanceLine:
                    AdvanceLine(_cursor.Sleb("DW_LNS_advance_line operand"));
                    break;
                case (byte)DwLns.SetFile:
                    FileBeforeLastSetFile = _file;
                    SetFileCount++;
                    LineHasNonZeroDiscriminator = _discriminator != 0;
                    _file = (uint)_cursor.Uleb("DW_LNS_set_file operand");
                    break;
                case (byte)DwLns.SetColumn:
                    _column = (uint)_cursor.Uleb("DW_LNS_set_column operand");
                    break;
                case (byte)DwLns.NegateStmt:
                    _isStmt = !_isStmt;
                    break;
                case (byte)DwLns.SetBasicBlock or (byte)DwLns.SetPrologueEnd or (byte)DwLns.SetEpilogueBegin:
                    break;
                case (byte)DwLns.ConstAddPc:
                    Advance((ulong)((255 - h.OpcodeBase) / h.LineRange));
                    break;
                case (byte)DwLns.FixedAdvancePc:
                    _address = unchecked(_address + _cursor.U16("DW_LNS_fixed_advance_pc operand"));
                    _opIndex = 0;
                    break;
                case (byte)DwLns.SetIsa:
                    _cursor.Uleb("DW_LNS_set_isa operand");
                    break;
                default:
                    // An opcode this reader does not know: skip its ULEB operands (§6.2.5.2).
                    for (var i = 0; i < h.StandardOpcodeLengths[opcode - 1]; i++) _cursor.Uleb("unknown opcode operand");
                    break;
            }
        }
        row = default;
        return false;
    }

    // §6.2.5.1: "operation advance" in units of instructions of min_inst_length bytes,
    // op_index counting within a VLIW bundle of max_ops operations.
    void Advance(ulong operationAdvance)
    {
        var h = _header;
        if (h.MaximumOperationsPerInstruction == 1)
        {
            _address = unchecked(_address + h.MinimumInstructionLength * operationAdvance);
            return;
        }
        var total = _opIndex + operationAdvance;
        _address = unchecked(_address + h.MinimumInstructionLength * (total / h.MaximumOperationsPerInstruction));
        _opIndex = (uint)(total % h.MaximumOperationsPerInstruction);
    }

    LineRow Emit(bool endSequence)
    {
        var row = new LineRow(_address, _opIndex, _file, _line, _column, _isStmt, endSequence, _discriminator);
        // §6.2.5.1/§6.2.5.2: appending a row clears these.
        _discriminator = 0;
        return row;
    }
}
