using System.Globalization;
using KdumpDebug.Core.Errors;
using KdumpDebug.Dap.Protocol;
using KdumpDebug.Debuginfo.Cfi;
using KdumpDebug.Debuginfo.Dwarf;
using KdumpDebug.Debuginfo.Types;
using KdumpDebug.Expressions;
using KdumpDebug.Kernel;
using KdumpDebug.Target;
using KdumpDebug.Target.Frames;
using KdumpDebug.Target.Objects;
using ExprValueFormat = KdumpDebug.Expressions.ValueFormat;

namespace KdumpDebug.Dap.Session;

/// <summary>
/// Turns typed values into DAP <see cref="Variable"/>s and expands them lazily (ARCHITECTURE.md
/// "DAP mapping"): structs and unions by member (anonymous ones as <c>&lt;anonymous union&gt;</c>),
/// arrays through <c>indexedVariables</c> paged by <c>start</c>/<c>count</c>, pointers to their target
/// (a pointer to a struct lists the struct's members directly), <c>char[]</c>/<c>char *</c> as strings,
/// enums by name and bit fields (gdb's formatting, <see cref="ValueFormatter"/>), function pointers as
/// <c>0x... &lt;symbol+off&gt;</c>, kernel-aware views (<see cref="KernelValueViews"/>) with a
/// <c>[raw]</c> child, and <c>memoryReference</c> on every value in memory (for a pointer, the address
/// it holds). A value that cannot be read (optimized out, excluded page) shows why in its value text.
/// <para>Cost: listing children reads each child's scalar value (one page-cache hit each); aggregates
/// are summarised as <c>{...}</c> and read only when expanded. Thread-safe.</para>
/// </summary>
internal sealed class VariableTree(KernelTarget target)
{
    /// <summary>Arrays with at most this many scalar elements are also printed inline in the value text.</summary>
    const int InlineArrayLimit = 16;

    /// <summary>Ids of scopes and expandable values, valid for the session.</summary>
    public DapHandleTable<VariableNode> Handles { get; } = new();

    /// <summary>The reference a client uses to expand <paramref name="node"/>.</summary>
    public int Reference(VariableNode node) => Handles.IdOf(node);

    /// <summary>The node of a reference, or a request error naming the id.</summary>
    public VariableNode Node(int reference) =>
        Handles.TryGetKey(reference, out var node) ? node
            : throw new Transport.DapRequestException($"variablesReference {reference} does not exist (it comes from scopes, variables or evaluate)");

    /// <summary>The children of <paramref name="node"/>: for an array only the <c>start</c>/<c>count</c> page asked for.</summary>
    public List<Variable> Children(VariableNode node, long? start, long? count, bool hex, CancellationToken token) =>
        Children(node, start, count, new ValueFormatter(target, hex ? ExprValueFormat.Hex : ExprValueFormat.Natural), token);

    List<Variable> Children(VariableNode node, long? start, long? count, ValueFormatter formatter, CancellationToken token)
    {
        var result = new List<Variable>();
        switch (node)
        {
            case ScopeNode scope:
                ScopeChildren(scope, start, count, formatter, result, token);
                break;
            case EntriesNode entries:
                if (entries.Problem is not null)
                    result.Add(new Variable { Name = "[problem]", Value = entries.Problem, VariablesReference = 0, PresentationHint = ReadOnly("virtual") });
                foreach (var (name, value, evaluateName) in Page(entries.Entries, start, count))
                    result.Add(ToVariable(name, value, evaluateName, formatter));
                result.Add(ToVariable("[raw]", entries.RawOf.Value, entries.RawOf.EvaluateName, formatter, raw: true, hint: "virtual"));
                break;
            case ValueNode value:
                ValueChildren(value, start, count, formatter, result, token);
                break;
        }
        return result;
    }

    static IEnumerable<T> Page<T>(IReadOnlyList<T> items, long? start, long? count)
    {
        foreach (var i in PageIndices(items.Count, start, count)) yield return items[i];
    }

    /// <summary>The indices of the <c>start</c>/<c>count</c> page of <paramref name="total"/> children (all of them without a count).</summary>
    static IEnumerable<int> PageIndices(int total, long? start, long? count)
    {
        var first = (int)Math.Clamp(start ?? 0, 0, total);
        var n = count is long c && c > 0 ? (int)Math.Min(c, total - first) : total - first;
        for (var i = first; i < first + n; i++) yield return i;
    }

