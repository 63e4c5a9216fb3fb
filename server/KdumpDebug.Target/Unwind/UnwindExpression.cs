using System.Buffers.Binary;
using KdumpDebug.Debuginfo.Cfi;

namespace KdumpDebug.Target.Unwind;

/// <summary>
/// Evaluates the DWARF expressions unwind rows carry (DWARF 5 §2.5): stack arithmetic, constants,
/// <c>DW_OP_breg*</c>/<c>bregx</c> on the frame's registers, <c>deref</c>/<c>deref_size</c>,
/// comparisons and branches; enough for GCC's CFI (<c>DW_OP_breg6 -24; DW_OP_deref</c> after a
/// stack realignment) and ORC's indirect stack pointers. Register locations (<c>DW_OP_reg*</c>),
/// TLS, entry values and typed operations are not needed by CFI and are reported as unsupported.
/// At most <see cref="MaxSteps"/> operations run (a backwards branch cannot hang) on a stack of at
/// most <see cref="MaxStack"/> values. Allocation-free.
/// </summary>
public static class UnwindExpression
{
    public const int MaxSteps = 1000;
    public const int MaxStack = 64;

    /// <summary>
    /// Evaluates <paramref name="expression"/> with <paramref name="registers"/> as the frame's
    /// registers; <paramref name="initial"/> is pushed first when given (the CFA, for register rules).
    /// False with a one-line reason for an unknown register, an unreadable address, an unsupported
    /// or malformed operation.
    /// </summary>
    public static bool TryEvaluate(ReadOnlySpan<byte> expression, RegisterSet registers, ulong? initial, IUnwindMemory memory,
        out ulong result, out string? error)
    {
        Span<ulong> stack = stackalloc ulong[MaxStack];
        var depth = 0;
        if (initial is ulong i) stack[depth++] = i;
        var pc = 0;
        result = 0;
        for (var steps = 0; pc < expression.Length; steps++)
        {
            if (steps >= MaxSteps) return Fail(out error, $"expression runs more than {MaxSteps} operations");
            var op = expression[pc++];
            ulong a, b;
            switch (op)
            {
                case 0x03: // DW_OP_addr
                    if (!Fixed(expression, ref pc, 8, out a)) return Fail(out error, "truncated DW_OP_addr");
                    if (!Push(stack, ref depth, a)) return Overflow(out error);
                    break;
                case 0x06: // DW_OP_deref
                    if (depth < 1) return Underflow(out error);
                    if (!memory.TryReadUInt64(stack[depth - 1], out stack[depth - 1], out var e1)) return Fail(out error, e1 ?? "unreadable");
                    break;
                case 0x94: // DW_OP_deref_size
                {
                    if (pc >= expression.Length) return Fail(out error, "truncated DW_OP_deref_size");
                    var size = expression[pc++];
                    if (depth < 1) return Underflow(out error);
                    if (size is 0 or > 8) return Fail(out error, $"DW_OP_deref_size {size}");
                    if (!memory.TryReadUInt64(stack[depth - 1], out var v, out var e2)) return Fail(out error, e2 ?? "unreadable");
                    stack[depth - 1] = size == 8 ? v : v & ((1UL << (size * 8)) - 1);
                    break;
                }
                case >= 0x08 and <= 0x0f: // DW_OP_const1u .. const8s
                {
                    var size = 1 << ((op - 0x08) >> 1);
                    if (!Fixed(expression, ref pc, size, out a)) return Fail(out error, "truncated constant");
                    if ((op & 1) == 1 && size < 8) a = SignExtend(a, size * 8);
                    if (!Push(stack, ref depth, a)) return Overflow(out error);
                    break;
                }
                case 0x10: // DW_OP_constu
                    if (!ULeb(expression, ref pc, out a)) return Fail(out error, "truncated DW_OP_constu");
                    if (!Push(stack, ref depth, a)) return Overflow(out error);
                    break;
                case 0x11: // DW_OP_consts
                    if (!SLeb(expression, ref pc, out var s)) return Fail(out error, "truncated DW_OP_consts");
                    if (!Push(stack, ref depth, (ulong)s)) return Overflow(out error);
                    break;
                case 0x12: // DW_OP_dup
                    if (depth < 1) return Underflow(out error);
                    if (!Push(stack, ref depth, stack[depth - 1])) return Overflow(out error);
                    break;
                case 0x13: // DW_OP_drop
                    if (depth < 1) return Underflow(out error);
                    depth--;
                    break;
                case 0x14: // DW_OP_over
                    if (depth < 2) return Underflow(out error);
                    if (!Push(stack, ref depth, stack[depth - 2])) return Overflow(out error);
                    break;
                case 0x15: // DW_OP_pick
                {
                    if (pc >= expression.Length) return Fail(out error, "truncated DW_OP_pick");
                    var index = expression[pc++];
                    if (index >= depth) return Underflow(out error);
                    if (!Push(stack, ref depth, stack[depth - 1 - index])) return Overflow(out error);
                    break;
                }
                case 0x16: // DW_OP_swap
                    if (depth < 2) return Underflow(out error);
                    (stack[depth - 1], stack[depth - 2]) = (stack[depth - 2], stack[depth - 1]);
                    break;
                case 0x17: // DW_OP_rot
                    if (depth < 3) return Underflow(out error);
                    (stack[depth - 1], stack[depth - 2], stack[depth - 3]) = (stack[depth - 2], stack[depth - 3], stack[depth - 1]);
                    break;
                case 0x19: // DW_OP_abs
                    if (depth < 1) return Underflow(out error);
                    stack[depth - 1] = (ulong)Math.Abs((long)stack[depth - 1]);
                    break;
                case 0x1f: // DW_OP_neg
                    if (depth < 1) return Underflow(out error);
                    stack[depth - 1] = unchecked((ulong)-(long)stack[depth - 1]);
                    break;
                case 0x20: // DW_OP_not
                    if (depth < 1) return Underflow(out error);
                    stack[depth - 1] = ~stack[depth - 1];
                    break;
                case 0x23: // DW_OP_plus_uconst
                    if (depth < 1) return Underflow(out error);
                    if (!ULeb(expression, ref pc, out a)) return Fail(out error, "truncated DW_OP_plus_uconst");
                    stack[depth - 1] = unchecked(stack[depth - 1] + a);
                    break;
                case 0x1a or 0x1b or 0x1c or 0x1d or 0x1e or 0x21 or 0x22 or 0x24 or 0x25 or 0x26 or 0x27
                    or >= 0x29 and <= 0x2e:
                {
                    if (depth < 2) return Underflow(out error);
                    b = stack[--depth];
                    a = stack[depth - 1];
                    ulong r;
                    switch (op)
                    {
                        case 0x1a: r = a & b; break;
                        case 0x1b: // DW_OP_div (signed)
                            if (b == 0) return Fail(out error, "division by zero");
                            r = (ulong)((long)a / (long)b);
                            break;
                        case 0x1c: r = unchecked(a - b); break;
                        case 0x1d:
                            if (b == 0) return Fail(out error, "division by zero");
                            r = a % b;
                            break;
                        case 0x1e: r = unchecked(a * b); break;
                        case 0x21: r = a | b; break;
                        case 0x22: r = unchecked(a + b); break;
                        case 0x24: r = b >= 64 ? 0 : a << (int)b; break;
                        case 0x25: r = b >= 64 ? 0 : a >> (int)b; break;
                        case 0x26: r = (ulong)((long)a >> (int)Math.Min(b, 63)); break;
                        case 0x27: r = a ^ b; break;
                        case 0x29: r = a == b ? 1UL : 0; break;
                        case 0x2a: r = (long)a >= (long)b ? 1UL : 0; break;
                        case 0x2b: r = (long)a > (long)b ? 1UL : 0; break;
                        case 0x2c: r = (long)a <= (long)b ? 1UL : 0; break;
                        case 0x2d: r = (long)a < (long)b ? 1UL : 0; break;
                        default: r = a != b ? 1UL : 0; break;
                    }
                    stack[depth - 1] = r;
                    break;
                }
                case 0x2f or 0x28: // DW_OP_skip, DW_OP_bra
                {
                    if (pc + 2 > expression.Length) return Fail(out error, "truncated branch");
                    var delta = BinaryPrimitives.ReadInt16LittleEndian(expression[pc..]);
                    pc += 2;
                    var taken = true;
                    if (op == 0x28)
                    {
                        if (depth < 1) return Underflow(out error);
                        taken = stack[--depth] != 0;
                    }
                    if (taken)
                    {
                        var target = pc + delta;
                        if (target < 0 || target > expression.Length) return Fail(out error, "branch outside the expression");
                        pc = target;
                    }
                    break;
                }
                case >= 0x30 and <= 0x4f: // DW_OP_lit0..31
                    if (!Push(stack, ref depth, (ulong)(op - 0x30))) return Overflow(out error);
                    break;
                case >= 0x70 and <= 0x8f or 0x92: // DW_OP_breg0..31, DW_OP_bregx
                {
                    ulong dwarfRegister = (ulong)(op - 0x70);
                    if (op == 0x92 && !ULeb(expression, ref pc, out dwarfRegister)) return Fail(out error, "truncated DW_OP_bregx");
                    if (!SLeb(expression, ref pc, out var offset)) return Fail(out error, "truncated DW_OP_breg offset");
                    if (!UnwindRegisters.TryFromDwarf(dwarfRegister, out var reg) || !registers.TryGet(reg, out var value))
                        return Fail(out error, $"DWARF register {dwarfRegister} is unknown in this frame");
                    if (!Push(stack, ref depth, unchecked(value + (ulong)offset))) return Overflow(out error);
                    break;
                }
                case 0x96: // DW_OP_nop
                    break;
                default:
                    return Fail(out error, $"DWARF expression operation 0x{op:x2} is not supported in unwind rules");
            }
        }
        if (depth < 1) return Fail(out error, "expression leaves an empty stack");
        result = stack[depth - 1];
        error = null;
        return true;
    }

