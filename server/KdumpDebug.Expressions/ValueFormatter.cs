using System.Globalization;
using System.Text;
using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Types;
using KdumpDebug.Target;
using KdumpDebug.Target.Objects;

namespace KdumpDebug.Expressions;

/// <summary>
/// Prints values the way gdb does inside crash (crash runs gdb with <c>set print pretty on</c>,
/// no repeat compression): integers in decimal, characters as <c>65 'A'</c>, booleans, enums by
/// name, pointers as <c>0x...</c> with <c>&lt;symbol+offset&gt;</c> where gdb finds a minimal symbol,
/// <c>char *</c> followed by the string, char arrays as strings (one trailing NUL dropped, other
/// NULs as <c>\000</c>), structs with one member per line and nested braces indented two spaces a
/// level, arrays as <c>{a, b}</c>. Reads memory as it prints; a read that fails inside an
/// aggregate prints gdb's <c>&lt;error: ...&gt;</c> in place, at the top it throws.
/// </summary>
public sealed class ValueFormatter
{
    /// <summary>
    /// crash's gdb <c>print elements</c> limit (256; gdb's own default is 200): at most this many
    /// array elements, or characters of a <c>char *</c> string, are printed before <c>...</c>.
    /// crash turns repeat compression off (<c>&lt;repeats N times&gt;</c> never appears), so a char
    /// array's runs of one character print in full, and the limit is checked only between runs
    /// (gdb's generic_printstr counts a run as a whole).
    /// </summary>
    public const int ElementLimit = 256;

    readonly IKernelTarget _target;
    readonly ValueFormat _format;

    public ValueFormatter(IKernelTarget target, ValueFormat format = ValueFormat.Natural)
    {
        _target = target ?? throw new ArgumentNullException(nameof(target));
        _format = format;
    }

    /// <summary>
    /// What <c>print</c> shows after <c>$N = </c> (gdb's c_value_print): pointers other than
    /// <c>char *</c> get their type in parentheses first, functions <c>{type} address &lt;name&gt;</c>.
    /// </summary>
    public string FormatTopLevel(TargetObject value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var type = value.UnderlyingType;
        // gdb fetches the whole value before printing: an unreadable struct fails as a whole.
        if (value.Address is not null && type.Kind is CTypeKind.Struct or CTypeKind.Union or CTypeKind.Class or CTypeKind.Array && type.Size is ulong size && size <= 1 << 20)
            value.ReadBytes();
        if (_format == ValueFormat.Natural)
        {
            // gdb omits the "(type) " only for a pointer to plain char (c_value_print).
            if (type.Kind == CTypeKind.Pointer && type.Target?.StripQualifiers() is not { Kind: CTypeKind.Integer, Name: "char" })
                return $"({TypeSystem.NameOf(value.Type)}) {Format(value, 0)}";
            if (type.Kind == CTypeKind.Function)
                return $"{{{TypeSystem.NameOf(value.Type)}}} {Pointer(value.Address ?? 0)}";
        }
        return Format(value, 0);
    }

    /// <summary>
    /// A value as gdb prints it inside an aggregate at nesting level <paramref name="recurse"/>
    /// (a struct's members are indented 2*(recurse+1) spaces, its closing brace 2*recurse).
    /// </summary>
    public string Format(TargetObject value, int recurse)
    {
        var sb = new StringBuilder();
        Append(sb, value, recurse);
        return sb.ToString();
    }

    void Append(StringBuilder sb, TargetObject value, int recurse)
    {
        if (value.IsAbsent)
        {
            sb.Append("<optimized out>");
            return;
        }
        var type = value.UnderlyingType;
        switch (type.Kind)
        {
            case CTypeKind.Struct:
            case CTypeKind.Union:
            case CTypeKind.Class:
                AppendStruct(sb, value, type, recurse);
                return;
            case CTypeKind.Array:
                AppendArray(sb, value, type, recurse);
                return;
            case CTypeKind.Function:
                sb.Append('{').Append(TypeSystem.NameOf(value.Type)).Append("} ").Append(Pointer(value.Address ?? 0));
                return;
            case CTypeKind.Void:
                sb.Append("void");
                return;
        }
        sb.Append(Scalar(value));
    }