    void ScopeChildren(ScopeNode scope, long? start, long? count, ValueFormatter formatter, List<Variable> result, CancellationToken token)
    {
        var frame = scope.Frame;
        switch (scope.Kind)
        {
            case FrameScopeKind.Arguments:
                foreach (var p in frame.Parameters) result.Add(ToVariable(p.Name, p.Value, p.Name, formatter));
                break;
            case FrameScopeKind.Locals:
                foreach (var l in frame.Locals) result.Add(ToVariable(l.Name, l.Value, l.Name, formatter));
                break;
            case FrameScopeKind.Registers:
                for (var i = 0; i < UnwindRegisters.Count; i++)
                {
                    var register = (UnwindRegister)i;
                    var known = frame.Registers.TryGet(register, out var v);
                    result.Add(new Variable
                    {
                        Name = UnwindRegisters.Name(register),
                        Value = known ? $"0x{v:x16}" : "<not available>",
                        Type = "unsigned long",
                        VariablesReference = 0,
                        PresentationHint = ReadOnly(null),
                        MemoryReference = known && register is UnwindRegister.Rsp or UnwindRegister.Rip or UnwindRegister.Rbp ? $"0x{v:x}" : null,
                    });
                }
                break;
            case FrameScopeKind.Globals:
                foreach (var (name, value) in Page(UnitGlobals(frame, token), start, count)) result.Add(ToVariable(name, value, name, formatter));
                break;
            case FrameScopeKind.PerCpu:
            {
                // Thousands on a distribution kernel: only the page asked for is typed and read.
                var variables = LinuxKernel.For(target).PerCpuVariables;
                foreach (var i in PageIndices(variables.Count, start, count))
                {
                    token.ThrowIfCancellationRequested();
                    var value = variables.ValueOn(i, scope.Cpu);
                    result.Add(ToVariable(variables.NameOf(i), value, AddressExpression(value), formatter));
                }
                break;
            }
        }
    }

    /// <summary>
    /// A C expression for a value known only by its address (a per-CPU copy, which no name reaches):
    /// <c>*(struct rq *)0x...</c>; null for arrays, values in no memory, and types without a name to cast to.
    /// </summary>
    static string? AddressExpression(TargetObject value)
    {
        if (value.IsAbsent || value.Address is not ulong address || value.IsBitField) return null;
        if (value.UnderlyingType.Kind is CTypeKind.Array or CTypeKind.Function) return null;
        var pointer = TypeSystem.NameOf(value.Types.PointerTo(value.Type));
        return pointer.Contains('{') ? null : $"*({pointer})0x{address:x}";
    }

    /// <summary>The variables defined at the top level of the frame's compilation unit (globals and file statics), by name.</summary>
    List<(string Name, TargetObject Value)> UnitGlobals(FrameVariables frame, CancellationToken token)
    {
        var subprogram = frame.Frame.Subprogram;
        if (subprogram.IsNull) return [];
        // A module frame's unit is the module's: its own types, and addresses already at run time.
        var types = frame.Types;
        var list = new List<(string Name, TargetObject Value)>();
        foreach (var die in subprogram.Unit.Root.Children)
        {
            token.ThrowIfCancellationRequested();
            if (die.Tag != DwTag.Variable || !die.Has(DwAt.Location)) continue;
            GlobalVariable variable;
            try { variable = types.VariableOf(die); }
            catch (KdumpDebugException) { continue; }
            if (variable.Address is not ulong link || variable.Name.Length == 0) continue;
            list.Add((variable.Name, TargetObject.AtAddress(target, types, variable.Type, frame.RelocateAddress(link))));
        }
        return [.. list.OrderBy(v => v.Name, StringComparer.Ordinal)];
    }

