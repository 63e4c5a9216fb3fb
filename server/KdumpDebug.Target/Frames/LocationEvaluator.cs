using System.Buffers.Binary;
using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Dwarf;

namespace KdumpDebug.Target.Frames;

/// <summary>
/// Evaluates DWARF location expressions (DWARF 5 §2.5, §2.6) for variables: the stack machine
/// (constants, arithmetic, comparisons, branches, deref), register locations (DW_OP_reg*, regx),
/// register-relative addresses (DW_OP_breg*, bregx), the frame base (DW_OP_fbreg) and CFA
/// (DW_OP_call_frame_cfa), DW_OP_stack_value and DW_OP_implicit_value, composite locations
/// (DW_OP_piece, byte-aligned DW_OP_bit_piece) and DW_OP_entry_value (asked of the
/// <see cref="ILocationContext"/>, which looks for the caller's call site). Typed operations
/// (DW_OP_convert, regval_type, const_type, deref_type) are evaluated on 64-bit integers, which is
/// what GCC emits them for in the kernel. Implicit pointers, TLS and DW_OP_call* give an absent piece.
/// <para>Cost: decodes the expression once (allocates the operation list), then at most
/// <see cref="MaxSteps"/> operations on a stack of at most <see cref="MaxStack"/> values.</para>
/// </summary>
public static class LocationEvaluator
{
    public const int MaxSteps = 10000;
    public const int MaxStack = 64;

