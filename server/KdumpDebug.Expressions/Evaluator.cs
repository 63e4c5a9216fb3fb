using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Types;
using KdumpDebug.Target;
using KdumpDebug.Target.Objects;

namespace KdumpDebug.Expressions;

/// <summary>
/// Binds and evaluates C expressions over one kernel target, producing <see cref="TargetObject"/>s
/// as gdb would: names resolve through the <see cref="IExpressionScope"/>, then global variables
/// (KASLR-relocated), functions, enumerators; integers follow C's promotions and usual arithmetic
/// conversions (LP64); pointer arithmetic is scaled by the pointee's size; arrays decay to
/// pointers; casts reach any type name the debug info knows. Lvalues stay lazy: memory is read
/// only when a value is needed (a member of a member costs nothing until printed).
/// Errors are <see cref="ExpressionException"/> / <see cref="KdumpDebugException"/> with gdb's wording.
/// Holds no state of its own: thread-safe when its scope is.
/// </summary>
public sealed class Evaluator
{
    readonly IKernelTarget _target;
    readonly KernelObjects? _objects;
    readonly IExpressionScope? _scope;

    public Evaluator(IKernelTarget target, TypeSystem types, KernelObjects? objects = null, IExpressionScope? scope = null)
    {
        _target = target ?? throw new ArgumentNullException(nameof(target));
        Types = types ?? throw new ArgumentNullException(nameof(types));
        _objects = objects;
        _scope = scope;
    }

    /// <summary>An evaluator for <paramref name="target"/>: with its vmlinux's types and globals when it is a <see cref="KernelTarget"/>.</summary>
    /// <exception cref="KdumpDebugException">the target has no debug info to evaluate with.</exception>
    public static Evaluator For(IKernelTarget target, IExpressionScope? scope = null)
    {
        if (target is KernelTarget kernel) return new Evaluator(target, kernel.Vmlinux.Types, kernel.Objects, scope);
        throw new KdumpDebugException("no debugging data available: expressions need the vmlinux's DWARF");
    }

    public TypeSystem Types { get; }

    public IKernelTarget Target => _target;

    /// <summary>Parses <paramref name="expression"/> with this target's type names.</summary>
    public Expr Parse(string expression) => Parser.Parse(expression, IsTypeName);

    /// <summary>Parses and evaluates; a bare type name is an error (gdb: "Attempt to use a type name as an expression").</summary>
    public TargetObject Evaluate(string expression) => Evaluate(Parse(expression));

    /// <summary>
    /// The type of an expression or type name (what <c>whatis</c>/<c>ptype</c> show). For an
    /// expression, evaluation happens (member chains through pointers read those pointers).
    /// </summary>
    public CType TypeOf(string expression)
    {
        var expr = Parse(expression);
        return expr is TypeNameExpr t ? ResolveType(t.TypeName, t.Position) : Evaluate(expr).Type;
    }

    /// <summary>True for an identifier that names a typedef (or base type) and no variable in scope: then <c>(name)</c> is a cast.</summary>
    public bool IsTypeName(string name)
    {
        if (_scope is not null && _scope.TryLookup(name, out _)) return false;
        if (!Types.HasDebugInfo) return false;
        if (Types.TryFindVariable(name, out _)) return false;
        return Types.Index.Find(name, Debuginfo.Dwarf.Index.NameKinds.Typedef | Debuginfo.Dwarf.Index.NameKinds.BaseType).Count > 0;
    }