    string Scalar(TargetObject value)
    {
        var type = value.UnderlyingType;
        switch (type.Kind)
        {
            case CTypeKind.Pointer:
            {
                var address = value.ReadUnsigned();
                if (_format == ValueFormat.Decimal) return ((long)address).ToString(CultureInfo.InvariantCulture);
                if (_format is ValueFormat.Hex or ValueFormat.Character) return Hex(address, 8);
                var text = Pointer(address);
                if (IsCharPointer(type) && address != 0) text += " " + StringAt(address);
                return text;
            }
            case CTypeKind.Float:
            {
                var bytes = value.ReadBytes();
                double d = bytes.Length switch
                {
                    4 => BitConverter.ToSingle(bytes),
                    8 => BitConverter.ToDouble(bytes),
                    _ => double.NaN,
                };
                return double.IsNaN(d) && bytes.Length is not (4 or 8) ? "<unsupported float>" : d.ToString(type.Size == 4 ? "G9" : "G17", CultureInfo.InvariantCulture);
            }
        }
        var size = value.IsBitField ? (int)((value.BitSize + 7) / 8) : (int)(type.Size ?? 4);
        switch (_format)
        {
            case ValueFormat.Hex:
            {
                var raw = value.ReadUnsigned();
                return Hex(raw, size);
            }
            case ValueFormat.Decimal:
            {
                // /d reinterprets the bits as signed at the value's size: p/d (unsigned char)200 is -56.
                var bits = value.IsBitField ? (int)value.BitSize : size * 8;
                var raw = value.ReadUnsigned();
                var signedValue = bits is > 0 and < 64 ? (long)(raw << (64 - bits)) >> (64 - bits) : (long)raw;
                return signedValue.ToString(CultureInfo.InvariantCulture);
            }
            case ValueFormat.Character:
                return CharValue(unchecked((long)(sbyte)(byte)value.ReadUnsigned()), (byte)value.ReadUnsigned());
        }
        // gdb's output radix 16 (crash's -x) prints characters and booleans as plain hex too; enums keep their names.
        if (_format == ValueFormat.Radix16 && type.Kind != CTypeKind.Enum) return Hex(value.ReadUnsigned(), size);
        if (type.Kind == CTypeKind.Boolean)
        {
            var b = value.ReadUnsigned();
            return b switch { 0 => "false", 1 => "true", _ => b.ToString(CultureInfo.InvariantCulture) };
        }
        if (type.Kind == CTypeKind.Enum)
        {
            var v = value.ReadSigned();
            foreach (var e in type.Enumerators)
                if (e.Value == v) return e.Name;
            return FlagEnum(type, v) ?? v.ToString(CultureInfo.InvariantCulture);
        }
        var number = value.IsSignedType ? value.ReadSigned().ToString(CultureInfo.InvariantCulture) : value.ReadUnsigned().ToString(CultureInfo.InvariantCulture);
        if (type.Kind == CTypeKind.Integer && type.Size == 1 && !value.IsBitField)
            return CharValue(value.IsSignedType ? value.ReadSigned() : (long)value.ReadUnsigned(), (byte)value.ReadUnsigned());
        return number;
    }

    /// <summary>
    /// gdb's generic_val_print_enum_1 for a "flag enum" (every enumerator non-negative and
    /// disjoint in bits from the others, as dwarf2/read.c decides): a value that is no single
    /// enumerator prints as <c>(A | B)</c>, with <c> | unknown: 0x..</c> for leftover bits; 0 prints
    /// as <c>0</c>. Null for other enums (the number is printed).
    /// </summary>
    static string? FlagEnum(CType type, long value)
    {
        ulong mask = 0;
        foreach (var e in type.Enumerators)
        {
            if (e.Value < 0) return null;
            var bits = (ulong)e.Value;
            if ((mask & bits) != 0) return null;
            mask |= bits;
        }
        if (type.Enumerators.Count == 0) return null;
        if (value == 0) return "0";
        var rest = unchecked((ulong)value);
        var names = new List<string>();
        foreach (var e in type.Enumerators)
        {
            var bits = (ulong)e.Value;
            if (bits != 0 && (rest & bits) == bits)
            {
                names.Add(e.Name);
                rest &= ~bits;
            }
        }
        if (rest != 0) names.Add("unknown: 0x" + rest.ToString("x", CultureInfo.InvariantCulture));
        return "(" + string.Join(" | ", names) + ")";
    }

