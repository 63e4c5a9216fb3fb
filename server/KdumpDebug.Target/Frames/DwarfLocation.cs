namespace KdumpDebug.Target.Frames;

/// <summary>Where one piece of a variable is (DWARF 5 §2.6.1.1: the kinds of simple location).</summary>
public enum LocationPieceKind : byte
{
    /// <summary>In memory at <see cref="LocationPiece.Address"/> (a memory location description).</summary>
    Memory,
    /// <summary>Held in a register (DW_OP_reg*, DW_OP_regx); the value is in <see cref="LocationPiece.Value"/>.</summary>
    Register,
    /// <summary>A computed value (DW_OP_stack_value) or literal bytes (DW_OP_implicit_value), in <see cref="LocationPiece.Value"/>.</summary>
    Value,
    /// <summary>No value here: optimized out, or a register the frame does not know (<see cref="LocationPiece.Reason"/>).</summary>
    Absent,
}

/// <summary>
/// One piece of a location: a whole variable, or a part of it named by DW_OP_piece. <see cref="Size"/>
/// is the piece's size in bytes, 0 for "the whole object" (a location without DW_OP_piece).
/// </summary>
public sealed record LocationPiece(LocationPieceKind Kind, ulong Size, ulong Address = 0, byte[]? Value = null, string? Reason = null)
{
    /// <summary>For <see cref="LocationPieceKind.Register"/>: the DWARF register number.</summary>
    public ulong Register { get; init; }
}

/// <summary>The result of evaluating a location expression: one piece, or several for a composite location (DW_OP_piece).</summary>
public sealed record DwarfLocation(IReadOnlyList<LocationPiece> Pieces)
{
    /// <summary>The location of a variable the compiler dropped: an empty expression, or no entry of the location list at the pc.</summary>
    public static DwarfLocation OptimizedOut { get; } = new([new LocationPiece(LocationPieceKind.Absent, 0, Reason: "optimized out")]);

    /// <summary>A location that could not be computed, with why.</summary>
    public static DwarfLocation Unavailable(string reason) => new([new LocationPiece(LocationPieceKind.Absent, 0, Reason: reason)]);

    /// <summary>True for one piece that is memory: the variable is an lvalue at that address.</summary>
    public bool IsSingleMemory => Pieces.Count == 1 && Pieces[0].Kind == LocationPieceKind.Memory;
}