    void ValueChildren(ValueNode node, long? start, long? count, ValueFormatter formatter, List<Variable> result, CancellationToken token)
    {
        var value = node.Value;
        if (value.IsAbsent) return;
        var type = value.UnderlyingType;
        if (!node.Raw && KernelValueViews.ViewOf(value.Type) is { } view && type.Kind != CTypeKind.Pointer)
        {
            // Only entry views reach here (the others point straight at their raw node).
            var entries = KernelValueViews.Entries(view, value, node.Container, node.MemberName, out var problem);
            var entriesNode = new EntriesNode(entries, problem, node with { Raw = true });
            result.AddRange(Children(entriesNode, start, count, formatter, token));
            return;
        }
        switch (type.Kind)
        {
            case CTypeKind.Struct or CTypeKind.Union or CTypeKind.Class:
                foreach (var member in type.Members)
                {
                    token.ThrowIfCancellationRequested();
                    TargetObject child;
                    try { child = value.MemberAt(member, member.BitOffset); }
                    catch (KdumpDebugException e)
                    {
                        result.Add(new Variable { Name = member.Name ?? "<anonymous>", Value = $"<error: {DapServerOneLine(e.Message)}>", VariablesReference = 0 });
                        continue;
                    }
                    if (member.Name is null)
                    {
                        // C reaches an anonymous member's members directly: they keep the parent's expression.
                        var kind = member.Type.Unqualified().Kind == CTypeKind.Union ? "union" : "struct";
                        var through = node.ViaPointer && node.EvaluateName is not null ? "*" + Parenthesise(node.EvaluateName) : node.EvaluateName;
                        result.Add(ToVariable($"<anonymous {kind}>", child, through, formatter, container: type, hint: "virtual"));
                    }
                    else
                        result.Add(ToVariable(member.Name, child, Join(node.EvaluateName, (node.ViaPointer ? "->" : ".") + member.Name), formatter, container: type, memberName: member.Name));
                }
                break;
            case CTypeKind.Array:
            {
                var length = (long)Math.Min(type.Count ?? 0, int.MaxValue);
                var first = Math.Clamp(start ?? 0, 0, length);
                var n = count is long c && c > 0 ? Math.Min(c, length - first) : length - first;
                for (var i = first; i < first + n; i++)
                {
                    token.ThrowIfCancellationRequested();
                    TargetObject element;
                    try { element = value.Index(i); }
                    catch (KdumpDebugException e)
                    {
                        result.Add(new Variable { Name = $"[{i}]", Value = $"<error: {DapServerOneLine(e.Message)}>", VariablesReference = 0 });
                        continue;
                    }
                    result.Add(ToVariable($"[{i}]", element, Join(node.EvaluateName, $"[{i}]"), formatter));
                }
                break;
            }
            case CTypeKind.Pointer:
            {
                TargetObject pointee;
                try { pointee = value.Dereference(); }
                catch (KdumpDebugException e)
                {
                    result.Add(new Variable { Name = "*", Value = $"<error: {DapServerOneLine(e.Message)}>", VariablesReference = 0 });
                    break;
                }
                var deref = node.EvaluateName is null ? null : $"*{Parenthesise(node.EvaluateName)}";
                if (pointee.UnderlyingType.IsStructLike && KernelValueViews.ViewOf(pointee.Type) is null)
                {
                    // A pointer to a struct lists the struct's members (gdb's p *ptr, one click less).
                    ValueChildren(new ValueNode(pointee, node.EvaluateName, ViaPointer: true), start, count, formatter, result, token);
                }
                else result.Add(ToVariable(deref ?? "*", pointee, deref, formatter));
                break;
            }
        }
    }

    static string Parenthesise(string expression) =>
        expression.All(c => char.IsLetterOrDigit(c) || c is '_' or '.' or '[' or ']') ? expression : $"({expression})";

    static string? Join(string? parent, string suffix) => parent is null ? null : Parenthesise(parent) + suffix;

    static string DapServerOneLine(string message) => Transport.DapServer.OneLine(message);

    static VariablePresentationHint ReadOnly(string? kind) => new() { Kind = kind, Attributes = ["readOnly"] };

    /// <summary>
    /// A value as a DAP variable: its text, its type, a reference when it has children, the page
    /// size for arrays, and a memory reference. Never throws for unreadable memory: the text says why.
    /// </summary>
    public Variable ToVariable(string name, TargetObject value, string? evaluateName, ValueFormatter formatter,
        CType? container = null, string? memberName = null, bool raw = false, string? hint = null)
    {
        var (text, reference, indexed, named) = Describe(value, evaluateName, formatter, container, memberName, raw);
        return new Variable
        {
            Name = name,
            Value = text,
            Type = TypeSystem.NameOf(value.Type),
            EvaluateName = evaluateName,
            VariablesReference = reference,
            IndexedVariables = indexed,
            NamedVariables = named,
            MemoryReference = MemoryReference(value),
            PresentationHint = ReadOnly(hint ?? (value.UnderlyingType.Kind == CTypeKind.Function ? "method" : null)),
        };
    }

    /// <summary>For a pointer, the address it holds; otherwise the value's own address; null for values in no memory.</summary>
    static string? MemoryReference(TargetObject value)
    {
        if (value.IsAbsent) return null;
        if (value.UnderlyingType.Kind == CTypeKind.Pointer)
        {
            try { return $"0x{value.ReadUnsigned():x}"; }
            catch (KdumpDebugException) { return null; }
        }
        return value.Address is ulong a && !value.IsBitField ? $"0x{a:x}" : null;
    }

