namespace KdumpDebug.Debuginfo.Dwarf;

/// <summary>
/// One decoded DWARF expression operation (DWARF 5 §2.5, §7.7.1): the opcode, its offset in the
/// expression (branch targets are offsets), and its operands. Signed operands are stored
/// sign-extended in the ulong (read them as <c>(long)</c>). <see cref="Block"/> holds the bytes of
/// DW_OP_implicit_value, DW_OP_entry_value (a sub-expression) and DW_OP_const_type.
/// </summary>
public readonly record struct DwarfOperation(DwOp Opcode, int Offset, ulong Operand1, ulong Operand2, ReadOnlyMemory<byte> Block)
{
    /// <summary>Offset just past the operation (the next operation's offset).</summary>
    public int End { get; init; }

    public override string ToString() => $"{Opcode} 0x{Operand1:x} 0x{Operand2:x}" + (Block.IsEmpty ? "" : $" [{Block.Length} bytes]");
}
