using KdumpDebug.Core.Errors;

namespace KdumpDebug.Debuginfo.Dwarf;

/// <summary>
/// Decodes DWARF expression bytes into operations (DWARF 5 §7.7.1 Table 7.9 operand encodings,
/// plus the GNU opcodes GCC emits). Decoding only: evaluation belongs to the caller (the
/// expression evaluator and the unwinder). Cost: one pass; allocates the list.
/// </summary>
public static class DwarfExpression
{
    /// <summary>Decodes <paramref name="expression"/> for a unit with <paramref name="addressSize"/> and <paramref name="offsetSize"/>.</summary>
    /// <exception cref="DumpFormatException">an operand runs past the end, or an opcode is unknown (<paramref name="path"/> names the file).</exception>
    public static List<DwarfOperation> Decode(ReadOnlyMemory<byte> expression, int addressSize, int offsetSize, string path = "<expression>")
    {
        var result = new List<DwarfOperation>();
        var span = expression.Span;
        var c = new DwarfCursor(span, 0, span.Length, path, "DWARF expression");
        while (!c.AtEnd)
        {
            var at = c.Position;
            var op = (DwOp)c.U8();
            ulong a = 0, b = 0;
            ReadOnlyMemory<byte> block = default;
            switch (op)
            {
                case DwOp.Addr: a = c.Sized(addressSize); break;
                case DwOp.Const1u or DwOp.Pick or DwOp.DerefSize or DwOp.XderefSize: a = c.U8(); break;
                case DwOp.Const1s: a = (ulong)(sbyte)c.U8(); break;
                case DwOp.Const2u or DwOp.Call2: a = c.U16(); break;
                case DwOp.Const2s or DwOp.Skip or DwOp.Bra: a = (ulong)(short)c.U16(); break;
                case DwOp.Const4u or DwOp.Call4 or DwOp.GnuParameterRef: a = c.U32(); break;
                case DwOp.Const4s: a = (ulong)(int)c.U32(); break;
                case DwOp.Const8u or DwOp.Const8s: a = c.U64(); break;
                case DwOp.Constu or DwOp.PlusUconst or DwOp.Regx or DwOp.Piece or DwOp.Addrx or DwOp.Constx
                    or DwOp.GnuAddrIndex or DwOp.GnuConstIndex or DwOp.Convert or DwOp.GnuConvert or DwOp.Reinterpret or DwOp.GnuReinterpret:
                    a = c.Uleb(); break;
                case DwOp.Consts or DwOp.Fbreg: a = (ulong)c.Sleb(); break;
                case >= DwOp.Breg0 and <= DwOp.Breg31: a = (ulong)c.Sleb(); break;
                case DwOp.Bregx: a = c.Uleb(); b = (ulong)c.Sleb(); break;
                case DwOp.BitPiece: a = c.Uleb(); b = c.Uleb(); break;
                case DwOp.CallRef or DwOp.GnuVariableValue: a = c.Sized(offsetSize); break;
                case DwOp.ImplicitPointer or DwOp.GnuImplicitPointer: a = c.Sized(offsetSize); b = (ulong)c.Sleb(); break;
                case DwOp.ImplicitValue:
                {
                    a = c.Uleb();
                    var start = c.Position;
                    c.Skip(a);
                    block = expression.Slice(start, (int)a);
                    break;
                }
                case DwOp.EntryValue or DwOp.GnuEntryValue:
                {
                    a = c.Uleb();
                    var start = c.Position;
                    c.Skip(a);
                    block = expression.Slice(start, (int)a);
                    break;
                }
                case DwOp.ConstType or DwOp.GnuConstType:
                {
                    a = c.Uleb();
                    b = c.U8();
                    var start = c.Position;
                    c.Skip(b);
                    block = expression.Slice(start, (int)b);
                    break;
                }
                case DwOp.RegvalType or DwOp.GnuRegvalType: a = c.Uleb(); b = c.Uleb(); break;
                case DwOp.DerefType or DwOp.GnuDerefType or DwOp.XderefType: a = c.U8(); b = c.Uleb(); break;
                case DwOp.Deref or DwOp.Dup or DwOp.Drop or DwOp.Over or DwOp.Swap or DwOp.Rot or DwOp.Xderef or DwOp.Abs
                    or DwOp.And or DwOp.Div or DwOp.Minus or DwOp.Mod or DwOp.Mul or DwOp.Neg or DwOp.Not or DwOp.Or or DwOp.Plus
                    or DwOp.Shl or DwOp.Shr or DwOp.Shra or DwOp.Xor or DwOp.Eq or DwOp.Ge or DwOp.Gt or DwOp.Le or DwOp.Lt or DwOp.Ne
                    or DwOp.Nop or DwOp.PushObjectAddress or DwOp.FormTlsAddress or DwOp.CallFrameCfa or DwOp.StackValue
                    or DwOp.GnuPushTlsAddress or DwOp.GnuUninit:
                    break;
                case >= DwOp.Lit0 and <= DwOp.Lit31:
                case >= DwOp.Reg0 and <= DwOp.Reg31:
                    break;
                default:
                    throw c.ErrorAt(at, $"opcode 0x{(byte)op:x} is not a DWARF expression operation this reader knows");
            }
            result.Add(new DwarfOperation(op, at, a, b, block) { End = c.Position });
        }
        return result;
    }
}