    /// <summary>The value text, the child reference (0: none), and the indexed/named child counts.</summary>
    public (string Text, int Reference, int? Indexed, int? Named) Describe(TargetObject value, string? evaluateName, ValueFormatter formatter,
        CType? container = null, string? memberName = null, bool raw = false)
    {
        if (value.IsAbsent) return ($"<{value.AbsentReason}>", 0, null, null);
        var type = value.UnderlyingType;
        try
        {
            if (!raw && KernelValueViews.ViewOf(value.Type) is { } view && type.Kind != CTypeKind.Pointer)
            {
                var summary = KernelValueViews.Summary(view, value);
                var rawNode = new ValueNode(value, evaluateName, container, memberName, Raw: true);
                var reference = KernelValueViews.HasEntries(view)
                    ? Reference(new ValueNode(value, evaluateName, container, memberName))
                    : Reference(new EntriesNode([], null, rawNode));
                return (summary, reference, null, null);
            }
            switch (type.Kind)
            {
                case CTypeKind.Struct or CTypeKind.Union or CTypeKind.Class:
                    return ("{...}", Reference(new ValueNode(value, evaluateName, container, memberName, raw)), null, type.Members.Count);
                case CTypeKind.Array:
                {
                    var length = (int)Math.Min(type.Count ?? 0, int.MaxValue);
                    var element = type.Target!.Unqualified();
                    string text;
                    if (element.IsCharacter && element.Size == 1) text = CString(value.ReadBytes());
                    else if (element.IsScalar && length <= InlineArrayLimit) text = formatter.Format(value, 0);
                    else text = $"{TypeSystem.NameOf(type.Target!)} [{length}]";
                    return (text, length == 0 ? 0 : Reference(new ValueNode(value, evaluateName)), length, null);
                }
                case CTypeKind.Pointer:
                {
                    var text = formatter.Format(value, 0);
                    var pointee = type.Target?.Unqualified();
                    var address = value.ReadUnsigned();
                    // A char * into user space or an excluded page: the address alone, not gdb's <error: ...> after it.
                    if (pointee is { IsCharacter: true } && text.Contains(" <error: ", StringComparison.Ordinal)) text = formatter.Pointer(address);
                    var expandable = address != 0 && pointee is not null && pointee.Kind is not (CTypeKind.Void or CTypeKind.Function) && pointee.Size is > 0;
                    return (text, expandable ? Reference(new ValueNode(value, evaluateName)) : 0, null, null);
                }
                case CTypeKind.Function:
                    return (formatter.Pointer(value.Address ?? 0), 0, null, null);
                default:
                    return (formatter.Format(value, 0), 0, null, null);
            }
        }
        catch (KdumpDebugException e)
        {
            var message = DapServerOneLine(e.Message);
            return (e is PageExcludedException || message.StartsWith("page excluded", StringComparison.Ordinal) ? $"<excluded from the dump: {message}>" : $"<error: {message}>", 0, null, null);
        }
    }

    /// <summary>
    /// A char array as the C string it holds: up to the first NUL (a kernel buffer is mostly the
    /// zeros after its text), quoted, with C escapes for quotes, backslashes and control bytes.
    /// </summary>
    internal static string CString(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.IndexOf((byte)0);
        if (end >= 0) bytes = bytes[..end];
        var sb = new System.Text.StringBuilder(bytes.Length + 2).Append('"');
        foreach (var b in bytes)
        {
            switch (b)
            {
                case (byte)'"': sb.Append("\\\""); break;
                case (byte)'\\': sb.Append("\\\\"); break;
                case (byte)'\n': sb.Append("\\n"); break;
                case (byte)'\t': sb.Append("\\t"); break;
                case < 0x20 or >= 0x7f: sb.Append('\\').Append(Convert.ToString(b, 8).PadLeft(3, '0')); break;
                default: sb.Append((char)b); break;
            }
        }
        return sb.Append('"').ToString();
    }

    /// <summary>The number of children a scope has (for <see cref="Scope.NamedVariables"/>).</summary>
    public int ScopeCount(FrameVariables frame, FrameScopeKind kind) => kind switch
    {
        FrameScopeKind.Arguments => frame.Parameters.Count,
        FrameScopeKind.Locals => frame.Locals.Count,
        FrameScopeKind.Registers => UnwindRegisters.Count,
        FrameScopeKind.PerCpu => LinuxKernel.For(target).PerCpuVariables.Count,
        _ => 0,
    };

    internal static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