    static string CharValue(long number, byte c) =>
        number.ToString(CultureInfo.InvariantCulture) + " '" + Escape(c, '\'') + "'";

    static string Hex(ulong raw, int size)
    {
        if (size is > 0 and < 8) raw &= (1UL << (size * 8)) - 1;
        return "0x" + raw.ToString("x", CultureInfo.InvariantCulture);
    }

    void AppendStruct(StringBuilder sb, TargetObject value, CType type, int recurse)
    {
        var members = type.Members;
        if (members.Count == 0)
        {
            sb.Append("{<No data fields>}");
            return;
        }
        sb.Append("{\n");
        var indent = new string(' ', 2 * (recurse + 1));
        for (var i = 0; i < members.Count; i++)
        {
            var member = members[i];
            sb.Append(indent);
            if (member.Name is { } name) sb.Append(name).Append(" = ");
            try
            {
                Append(sb, MemberOf(value, member), recurse + 1);
            }
            catch (KdumpDebugException e)
            {
                sb.Append("<error: ").Append(e.Message).Append('>');
            }
            sb.Append(i + 1 < members.Count ? ",\n" : "\n");
        }
        sb.Append(' ', 2 * recurse).Append('}');
    }

    /// <summary>A member by its declaration (anonymous members have no name to look up).</summary>
    static TargetObject MemberOf(TargetObject value, CMember member)
    {
        if (member.Name is { } name) return value.Member(name);
        // An anonymous struct/union: the same place, seen as the member's type.
        var byteOffset = member.BitOffset / 8;
        if (value.Address is ulong a) return TargetObject.AtAddress(value.Target, value.Types, member.Type, a + byteOffset);
        var bytes = value.ReadBytes();
        var start = (int)Math.Min(byteOffset, (ulong)bytes.Length);
        return TargetObject.FromBytes(value.Target, value.Types, member.Type, bytes[start..]);
    }

    void AppendArray(StringBuilder sb, TargetObject value, CType type, int recurse)
    {
        var element = type.Target!.Unqualified();
        // A flexible or zero-length array member (x[], x[0]): gdb prints its address, and for
        // characters the string there.
        if (type.Count is null or 0)
        {
            if (value.Address is not ulong at)
            {
                sb.Append("{}");
                return;
            }
            sb.Append(Pointer(at));
            if (element.Kind == CTypeKind.Integer && element.Size == 1 && _format is ValueFormat.Natural or ValueFormat.Radix16)
                sb.Append(' ').Append(StringAt(at));
            return;
        }
        var count = type.Count.Value;
        if (element.Kind == CTypeKind.Integer && element.Size == 1 && _format is ValueFormat.Natural or ValueFormat.Radix16)
        {
            var bytes = value.ReadBytes();
            var length = bytes.Length;
            // gdb's generic_printstr: one trailing NUL is not printed, and an all-NUL array prints "".
            if (length > 0 && bytes[length - 1] == 0) length--;
            var printed = 0;
            while (printed < length && printed < ElementLimit)
            {
                var run = printed + 1;
                while (run < length && bytes[run] == bytes[printed]) run++;
                printed = run;
            }
            sb.Append(Quote(bytes.AsSpan(0, printed)));
            if (printed < length) sb.Append("...");
            return;
        }
        if (count == 0)
        {
            sb.Append("{}");
            return;
        }
        sb.Append('{');
        var limit = Math.Min(count, ElementLimit);
        for (ulong i = 0; i < limit; i++)
        {
            if (i > 0) sb.Append(", ");
            try
            {
                Append(sb, value.Index((long)i), recurse + 1);
            }
            catch (KdumpDebugException e)
            {
                sb.Append("<error: ").Append(e.Message).Append('>');
            }
        }
        if (count > limit) sb.Append("...");
        sb.Append('}');
    }

    /// <summary>gdb's pointer text: <c>0x...</c> and, when a minimal symbol covers it, <c> &lt;name+off&gt;</c>.</summary>
    public string Pointer(ulong address)
    {
        var text = "0x" + address.ToString("x", CultureInfo.InvariantCulture);
        return TrySymbolize(address, out var symbol) ? text + " <" + symbol + ">" : text;
    }

