using System.Globalization;
using System.Text;

namespace KdumpDebug.Debuginfo.Types;

/// <summary>
/// Prints C types the way gdb 10 does (crash 8 passes gdb's output through for <c>whatis</c>,
/// <c>ptype</c> and <c>struct</c>): declarators inside out (<c>void (*func)(struct callback_head *)</c>,
/// <c>char comm[16]</c>, <c>struct hlist_node *pid_links[4]</c>), bit fields (<c>unsigned int
/// flags : 3</c>), nested anonymous <c>struct {...};</c> / <c>union {...};</c> indented by 4 per
/// level (crash's gdb expands unnamed members at every depth, where plain gdb writes
/// <c>{...}</c> below the first level), enums as <c>enum x {A, B = 5}</c>, base type names canonicalized
/// (<c>unsigned long</c>).
/// It follows gdb's c-typeprint.c (c_print_type, c_type_print_base, varspec prefix/suffix) with
/// its <c>show</c> levels: &gt; 0 expands a struct's body, 0 expands only anonymous types, &lt; 0
/// prints anonymous bodies as <c>{...}</c>. Also crash's own layouts built on that text
/// (<see cref="CrashStructDefinition"/>, <see cref="CrashEnum"/>). Stateless; allocates the text.
/// </summary>
public static class TypePrinter
{
    /// <summary>One line of printed text, and the member whose declaration ends on it (for <c>struct -o</c>).</summary>
    readonly record struct Line(string Text, string? Member);

    sealed class Writer
    {
        public readonly List<Line> Lines = [];
        public readonly StringBuilder Current = new();

        public void Append(string s) => Current.Append(s);
        public void Append(char c) => Current.Append(c);

        public void EndLine(string? member = null)
        {
            Lines.Add(new Line(Current.ToString(), member));
            Current.Clear();
        }

        public string Text()
        {
            var sb = new StringBuilder();
            foreach (var l in Lines) sb.Append(l.Text).Append('\n');
            sb.Append(Current);
            return sb.ToString();
        }
    }

    /// <summary>
    /// gdb's spelling of a type as <c>whatis</c> prints it after <c>type = </c> (show -1):
    /// <c>struct list_head *</c>, <c>void (*)(struct callback_head *)</c>, <c>char [16]</c>.
    /// </summary>
    public static string TypeName(CType type) => Print(type, "", -1);

    /// <summary>
    /// gdb's <c>ptype</c> text without the leading <c>type = </c> (show 1: one level of typedef
    /// resolved and a struct's members listed, lines joined by '\n', no trailing newline).
    /// </summary>
    public static string Ptype(CType type) => Print(type, "", 1);

    /// <summary>
    /// A declaration of <paramref name="name"/> with <paramref name="type"/> without the final
    /// <c>;</c>, as crash's <c>whatis VARIABLE</c> prints it: <c>volatile unsigned long jiffies</c>,
    /// <c>const char linux_banner[167]</c>, <c>void sysrq_handle_crash(int)</c>.
    /// </summary>
    public static string Declaration(CType type, string name) => Print(type, name, -1);

    /// <summary>
    /// gdb's c_print_type: <paramref name="type"/> declaring <paramref name="name"/> ("" for an
    /// abstract declarator, as whatis and ptype print; null prints only the part before the name)
    /// at detail level <paramref name="show"/>.
    /// </summary>
    public static string Print(CType type, string? name, int show)
    {
        ArgumentNullException.ThrowIfNull(type);
        var w = new Writer();
        PrintType(w, type, name, show, 0);
        return w.Text();
    }