    /// <summary>
    /// The location <paramref name="expression"/> describes in <paramref name="context"/>'s frame.
    /// An empty expression is "optimized out" (DWARF 5 §2.6.1.1.1); a register the frame does not
    /// know, an unreadable deref or an entry value that cannot be recovered give an absent piece
    /// with the reason; malformed bytes throw <see cref="DumpFormatException"/>.
    /// </summary>
    public static DwarfLocation Evaluate(ReadOnlyMemory<byte> expression, int addressSize, int offsetSize, ILocationContext context, string path = "<expression>")
    {
        ArgumentNullException.ThrowIfNull(context);
        if (expression.IsEmpty) return DwarfLocation.OptimizedOut;
        var ops = DwarfExpression.Decode(expression, addressSize, offsetSize, path);
        var pieces = new List<LocationPiece>();
        var stack = new List<ulong>(8);
        LocationPiece? current = null; // a register, stack value or implicit value seen since the last piece
        var index = 0;
        for (var steps = 0; index < ops.Count; steps++)
        {
            if (steps >= MaxSteps) return DwarfLocation.Unavailable($"location expression runs more than {MaxSteps} operations");
            var op = ops[index++];
            var code = op.Opcode;
            string? failure = null;
            switch (code)
            {
                case DwOp.Addr:
                    Push(stack, context.RelocateAddress(op.Operand1));
                    break;
                case DwOp.Const1u or DwOp.Const2u or DwOp.Const4u or DwOp.Const8u or DwOp.Constu
                    or DwOp.Const1s or DwOp.Const2s or DwOp.Const4s or DwOp.Const8s or DwOp.Consts:
                    Push(stack, op.Operand1);
                    break;
                case >= DwOp.Lit0 and <= DwOp.Lit31:
                    Push(stack, (ulong)(code - DwOp.Lit0));
                    break;
                case DwOp.ConstType or DwOp.GnuConstType:
                {
                    Span<byte> wide = stackalloc byte[8];
                    wide.Clear();
                    op.Block.Span[..Math.Min(8, op.Block.Length)].CopyTo(wide);
                    Push(stack, BinaryPrimitives.ReadUInt64LittleEndian(wide));
                    break;
                }
                case >= DwOp.Reg0 and <= DwOp.Reg31 or DwOp.Regx:
                {
                    var register = code == DwOp.Regx ? op.Operand1 : (ulong)(code - DwOp.Reg0);
                    current = context.TryReadRegister(register, out var value)
                        ? new LocationPiece(LocationPieceKind.Register, 0, Value: BitConverter.GetBytes(value)) { Register = register }
                        : new LocationPiece(LocationPieceKind.Absent, 0, Reason: NotSaved(register)) { Register = register };
                    break;
                }
                case >= DwOp.Breg0 and <= DwOp.Breg31 or DwOp.Bregx or DwOp.RegvalType or DwOp.GnuRegvalType:
                {
                    var register = code is >= DwOp.Breg0 and <= DwOp.Breg31 ? (ulong)(code - DwOp.Breg0) : op.Operand1;
                    var offset = code is DwOp.RegvalType or DwOp.GnuRegvalType ? 0 : code == DwOp.Bregx ? op.Operand2 : op.Operand1;
                    if (!context.TryReadRegister(register, out var value)) { failure = NotSaved(register); break; }
                    Push(stack, unchecked(value + offset));
                    break;
                }
                case DwOp.Fbreg:
                    if (!context.TryGetFrameBase(out var frameBase, out var fbError)) { failure = fbError ?? "the frame base is not available"; break; }
                    Push(stack, unchecked(frameBase + op.Operand1));
                    break;
                case DwOp.CallFrameCfa:
                    if (!context.TryGetCfa(out var cfa)) { failure = "the frame's CFA is not known"; break; }
                    Push(stack, cfa);
                    break;
                case DwOp.Deref or DwOp.DerefSize or DwOp.DerefType or DwOp.GnuDerefType:
                {
                    var size = code == DwOp.Deref ? 8 : (int)op.Operand1;
                    if (size is <= 0 or > 8) throw Bad(path, op, $"dereference size {size}");
                    var address = Pop(stack, path, op);
                    Span<byte> buffer = stackalloc byte[8];
                    buffer.Clear();
                    if (!context.TryReadMemory(address, buffer[..size], out var readError)) { failure = readError ?? $"cannot read 0x{address:x}"; break; }
                    Push(stack, BinaryPrimitives.ReadUInt64LittleEndian(buffer));
                    break;
                }
                case DwOp.Dup: Push(stack, Peek(stack, 0, path, op)); break;
                case DwOp.Drop: Pop(stack, path, op); break;
                case DwOp.Over: Push(stack, Peek(stack, 1, path, op)); break;
                case DwOp.Pick: Push(stack, Peek(stack, (int)op.Operand1, path, op)); break;
                case DwOp.Swap:
                {
                    var a = Pop(stack, path, op);
                    var b = Pop(stack, path, op);
                    Push(stack, a);
                    Push(stack, b);
                    break;
                }
                case DwOp.Rot:
                {
                    var a = Pop(stack, path, op);
                    var b = Pop(stack, path, op);
                    var c = Pop(stack, path, op);
                    Push(stack, a);
                    Push(stack, c);
                    Push(stack, b);
                    break;
                }
                case DwOp.Abs: Push(stack, (ulong)Math.Abs((long)Pop(stack, path, op))); break;
                case DwOp.Neg: Push(stack, unchecked((ulong)-(long)Pop(stack, path, op))); break;
                case DwOp.Not: Push(stack, ~Pop(stack, path, op)); break;
                case DwOp.PlusUconst: Push(stack, unchecked(Pop(stack, path, op) + op.Operand1)); break;
                case DwOp.Convert or DwOp.GnuConvert or DwOp.Reinterpret or DwOp.GnuReinterpret or DwOp.Nop:
                    // Integers stay 64-bit: the variable's own type truncates the result.
                    break;
                case DwOp.And or DwOp.Div or DwOp.Minus or DwOp.Mod or DwOp.Mul or DwOp.Or or DwOp.Plus or DwOp.Shl or DwOp.Shr
                    or DwOp.Shra or DwOp.Xor or DwOp.Eq or DwOp.Ge or DwOp.Gt or DwOp.Le or DwOp.Lt or DwOp.Ne:
                {
                    var b = Pop(stack, path, op);
                    var a = Pop(stack, path, op);
                    if (code is DwOp.Div or DwOp.Mod && b == 0) { failure = "division by zero in a location expression"; break; }
                    Push(stack, Binary(code, a, b));
                    break;
                }
                case DwOp.Skip:
                    index = Jump(ops, op, path);
                    break;
                case DwOp.Bra:
                    if (Pop(stack, path, op) != 0) index = Jump(ops, op, path);
                    break;
                case DwOp.StackValue:
                    current = new LocationPiece(LocationPieceKind.Value, 0, Value: BitConverter.GetBytes(Pop(stack, path, op)));
                    break;
                case DwOp.ImplicitValue:
                    current = new LocationPiece(LocationPieceKind.Value, 0, Value: op.Block.ToArray());
                    break;
                case DwOp.EntryValue or DwOp.GnuEntryValue:
                    if (!context.TryGetEntryValue(op.Block, out var entry, out var entryError)) { failure = entryError ?? "optimized out"; break; }
                    Push(stack, entry);
                    break;
                case DwOp.Piece or DwOp.BitPiece:
                {
                    ulong bytes;
                    if (code == DwOp.Piece) bytes = op.Operand1;
                    else
                    {
                        if (op.Operand1 % 8 != 0 || op.Operand2 % 8 != 0) { failure = "a bit piece that is not byte-aligned"; break; }
                        bytes = op.Operand1 / 8;
                    }
                    LocationPiece piece;
                    if (current is not null) piece = current with { Size = bytes };
                    else if (stack.Count > 0) piece = new LocationPiece(LocationPieceKind.Memory, bytes, Address: stack[^1]);
                    else piece = new LocationPiece(LocationPieceKind.Absent, bytes, Reason: "optimized out");
                    if (code == DwOp.BitPiece && op.Operand2 != 0 && piece.Kind == LocationPieceKind.Memory)
                        piece = piece with { Address = piece.Address + op.Operand2 / 8 };
                    else if (code == DwOp.BitPiece && op.Operand2 != 0 && piece.Value is { } v)
                        piece = piece with { Value = v.AsSpan((int)Math.Min(op.Operand2 / 8, (ulong)v.Length)).ToArray() };
                    pieces.Add(piece);
                    current = null;
                    stack.Clear();
                    break;
                }
                case DwOp.ImplicitPointer or DwOp.GnuImplicitPointer:
                    current = new LocationPiece(LocationPieceKind.Absent, 0, Reason: "optimized out (implicit pointer)");
                    break;
                default:
                    failure = $"location operation {code} is not supported";
                    break;
            }
            if (failure is not null)
            {
                // The rest of the expression cannot run without this value: the piece being built
                // is absent; earlier pieces stay; later ones are skipped to their DW_OP_piece.
                var reason = failure;
                var skippedTo = ops.FindIndex(index, o => o.Opcode is DwOp.Piece or DwOp.BitPiece);
                if (skippedTo < 0)
                {
                    pieces.Add(new LocationPiece(LocationPieceKind.Absent, 0, Reason: reason));
                    return Finish(pieces, pieces.Count == 1);
                }
                var size = ops[skippedTo].Opcode == DwOp.Piece ? ops[skippedTo].Operand1 : ops[skippedTo].Operand1 / 8;
                pieces.Add(new LocationPiece(LocationPieceKind.Absent, size, Reason: reason));
                index = skippedTo + 1;
                current = null;
                stack.Clear();
            }
            if (stack.Count > MaxStack) throw Bad(path, op, $"stack deeper than {MaxStack}");
        }
        if (pieces.Count > 0)
        {
            // Operations after the last piece without one of their own are ignored (§2.6.1.2).
            return new DwarfLocation(pieces);
        }
        if (current is not null) return new DwarfLocation([current]);
        if (stack.Count == 0) return DwarfLocation.OptimizedOut;
        return new DwarfLocation([new LocationPiece(LocationPieceKind.Memory, 0, Address: stack[^1])]);
    }