    static bool Push(Span<ulong> stack, ref int depth, ulong value)
    {
        if (depth >= stack.Length) return false;
        stack[depth++] = value;
        return true;
    }

    static bool Fail(out string? error, string message)
    {
        error = message;
        return false;
    }

    static bool Overflow(out string? error) => Fail(out error, $"expression stack deeper than {MaxStack}");

    static bool Underflow(out string? error) => Fail(out error, "expression stack underflow");

    static ulong SignExtend(ulong value, int bits) => (ulong)(((long)value << (64 - bits)) >> (64 - bits));

    static bool Fixed(ReadOnlySpan<byte> e, ref int pc, int size, out ulong value)
    {
        value = 0;
        if (pc + size > e.Length) return false;
        for (var i = 0; i < size; i++) value |= (ulong)e[pc + i] << (8 * i);
        pc += size;
        return true;
    }

    static bool ULeb(ReadOnlySpan<byte> e, ref int pc, out ulong value)
    {
        value = 0;
        for (var shift = 0; pc < e.Length; shift += 7)
        {
            var b = e[pc++];
            if (shift < 64) value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return true;
            if (shift > 63) return false;
        }
        return false;
    }

    static bool SLeb(ReadOnlySpan<byte> e, ref int pc, out long value)
    {
        value = 0;
        var shift = 0;
        while (pc < e.Length)
        {
            var b = e[pc++];
            if (shift < 64) value |= (long)(b & 0x7f) << shift;
            shift += 7;
            if ((b & 0x80) == 0)
            {
                if (shift < 64 && (b & 0x40) != 0) value |= -1L << shift;
                return true;
            }
            if (shift > 63 + 7) return false;
        }
        return false;
    }
}