    /// <summary>
    /// What crash prints for <c>struct NAME</c> / <c>union NAME</c> / <c>whatis struct NAME</c>
    /// (<paramref name="withOffsets"/> false) and <c>struct -o NAME</c> (true): gdb's ptype body,
    /// with each member line prefixed by <c>[OFFSET]</c> in a column as wide as the size's digits
    /// plus 4 (crash's show_member_offset: offsets are found by member name through anonymous
    /// members, so members of a named nested struct get none), then <c>SIZE: N</c>. Each line ends
    /// with '\n'. <paramref name="hex"/> prints offsets and size as crash's <c>-x</c> does. For a
    /// typedef of a struct or union (<c>whatis spinlock_t</c>) crash writes
    /// <c>typedef struct spinlock {</c> ... <c>} spinlock_t;</c>.
    /// </summary>
    public static string CrashStructDefinition(CType type, bool withOffsets, bool hex = false)
    {
        ArgumentNullException.ThrowIfNull(type);
        var resolved = type.Unqualified();
        var w = new Writer();
        PrintType(w, type, "", 1, 0);
        w.EndLine();
        if (type.StripQualifiers() is { Kind: CTypeKind.Typedef, Name: { } typedefName } && w.Lines.Count > 1)
        {
            w.Lines[0] = new Line("typedef " + w.Lines[0].Text, null);
            w.Lines[^1] = new Line(w.Lines[^1].Text + " " + typedefName + ";", null);
        }
        var sb = new StringBuilder();
        var size = resolved.Size ?? 0;
        var sizeText = hex ? $"0x{size:x}" : size.ToString(CultureInfo.InvariantCulture);
        for (var i = 0; i < w.Lines.Count; i++)
        {
            var line = w.Lines[i];
            var isBody = withOffsets && i > 0 && i < w.Lines.Count - 1 && line.Text.StartsWith("    ", StringComparison.Ordinal);
            if (!isBody)
            {
                sb.Append(line.Text).Append('\n');
                continue;
            }
            if (line.Member is { } member && resolved.TryFindMember(member, out var lookup))
            {
                var offset = hex ? $"  [0x{lookup.ByteOffset:x}]" : $"  [{lookup.ByteOffset}]";
                sb.Append(offset.PadLeft(sizeText.Length + 4)).Append(line.Text.AsSpan(3)).Append('\n');
            }
            else
            {
                sb.Append(' ', sizeText.Length + 1).Append(line.Text).Append('\n');
            }
        }
        sb.Append("SIZE: ").Append(sizeText).Append('\n');
        return sb.ToString();
    }