    /// <summary>A type by name as written in an expression, or gdb's "No symbol" error.</summary>
    public CType ResolveType(string name, int position = -1)
    {
        if (Types.TryFindType(name, out var type)) return type;
        if (name.Contains('(', StringComparison.Ordinal)) return ResolveDeclarator(name, position);
        var words = name.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length >= 2 && words[0] is "struct" or "union" or "enum")
            throw new ExpressionException($"No {words[0]} type named {words[1]}.", position);
        throw new ExpressionException($"No symbol \"{words.FirstOrDefault(w => w is not ("const" or "volatile")) ?? name}\" in current context.", position);
    }

    /// <summary>
    /// A type name with a parenthesized abstract declarator (C11 §6.7.7), which the type system's
    /// name parser does not take: <c>char (*)[16]</c>, <c>struct page *(*)[4]</c>. The specifiers
    /// before the declarator are looked up by name; pointers and arrays are built around them.
    /// </summary>
    CType ResolveDeclarator(string name, int position)
    {
        var tokens = Lexer.Tokenize(name);
        var start = 0;
        while (start < tokens.Count && tokens[start].Kind == TokenKind.Identifier) start++;
        var specifiers = string.Join(' ', tokens.Take(start).Select(t => t.Text));
        var at = start;
        var build = Declarator(tokens, ref at, name, position);
        if (tokens[at].Kind != TokenKind.End) throw ExpressionException.Syntax(name, tokens[at].Position);
        return build(ResolveType(specifiers, position));
    }

    /// <summary>Parses one abstract declarator; returns how it derives the declared type from the specifiers' type.</summary>
    Func<CType, CType> Declarator(IReadOnlyList<Token> tokens, ref int at, string source, int position)
    {
        var pointers = new List<(bool Const, bool Volatile)>();
        while (tokens[at].Is("*"))
        {
            at++;
            bool isConst = false, isVolatile = false;
            while (tokens[at].Kind == TokenKind.Identifier && tokens[at].Text is "const" or "volatile")
            {
                if (tokens[at].Text == "const") isConst = true;
                else isVolatile = true;
                at++;
            }
            pointers.Add((isConst, isVolatile));
        }
        Func<CType, CType> inner = t => t;
        if (tokens[at].Is("(") && (tokens[at + 1].Is("*") || tokens[at + 1].Is("(") || tokens[at + 1].Is("[")))
        {
            at++;
            inner = Declarator(tokens, ref at, source, position);
            if (!tokens[at].Is(")")) throw ExpressionException.Syntax(source, tokens[at].Position);
            at++;
        }
        var counts = new List<ulong?>();
        while (true)
        {
            if (tokens[at].Is("["))
            {
                at++;
                ulong? count = null;
                if (tokens[at].Kind == TokenKind.Integer) count = tokens[at++].Value;
                if (!tokens[at].Is("]")) throw ExpressionException.Syntax(source, tokens[at].Position);
                at++;
                counts.Add(count);
            }
            else if (tokens[at].Is("("))
                throw new ExpressionException("casts to function types are not supported; cast to void * or unsigned long instead", position);
            else break;
        }
        return t =>
        {
            foreach (var (isConst, isVolatile) in pointers)
            {
                t = Types.PointerTo(t);
                if (isConst) t = Types.Qualified(t, CTypeKind.Const);
                if (isVolatile) t = Types.Qualified(t, CTypeKind.Volatile);
            }
            // int x[2][3] is an array of 2 arrays of 3: the rightmost bound is innermost.
            for (var i = counts.Count - 1; i >= 0; i--) t = Types.ArrayOf(t, counts[i]);
            return inner(t);
        };
    }

    public TargetObject Evaluate(Expr expr)
    {
        switch (expr)
        {
            case LiteralExpr l: return Literal(l.Token);
            case StringExpr s:
            {
                var bytes = s.Bytes.Select(c => (byte)c).Append((byte)0).ToArray();
                return TargetObject.FromBytes(_target, Types, Types.ArrayOf(Named("char"), (ulong)bytes.Length), bytes);
            }
            case NameExpr n: return Lookup(n.Name, n.Position);
            case MemberExpr m: return Member(Evaluate(m.Target), m.Member, m.Arrow);
            case IndexExpr ix: return Index(Evaluate(ix.Target), Evaluate(ix.Index));
            case UnaryExpr u: return Unary(u.Operator, Evaluate(u.Operand));
            case BinaryExpr b when b.Operator == "&&":
                return Int(Truth(Evaluate(b.Left)) && Truth(Evaluate(b.Right)) ? 1 : 0);
            case BinaryExpr b when b.Operator == "||":
                return Int(Truth(Evaluate(b.Left)) || Truth(Evaluate(b.Right)) ? 1 : 0);
            case BinaryExpr b when b.Operator == ",":
                Evaluate(b.Left);
                return Evaluate(b.Right);
            case BinaryExpr b: return Binary(b.Operator, Evaluate(b.Left), Evaluate(b.Right));
            case ConditionalExpr c: return Truth(Evaluate(c.Condition)) ? Evaluate(c.WhenTrue) : Evaluate(c.WhenFalse);
            case CastExpr c: return Cast(Evaluate(c.Operand), ResolveType(c.TypeName, c.Position));
            case SizeofTypeExpr s: return SizeOf(ResolveType(s.TypeName, s.Position));
            case SizeofExprExpr s: return SizeOf(Evaluate(s.Operand).Type);
            case TypeNameExpr t:
                ResolveType(t.TypeName, t.Position);
                throw new ExpressionException("Attempt to use a type name as an expression", t.Position);
            default: throw new InvalidOperationException("unknown expression node " + expr.GetType().Name);
        }
    }

    TargetObject Lookup(string name, int position)
    {
        if (_scope is not null && _scope.TryLookup(name, out var local)) return local;
        if (Types.HasDebugInfo)
        {
            if (_objects is not null && _objects.TryVariable(name, out var global)) return global;
            if (Types.TryFindFunction(name, out var function) && _target.TryLookupSymbol(name, out var fs))
                return TargetObject.AtAddress(_target, Types, function.Type, fs.Address);
            if (Types.TryFindEnumerator(name, out var enumType, out var enumerator))
                return TargetObject.FromInteger(_target, Types, enumType, unchecked((ulong)enumerator.Value));
        }
        if (_target.TryLookupSymbol(name, out _))
            throw new ExpressionException($"'{name}' has unknown type; cast it to its declared type", position);
        throw new ExpressionException($"No symbol \"{name}\" in current context.", position);
    }

    TargetObject Member(TargetObject target, string name, bool arrow)
    {
        var type = target.UnderlyingType;
        if (arrow && type.Kind != CTypeKind.Pointer && !type.IsStructLike)
            throw new ExpressionException($"The -> operator cannot be applied to a value of type {TypeSystem.NameOf(target.Type)}.");
        if (type.Kind == CTypeKind.Pointer && !(type.Target?.Unqualified().IsStructLike ?? false))
            throw new ExpressionException($"Attempt to extract a component of a value that is not a structure pointer.");
        return target.Member(name);
    }

    TargetObject Index(TargetObject array, TargetObject index)
    {
        if (!index.Type.IsIntegral)
        {
            if (array.Type.IsIntegral && index.UnderlyingType.Kind is CTypeKind.Pointer or CTypeKind.Array) return Index(index, array);
            throw new ExpressionException("Argument to arithmetic operation not a number or boolean.");
        }
        var kind = array.UnderlyingType.Kind;
        if (kind is not (CTypeKind.Array or CTypeKind.Pointer))
            throw new ExpressionException($"cannot subscript something of type `{TypeSystem.NameOf(array.Type)}'");
        return array.Index(index.ReadSigned());
    }

    TargetObject Unary(string op, TargetObject operand)
    {
        var type = operand.UnderlyingType;
        switch (op)
        {
            case "*":
                if (type.Kind == CTypeKind.Array) return operand.Index(0);
                if (type.Kind == CTypeKind.Function) return operand;
                if (type.Kind != CTypeKind.Pointer)
                {
                    if (operand.Type.IsIntegral) return TargetObject.AtAddress(_target, Types, Named("long"), operand.ReadUnsigned());
                    throw new ExpressionException("Attempt to take contents of a non-pointer value.");
                }
                return operand.Dereference();
            case "&":
                if (type.Kind == CTypeKind.Function && operand.Address is ulong fa)
                    return TargetObject.FromInteger(_target, Types, Types.PointerTo(operand.Type), fa);
                return operand.AddressOf();
            case "!":
                return Int(Truth(operand) ? 0 : 1);
        }
        RequireArithmetic(operand);
        var (promoted, value) = Promote(operand);
        return op switch
        {
            "-" => Make(promoted, unchecked(0 - value)),
            "~" => Make(promoted, ~value),
            "+" => Make(promoted, value),
            _ => throw new InvalidOperationException(op),
        };
    }

    TargetObject Binary(string op, TargetObject left, TargetObject right)
    {
        if (op == "@") return ArtificialArray(left, right);
        var lt = Decay(left);
        var rt = Decay(right);
        var lp = lt.UnderlyingType.Kind == CTypeKind.Pointer;
        var rp = rt.UnderlyingType.Kind == CTypeKind.Pointer;
        if (lp || rp) return PointerBinary(op, lt, rt, lp, rp);
        RequireArithmetic(lt);
        RequireArithmetic(rt);
        var (ct, a, b) = UsualConversions(lt, rt);
        var signed = ct.IsSigned;
        var bits = (int)Math.Min((ct.Size ?? 4) * 8, 64);
        long sa = SignExtend(a, bits), sb = SignExtend(b, bits);
        switch (op)
        {
            case "+": return Make(ct, unchecked(a + b));
            case "-": return Make(ct, unchecked(a - b));
            case "*": return Make(ct, unchecked(a * b));
            case "/":
            case "%":
                if (b == 0) throw new ExpressionException("Division by zero");
                if (signed)
                {
                    // long.MinValue / -1 overflows in C# too; C calls it undefined, gdb wraps.
                    if (sb == -1) return Make(ct, op == "/" ? unchecked((ulong)(0 - sa)) : 0);
                    return Make(ct, unchecked((ulong)(op == "/" ? sa / sb : sa % sb)));
                }
                return Make(ct, op == "/" ? a / b : a % b);
            case "&": return Make(ct, a & b);
            case "|": return Make(ct, a | b);
            case "^": return Make(ct, a ^ b);
            case "<<":
            case ">>":
            {
                // The result has the left operand's promoted type (C11 §6.5.7).
                var (pt, pv) = Promote(lt);
                var count = (int)(rt.ReadUnsigned() & 0x7f);
                var pbits = (int)Math.Min((pt.Size ?? 4) * 8, 64);
                if (count >= pbits) return Make(pt, op == ">>" && pt.IsSigned && SignExtend(pv, pbits) < 0 ? ulong.MaxValue : 0);
                if (op == "<<") return Make(pt, pv << count);
                return Make(pt, pt.IsSigned ? unchecked((ulong)(SignExtend(pv, pbits) >> count)) : pv >> count);
            }
            case "==": return Int(a == b ? 1 : 0);
            case "!=": return Int(a != b ? 1 : 0);
            case "<": return Int((signed ? sa < sb : a < b) ? 1 : 0);
            case ">": return Int((signed ? sa > sb : a > b) ? 1 : 0);
            case "<=": return Int((signed ? sa <= sb : a <= b) ? 1 : 0);
            case ">=": return Int((signed ? sa >= sb : a >= b) ? 1 : 0);
        }
        throw new ExpressionException($"operator {op} is not supported");
    }

    TargetObject PointerBinary(string op, TargetObject left, TargetObject right, bool lp, bool rp)
    {
        if (lp && rp)
        {
            ulong a = left.ReadUnsigned(), b = right.ReadUnsigned();
            switch (op)
            {
                case "-":
                {
                    var size = PointeeSize(left.UnderlyingType);
                    var rsize = PointeeSize(right.UnderlyingType);
                    if (size != rsize)
                        throw new ExpressionException("First argument of `-' is a pointer and second argument is neither\nan integer nor a pointer of the same type.");
                    return Make(Named("long"), unchecked((ulong)((long)(a - b) / (long)size)));
                }
                case "==": return Int(a == b ? 1 : 0);
                case "!=": return Int(a != b ? 1 : 0);
                case "<": return Int(a < b ? 1 : 0);
                case ">": return Int(a > b ? 1 : 0);
                case "<=": return Int(a <= b ? 1 : 0);
                case ">=": return Int(a >= b ? 1 : 0);
            }
            throw new ExpressionException("Argument to arithmetic operation not a number or boolean.");
        }
        var pointer = lp ? left : right;
        var other = lp ? right : left;
        if (!other.Type.IsIntegral) throw new ExpressionException("Argument to arithmetic operation not a number or boolean.");
        var address = pointer.ReadUnsigned();
        var n = other.ReadSigned();
        var scale = (long)PointeeSize(pointer.UnderlyingType);
        switch (op)
        {
            case "+": return TargetObject.FromInteger(_target, Types, pointer.Type, unchecked(address + (ulong)(n * scale)));
            case "-" when lp: return TargetObject.FromInteger(_target, Types, pointer.Type, unchecked(address - (ulong)(n * scale)));
            case "==": return Int(address == other.ReadUnsigned() ? 1 : 0);
            case "!=": return Int(address != other.ReadUnsigned() ? 1 : 0);
            case "&" or "|" or "^" or "<" or ">" or "<=" or ">=":
            {
                var b = other.ReadUnsigned();
                var r = op switch
                {
                    "&" => address & b, "|" => address | b, "^" => address ^ b,
                    "<" => lp ? (address < b ? 1UL : 0) : (b < address ? 1UL : 0),
                    ">" => lp ? (address > b ? 1UL : 0) : (b > address ? 1UL : 0),
                    "<=" => lp ? (address <= b ? 1UL : 0) : (b <= address ? 1UL : 0),
                    _ => lp ? (address >= b ? 1UL : 0) : (b >= address ? 1UL : 0),
                };
                return op is "&" or "|" or "^" ? Make(Named("long"), r) : Int((int)r);
            }
        }
        throw new ExpressionException("Argument to arithmetic operation not a number or boolean.");
    }

    /// <summary>gdb's <c>x@n</c>: <paramref name="count"/> objects of x's type starting at x (an lvalue).</summary>
    TargetObject ArtificialArray(TargetObject first, TargetObject count)
    {
        if (!count.Type.IsIntegral) throw new ExpressionException("Argument to arithmetic operation not a number or boolean.");
        var n = count.ReadSigned();
        if (n <= 0) throw new ExpressionException("Only values in memory can be extended with '@'.");
        if (first.Address is not ulong address) throw new ExpressionException("Only values in memory can be extended with '@'.");
        return TargetObject.AtAddress(_target, Types, Types.ArrayOf(first.Type, (ulong)n), address);
    }

    /// <summary>A cast (C11 §6.5.4): scalars convert by value; a struct, union or array reinterprets an lvalue.</summary>
    public TargetObject Cast(TargetObject operand, CType type)
    {
        var to = type.Unqualified();
        if (to.Kind == CTypeKind.Void) return TargetObject.FromBytes(_target, Types, type, []);
        if (to.IsStructLike || to.Kind == CTypeKind.Array)
        {
            if (operand.Address is null) throw new ExpressionException("Invalid cast.");
            return operand.Reinterpret(type);
        }
        if (to.Kind == CTypeKind.Float) throw new ExpressionException("floating-point values are not supported");
        var from = operand.UnderlyingType;
        if (from.IsStructLike) throw new ExpressionException("Invalid cast.");
        var value = Scalar(operand);
        if (to.Kind == CTypeKind.Boolean) value = value != 0 ? 1UL : 0;
        return Make(type, value);
    }

    /// <summary>The integer bits of a scalar (integers sign-extended when signed, pointers, array and function addresses).</summary>
    ulong Scalar(TargetObject value)
    {
        var type = value.UnderlyingType;
        return type.Kind switch
        {
            CTypeKind.Array or CTypeKind.Function => value.Address ?? throw new ExpressionException("Attempt to take address of value not located in memory."),
            CTypeKind.Pointer => value.ReadUnsigned(),
            CTypeKind.Integer or CTypeKind.Boolean or CTypeKind.Enum => unchecked((ulong)value.ReadSigned()),
            CTypeKind.Float => throw new ExpressionException("floating-point values are not supported"),
            _ => throw new ExpressionException("Invalid cast."),
        };
    }

    /// <summary>Whether a scalar is non-zero (C's truth).</summary>
    public bool Truth(TargetObject value)
    {
        var d = Decay(value);
        if (!d.Type.IsScalar) throw new ExpressionException("Argument to arithmetic operation not a number or boolean.");
        return Scalar(d) != 0;
    }

    /// <summary>Arrays and functions used as values become pointers to their first element / to themselves (C11 §6.3.2.1).</summary>
    TargetObject Decay(TargetObject value)
    {
        var type = value.UnderlyingType;
        if (type.Kind == CTypeKind.Array && value.Address is ulong a)
            return TargetObject.FromInteger(_target, Types, Types.PointerTo(type.Target!), a);
        if (type.Kind == CTypeKind.Function && value.Address is ulong f)
            return TargetObject.FromInteger(_target, Types, Types.PointerTo(value.Type), f);
        return value;
    }

    static void RequireArithmetic(TargetObject value)
    {
        if (!value.Type.IsIntegral)
        {
            if (value.UnderlyingType.Kind == CTypeKind.Float) throw new ExpressionException("floating-point values are not supported");
            throw new ExpressionException("Argument to arithmetic operation not a number or boolean.");
        }
    }

    /// <summary>C's integer promotion (C11 §6.3.1.1): types narrower than int become int; the value sign- or zero-extended.</summary>
    (CType Type, ulong Value) Promote(TargetObject value)
    {
        var type = value.UnderlyingType;
        var raw = unchecked((ulong)value.ReadSigned());
        var size = type.Size ?? 4;
        if (size < 4 || type.Kind == CTypeKind.Boolean || value.IsBitField && value.BitSize < 32) return (Named("int"), raw);
        if (type.Kind == CTypeKind.Enum) return (Named(value.IsSignedType || size < 4 ? (size > 4 ? "long" : "int") : size > 4 ? "unsigned long" : "unsigned int"), raw);
        return (type, raw);
    }

    /// <summary>C's usual arithmetic conversions (C11 §6.3.1.8) for LP64: the common type and both values in it.</summary>
    (CType Type, ulong A, ulong B) UsualConversions(TargetObject left, TargetObject right)
    {
        var (lt, a) = Promote(left);
        var (rt, b) = Promote(right);
        ulong ls = lt.Size ?? 4, rs = rt.Size ?? 4;
        CType common;
        if (ls != rs) common = ls > rs ? lt : rt;
        else if (!lt.IsSigned) common = lt;
        else if (!rt.IsSigned) common = rt;
        else common = lt;
        return (common, a, b);
    }

    TargetObject Literal(Token token)
    {
        if (token.Kind == TokenKind.Character) return Make(Named("char"), token.Value);
        // C11 §6.4.4.1: decimal literals try int, long; hex/octal also the unsigned types. Like gdb,
        // a decimal too big for long becomes unsigned long rather than an error.
        var v = token.Value;
        string name;
        if (token.LongSuffixes == 0 && !token.HasUnsignedSuffix && v <= int.MaxValue) name = "int";
        else if (token.LongSuffixes == 0 && (token.HasUnsignedSuffix || !token.IsDecimal) && v <= uint.MaxValue) name = "unsigned int";
        else if (!token.HasUnsignedSuffix && v <= long.MaxValue) name = "long";
        else name = "unsigned long";
        return Make(Named(name), v);
    }

    TargetObject SizeOf(CType type)
    {
        var t = type.Unqualified();
        if (t.Size is not ulong size)
        {
            if (t.Kind == CTypeKind.Void || t.Kind == CTypeKind.Function) size = 1; // gdb (GNU C): sizeof(void) == 1
            else throw new ExpressionException($"Attempt to take size of incomplete type {TypeSystem.NameOf(type)}.");
        }
        return Make(Named("unsigned long"), size);
    }

    TargetObject Int(int value) => Make(Named("int"), unchecked((ulong)value));

    TargetObject Make(CType type, ulong value)
    {
        var size = type.Unqualified().Size ?? 8;
        if (size < 8) value &= (1UL << (int)(size * 8)) - 1;
        return TargetObject.FromInteger(_target, Types, type, value);
    }

    CType Named(string name) => Types.FindType(name);

    static ulong PointeeSize(CType pointer)
    {
        var t = pointer.Target?.Unqualified();
        if (t is null || t.Kind is CTypeKind.Void or CTypeKind.Function) return 1;
        return t.Size is ulong s && s > 0 ? s : 1;
    }

    static long SignExtend(ulong value, int bits) =>
        bits >= 64 ? unchecked((long)value) : (long)(value << (64 - bits)) >> (64 - bits);
}