    /// <summary>
    /// Evaluates an expression that must produce a value (DW_AT_frame_base's address, a call site's
    /// DW_AT_call_value): a memory location gives its address, a register or stack value its value.
    /// </summary>
    public static bool TryEvaluateValue(ReadOnlyMemory<byte> expression, int addressSize, int offsetSize, ILocationContext context,
        out ulong value, out string? error, string path = "<expression>")
    {
        var location = Evaluate(expression, addressSize, offsetSize, context, path);
        value = 0;
        if (location.Pieces.Count != 1)
        {
            error = "a composite location is not a value";
            return false;
        }
        var piece = location.Pieces[0];
        switch (piece.Kind)
        {
            case LocationPieceKind.Memory:
                value = piece.Address;
                error = null;
                return true;
            case LocationPieceKind.Register or LocationPieceKind.Value when piece.Value is { } bytes:
                Span<byte> wide = stackalloc byte[8];
                wide.Clear();
                bytes.AsSpan(0, Math.Min(8, bytes.Length)).CopyTo(wide);
                value = BinaryPrimitives.ReadUInt64LittleEndian(wide);
                error = null;
                return true;
            default:
                error = piece.Reason ?? "optimized out";
                return false;
        }
    }

    static DwarfLocation Finish(List<LocationPiece> pieces, bool whole) =>
        whole ? new DwarfLocation([pieces[0] with { Size = 0 }]) : new DwarfLocation(pieces);