    /// <summary>
    /// crash's own enum listing (<c>whatis enum NAME</c>, <c>enum NAME</c>): one enumerator per
    /// line with its value, <c>enum NAME {</c> ... <c>};</c>, each line ending with '\n'.
    /// </summary>
    public static string CrashEnum(CType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var e = type.Unqualified();
        var sb = new StringBuilder();
        sb.Append(e.Name is { } n ? $"enum {n} {{\n" : "enum {\n");
        foreach (var en in e.Enumerators) sb.Append("  ").Append(en.Name).Append(" = ").Append(en.Value.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append(e.Name is not null || type.Kind != CTypeKind.Typedef ? "};\n" : $"}} {type.Name};\n");
        return sb.ToString();
    }

    // Qualifiers of a type, which gdb keeps as flags on the type and this model as wrapper kinds.
    readonly record struct Quals(bool Const, bool Volatile, bool Restrict, bool Atomic)
    {
        public Quals Or(Quals o) => new(Const || o.Const, Volatile || o.Volatile, Restrict || o.Restrict, Atomic || o.Atomic);
    }

    static (CType Core, Quals Quals) Peel(CType type)
    {
        var q = new Quals();
        var t = type;
        for (var i = 0; t.IsQualifier && i < 1024; i++)
        {
            q = t.Kind switch
            {
                CTypeKind.Const => q with { Const = true },
                CTypeKind.Volatile => q with { Volatile = true },
                CTypeKind.Restrict => q with { Restrict = true },
                _ => q with { Atomic = true },
            };
            t = t.Target ?? t;
            if (t.Target is null && t.IsQualifier) break;
        }
        return (t, q);
    }

    // gdb's check_typedef: through typedefs, keeping the qualifiers met on the way.
    static (CType Core, Quals Quals) CheckTypedef(CType core, Quals quals)
    {
        for (var i = 0; core.Kind == CTypeKind.Typedef && core.Target is not null && i < 1024; i++)
        {
            var (c, q) = Peel(core.Target);
            core = c;
            quals = quals.Or(q);
        }
        return (core, quals);
    }

    // What gdb's type->name () is: tags, typedef and base type names; null for derived types.
    static string? NameOf(CType t) => t.Kind switch
    {
        CTypeKind.Pointer or CTypeKind.Array or CTypeKind.Function => null,
        _ => t.Name,
    };

    static void PrintType(Writer w, CType type, string? varstring, int show, int level)
    {
        var (core, quals) = Peel(type);
        if (show > 0) (core, quals) = CheckTypedef(core, quals);
        PrintBase(w, core, quals, show, level);
        var code = core.Kind;
        if (!string.IsNullOrEmpty(varstring)
            || ((show > 0 || NameOf(core) is null)
                && (code is CTypeKind.Pointer or CTypeKind.Function || (code == CTypeKind.Array && !core.IsVector))))
            w.Append(' ');
        var needPostSpace = !string.IsNullOrEmpty(varstring);
        VarspecPrefix(w, core, quals, show, false, needPostSpace);
        if (varstring is not null)
        {
            w.Append(varstring);
            VarspecSuffix(w, core, show, false, varstring.Contains('('));
        }
    }

    static void Modifier(Writer w, Quals q, bool preSpace, bool postSpace)
    {
        var did = false;
        void One(string s)
        {
            if (did || preSpace) w.Append(' ');
            w.Append(s);
            did = true;
        }
        if (q.Const) One("const");
        if (q.Volatile) One("volatile");
        if (q.Restrict) One("restrict");
        if (q.Atomic) One("_Atomic");
        if (did && postSpace) w.Append(' ');
    }

    static void PrintBase(Writer w, CType core, Quals quals, int show, int level)
    {
        if (show <= 0 && NameOf(core) is { } name)
        {
            Modifier(w, quals, false, true);
            switch (core.Kind)
            {
                case CTypeKind.Union: w.Append("union "); break;
                case CTypeKind.Struct: w.Append("struct "); break;
                case CTypeKind.Class: w.Append("class "); break;
                case CTypeKind.Enum: w.Append("enum "); break;
            }
            w.Append(BaseTypeNames.Canonical(name));
            return;
        }
        (core, quals) = CheckTypedef(core, quals);
        switch (core.Kind)
        {
            case CTypeKind.Function:
            case CTypeKind.Pointer:
            case CTypeKind.Array:
            {
                if (core.Target is null)
                {
                    w.Append("<unknown return type>");
                    return;
                }
                var (target, tq) = Peel(core.Target);
                PrintBase(w, target, tq, show, level);
                return;
            }
            case CTypeKind.Struct or CTypeKind.Union or CTypeKind.Class:
                PrintStruct(w, core, quals, show, level);
                return;
            case CTypeKind.Enum:
                PrintEnum(w, core, quals, show);
                return;
            case CTypeKind.Void:
                Modifier(w, quals, false, true);
                w.Append(core.Name ?? "void");
                return;
            case CTypeKind.Typedef:
                w.Append("<unnamed typedef>");
                return;
            default:
                Modifier(w, quals, false, true);
                w.Append(core.Name is { } n ? BaseTypeNames.Canonical(n) : "<invalid type>");
                return;
        }
    }

    static void PrintStruct(Writer w, CType type, Quals quals, int show, int level)
    {
        Modifier(w, quals, false, true);
        w.Append(type.Kind switch { CTypeKind.Union => "union ", CTypeKind.Class => "class ", _ => "struct " });
        if (type.Name is { } name)
        {
            w.Append(name);
            if (show > 0) w.Append(' ');
        }
        if (show < 0)
        {
            if (type.Name is null) w.Append("{...}");
            return;
        }
        if (show == 0 && type.Name is not null) return;
        w.Append('{');
        w.EndLine();
        var members = type.Members;
        if (members.Count == 0)
        {
            w.Append(new string(' ', level + 4));
            w.Append(type.IsComplete ? "<no data fields>" : "<incomplete type>");
            w.EndLine();
        }
        foreach (var m in members)
        {
            w.Append(new string(' ', level + 4));
            // gdb lowers the detail level for every member; crash's gdb keeps it for an unnamed
            // (anonymous struct/union) member, so nested anonymous members are all expanded while
            // a named member of an anonymous type deeper down prints as "struct {...} x".
            PrintType(w, m.Type, m.Name ?? "", m.Name is null ? show : show - 1, level + 4);
            if (m.IsBitField) w.Append(" : " + m.BitSize.ToString(CultureInfo.InvariantCulture));
            w.Append(';');
            w.EndLine(m.Name);
        }
        w.Append(new string(' ', level));
        w.Append('}');
    }

    static void PrintEnum(Writer w, CType type, Quals quals, int show)
    {
        Modifier(w, quals, false, true);
        w.Append("enum ");
        if (type.Name is { } name)
        {
            w.Append(name);
            if (show > 0) w.Append(' ');
        }
        if (show < 0)
        {
            if (type.Name is null) w.Append("{...}");
            return;
        }
        if (show <= 0 && type.Name is not null) return;
        w.Append('{');
        long last = 0;
        for (var i = 0; i < type.Enumerators.Count; i++)
        {
            var e = type.Enumerators[i];
            if (i > 0) w.Append(", ");
            w.Append(e.Name);
            if (e.Value != last)
            {
                w.Append(" = " + e.Value.ToString(CultureInfo.InvariantCulture));
                last = e.Value;
            }
            last++;
        }
        w.Append('}');
    }

    static void VarspecPrefix(Writer w, CType type, Quals quals, int show, bool passedPointer, bool needPostSpace)
    {
        if (NameOf(type) is not null && show <= 0) return;
        switch (type.Kind)
        {
            case CTypeKind.Pointer:
            {
                var (target, tq) = Peel(type.Target!);
                VarspecPrefix(w, target, tq, show, true, true);
                w.Append('*');
                Modifier(w, quals, true, needPostSpace);
                break;
            }
            case CTypeKind.Function:
            case CTypeKind.Array:
            {
                var (target, tq) = Peel(type.Target!);
                VarspecPrefix(w, target, tq, show, false, false);
                if (passedPointer) w.Append('(');
                break;
            }
            case CTypeKind.Typedef:
            {
                var (target, tq) = Peel(type.Target!);
                VarspecPrefix(w, target, tq, show, passedPointer, false);
                break;
            }
        }
    }

    static void VarspecSuffix(Writer w, CType type, int show, bool passedPointer, bool demangledArgs)
    {
        if (NameOf(type) is not null && show <= 0) return;
        switch (type.Kind)
        {
            case CTypeKind.Array:
            {
                if (passedPointer) w.Append(')');
                var count = type.Count is { } c ? c.ToString(CultureInfo.InvariantCulture) : "";
                w.Append(type.IsVector ? $" __attribute__ ((vector_size({count})))" : $"[{count}]");
                VarspecSuffix(w, Peel(type.Target!).Core, show, false, false);
                break;
            }
            case CTypeKind.Pointer:
                VarspecSuffix(w, Peel(type.Target!).Core, show, true, false);
                break;
            case CTypeKind.Function:
                if (passedPointer) w.Append(')');
                if (!demangledArgs) Arguments(w, type);
                VarspecSuffix(w, Peel(type.Target!).Core, show, passedPointer, false);
                break;
            case CTypeKind.Typedef:
                VarspecSuffix(w, Peel(type.Target!).Core, show, passedPointer, false);
                break;
        }
    }

    static void Arguments(Writer w, CType function)
    {
        w.Append('(');
        var printed = false;
        foreach (var p in function.Parameters)
        {
            if (printed) w.Append(", ");
            PrintType(w, p.Type, "", 0, 0);
            printed = true;
        }
        if (printed && function.IsVariadic) w.Append(", ...");
        else if (!printed && function.IsPrototyped) w.Append("void");
        w.Append(')');
    }
}