    /// <summary>
    /// gdb's build_address_symbolic for a kernel address: the symbol at or below it, if it is a
    /// text symbol, or a data symbol with a size that covers the address (gdb drops zero-sized
    /// data symbols, so e.g. a pointer to a linker-script label prints bare). Module symbols are
    /// unknown to gdb in crash unless loaded with <c>mod -s</c>: used only for a module whose debug
    /// file is attached (--modules or <c>mod -s</c>).
    /// </summary>
    public bool TrySymbolize(ulong address, out string text)
    {
        text = "";
        if (address == 0 || !_target.TryFindSymbol(address, out var symbol, out var offset)) return false;
        if (symbol.Module is not null && (_target as KernelTarget)?.Modules.FindModule(address)?.DebugFile is null) return false;
        // gdb's lookup_minimal_symbol_by_pc_section prefers a sized symbol among several at one
        // address (jiffies is a linker-script alias of jiffies_64, which has the size).
        if (symbol.Size == 0) symbol = SizedAlias(symbol);
        var isText = symbol.NmType is 't' or 'T' or 'w' or 'W';
        if (!isText && (symbol.Size == 0 || offset >= symbol.Size)) return false;
        text = offset == 0 ? symbol.Name : $"{symbol.Name}+{offset}";
        return true;
    }

    KernelSymbol SizedAlias(KernelSymbol symbol)
    {
        var all = _target.SymbolsByAddress;
        int lo = 0, hi = all.Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (all[mid].Address < symbol.Address) lo = mid + 1;
            else hi = mid;
        }
        var best = symbol;
        for (var i = lo; i < all.Count && all[i].Address == symbol.Address; i++)
            if (all[i].Size > 0 && all[i].Module is null) best = all[i];
        return best;
    }

    /// <summary>The NUL-terminated string at <paramref name="address"/>, quoted; read a page piece at a time.</summary>
    string StringAt(ulong address)
    {
        var bytes = new List<byte>();
        var chunk = new byte[256];
        while (bytes.Count < ElementLimit)
        {
            var at = address + (ulong)bytes.Count;
            // Never across a page boundary in one read: a string may end just before an unreadable page.
            var length = (int)Math.Min((ulong)Math.Min(chunk.Length, ElementLimit - bytes.Count), 0x1000 - (at & 0xfff));
            try
            {
                _target.ReadVirtual(at, chunk.AsSpan(0, length));
            }
            catch (KdumpDebugException)
            {
                return (bytes.Count > 0 ? Quote(bytes.ToArray()) : "") + "<error: Cannot access memory at address 0x" + at.ToString("x", CultureInfo.InvariantCulture) + ">";
            }
            var nul = Array.IndexOf(chunk, (byte)0, 0, length);
            if (nul >= 0)
            {
                bytes.AddRange(chunk.AsSpan(0, nul).ToArray());
                return Quote(bytes.ToArray());
            }
            bytes.AddRange(chunk.AsSpan(0, length).ToArray());
        }
        return Quote(bytes.ToArray()) + "...";
    }

    static string Quote(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length + 2);
        sb.Append('"');
        foreach (var b in bytes) sb.Append(Escape(b, '"'));
        sb.Append('"');
        return sb.ToString();
    }

    /// <summary>gdb's generic_emit_char for one byte inside <paramref name="quote"/>s.</summary>
    static string Escape(byte b, char quote) => b switch
    {
        (byte)'\\' => "\\\\",
        7 => "\\a",
        8 => "\\b",
        12 => "\\f",
        10 => "\\n",
        13 => "\\r",
        9 => "\\t",
        11 => "\\v",
        27 => "\\033",
        _ when b == quote => "\\" + quote,
        >= 0x20 and < 0x7f => ((char)b).ToString(),
        _ => "\\" + Convert.ToString(b, 8).PadLeft(3, '0'),
    };

    /// <summary>A pointer to a one-byte integer (char, signed/unsigned char, u8): gdb prints the string it points to.</summary>
    static bool IsCharPointer(CType pointer)
    {
        var target = pointer.Target?.Unqualified();
        return target is { Kind: CTypeKind.Integer, Size: 1 };
    }
}