    /// <summary>"not available (rax is not saved in this frame)": gdb's &lt;not saved&gt; for a caller-saved register in an outer frame.</summary>
    static string NotSaved(ulong dwarfRegister) =>
        Debuginfo.Cfi.UnwindRegisters.TryFromDwarf(dwarfRegister, out var r)
            ? $"not available ({Debuginfo.Cfi.UnwindRegisters.Name(r)} is not saved in this frame)"
            : $"not available (DWARF register {dwarfRegister} is not tracked)";

    static ulong Binary(DwOp code, ulong a, ulong b) => code switch
    {
        DwOp.And => a & b,
        DwOp.Div => (ulong)((long)a / (long)b),
        DwOp.Minus => unchecked(a - b),
        DwOp.Mod => a % b,
        DwOp.Mul => unchecked(a * b),
        DwOp.Or => a | b,
        DwOp.Plus => unchecked(a + b),
        DwOp.Shl => b >= 64 ? 0 : a << (int)b,
        DwOp.Shr => b >= 64 ? 0 : a >> (int)b,
        DwOp.Shra => (ulong)((long)a >> (int)Math.Min(b, 63)),
        DwOp.Xor => a ^ b,
        DwOp.Eq => a == b ? 1UL : 0,
        DwOp.Ge => (long)a >= (long)b ? 1UL : 0,
        DwOp.Gt => (long)a > (long)b ? 1UL : 0,
        DwOp.Le => (long)a <= (long)b ? 1UL : 0,
        DwOp.Lt => (long)a < (long)b ? 1UL : 0,
        _ => a != b ? 1UL : 0,
    };

    static int Jump(List<DwarfOperation> ops, DwarfOperation op, string path)
    {
        var target = op.End + (long)op.Operand1;
        if (target == ops[^1].End) return ops.Count;
        var i = ops.FindIndex(o => o.Offset == target);
        if (i < 0) throw Bad(path, op, $"branch to offset {target}, which is not the start of an operation");
        return i;
    }

    static void Push(List<ulong> stack, ulong value) => stack.Add(value);

    static ulong Pop(List<ulong> stack, string path, DwarfOperation op)
    {
        if (stack.Count == 0) throw Bad(path, op, "stack underflow");
        var v = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        return v;
    }

    static ulong Peek(List<ulong> stack, int depth, string path, DwarfOperation op)
    {
        if (depth < 0 || depth >= stack.Count) throw Bad(path, op, "stack underflow");
        return stack[stack.Count - 1 - depth];
    }

    static DumpFormatException Bad(string path, DwarfOperation op, string problem) =>
        new(path, op.Offset, "DWARF location expression", $"{op.Opcode}: {problem}");
}
