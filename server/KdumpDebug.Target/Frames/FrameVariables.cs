using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Dwarf;
using KdumpDebug.Debuginfo.Types;
using KdumpDebug.Target.Modules;
using KdumpDebug.Target.Objects;
using KdumpDebug.Target.Unwind;

namespace KdumpDebug.Target.Frames;

/// <summary>
/// The parameters and local variables of one logical frame (a function, or one inlined into it), as
/// gdb and drgn show them: the DW_TAG_formal_parameter and DW_TAG_variable children of the frame's
/// DW_TAG_subprogram or DW_TAG_inlined_subroutine, and of the DW_TAG_lexical_blocks among them whose
/// ranges hold the frame's code address, in DIE order (a block's variables after the enclosing
/// scope's). Names and types follow DW_AT_abstract_origin. Values come from DW_AT_location (an
/// expression or a location list entry covering the pc; <see cref="LocationEvaluator"/>) or
/// DW_AT_const_value; without either the variable is optimized out.
/// <para>
/// Only registers the unwinder recovered for the frame are used: in an outer frame the caller-saved
/// ones are unknown, so a variable living in one is "not available". DW_OP_entry_value is answered
/// from the caller's DW_TAG_call_site (<see cref="CallSites"/>).
/// </para>
/// <para>Cost: one pass over the scope's DIE subtree when created (a few hundred DIEs); each value
/// is evaluated on first use. Frames of a module without a debug file, or code DWARF does not
/// describe, have no variables. Thread-safe.</para>
/// <para>
/// A module frame (its debug file attached: --modules, <c>mod -s</c>) is described by the module's
/// own DWARF, relocated to where the module's sections were loaded, and typed by the module's
/// <see cref="ModuleDebugInfo.Types"/>; its addresses need no KASLR slide.
/// </para>
/// </summary>
public sealed class FrameVariables
{
    /// <summary>Nested lexical blocks deeper than this are ignored (corrupt input).</summary>
    const int MaxBlockDepth = 32;

    readonly FrameLocationContext? _context;
    readonly KernelTarget _target;
    readonly bool _inVmlinux;

    FrameVariables(KernelTarget target, LogicalFrame frame, TypeSystem types, bool inVmlinux,
        IReadOnlyList<FrameVariable> parameters, IReadOnlyList<FrameVariable> locals, FrameLocationContext? context)
    {
        _target = target;
        Frame = frame;
        Types = types;
        _inVmlinux = inVmlinux;
        Parameters = parameters;
        Locals = locals;
        _context = context;
    }

    /// <summary>The frame these variables belong to.</summary>
    public LogicalFrame Frame { get; }

    /// <summary>Formal parameters in declaration order.</summary>
    public IReadOnlyList<FrameVariable> Parameters { get; }

    /// <summary>Local variables in scope at the pc (static locals included), outer scopes first.</summary>
    public IReadOnlyList<FrameVariable> Locals { get; }

    /// <summary>
    /// The type system of the DWARF describing the frame: the vmlinux's, or for a module frame the
    /// module's own (<see cref="ModuleDebugInfo.Types"/>); the variables' types belong to it.
    /// </summary>
    public TypeSystem Types { get; }

    /// <summary>
    /// The run-time address of an address from the frame's DWARF (DW_OP_addr of a unit-level
    /// variable): slid by KASLR for the vmlinux; a module's DWARF is already at run-time addresses.
    /// </summary>
    public ulong RelocateAddress(ulong dwarfAddress) => _inVmlinux ? _target.RelocateLinkAddress(dwarfAddress) : dwarfAddress;

    /// <summary>The registers the unwinder recovered for the frame (all of them for the innermost frame).</summary>
    public RegisterSet Registers => Frame.Physical.Registers;

    /// <summary>
    /// Evaluates a location expression (of the frame's DWARF) in this frame: its registers, CFA,
    /// frame base and caller. For a frame DWARF does not describe, every register is still usable.
    /// </summary>
    public DwarfLocation EvaluateLocation(ReadOnlyMemory<byte> expression) =>
        LocationEvaluator.Evaluate(expression, 8, 4, _context ?? throw new InvalidOperationException("the frame has no DWARF scope"));

    /// <summary>A local (innermost block first) or parameter named <paramref name="name"/>.</summary>
    public bool TryLookup(string name, out FrameVariable variable)
    {
        FrameVariable? best = null;
        foreach (var local in Locals)
            if (local.Name == name && (best is null || local.BlockDepth >= best.BlockDepth)) best = local;
        best ??= Parameters.FirstOrDefault(p => p.Name == name);
        variable = best!;
        return best is not null;
    }

    /// <summary>
    /// The variables of logical frame <paramref name="index"/> of <paramref name="frames"/> (the whole
    /// stack, innermost first: the caller of a frame is needed for DW_OP_entry_value).
    /// </summary>
    public static FrameVariables For(KernelTarget target, IReadOnlyList<LogicalFrame> frames, int index)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, frames.Count);
        var frame = frames[index];
        if (frame.Scope.IsNull || !TryGetTypes(target, frame, out var types, out var inVmlinux))
            return new FrameVariables(target, frame, target.Vmlinux.Types, true, [], [], null);
        var context = new FrameLocationContext(target, frames, index, 0);
        var parameters = new List<FrameVariable>();
        var locals = new List<FrameVariable>();
        try
        {
            Collect(target, types, context, frame.Scope, frame.DwarfAddress, 0, parameters, locals);
        }
        catch (KdumpDebugException)
        {
            // A corrupt subtree: the variables found before it are still shown.
        }
        return new FrameVariables(target, frame, types, inVmlinux, parameters, locals, context);
    }

    /// <summary>
    /// The type system of the DWARF the frame's scope DIE comes from: the vmlinux's, or the module's
    /// whose debug file (as attached now) holds it. False when neither does (no DWARF, or a module
    /// debug file replaced since the frame was expanded).
    /// </summary>
    internal static bool TryGetTypes(KernelTarget target, LogicalFrame frame, out TypeSystem types, out bool inVmlinux)
    {
        var dwarf = frame.Scope.Unit.Dwarf;
        inVmlinux = ReferenceEquals(dwarf, target.Vmlinux.Dwarf);
        if (inVmlinux)
        {
            types = target.Vmlinux.Types;
            return types.HasDebugInfo;
        }
        // The frame was expanded from a module's DWARF (InlineFrameExpander): the module holding its code address.
        if (target.Modules.FindModule(frame.DwarfAddress)?.DebugInfo is { } module && ReferenceEquals(module.Dwarf, dwarf))
        {
            types = module.Types;
            return types.HasDebugInfo;
        }
        types = null!;
        return false;
    }

    static void Collect(KernelTarget target, TypeSystem types, FrameLocationContext context, Die scope, ulong pc, int depth,
        List<FrameVariable> parameters, List<FrameVariable> locals)
    {
        if (depth > MaxBlockDepth || !scope.HasChildren) return;
        foreach (var child in scope.Children)
        {
            var tag = child.Tag;
            if (tag is DwTag.FormalParameter or DwTag.Variable)
            {
                // An extern declaration inside a function names a global, not a local.
                if (tag == DwTag.Variable && child.GetFlag(DwAt.Declaration)) continue;
                if (!child.TryGetAttributeFollowingOrigins(DwAt.Name, out var n)) continue;
                var name = n.AsString();
                var type = types.TypeOfAttribute(child);
                var die = child;
                var variable = new FrameVariable(name, type, tag == DwTag.FormalParameter, child, depth,
                    () => ValueOf(target, types, context, die, type, pc));
                (tag == DwTag.FormalParameter && depth == 0 ? parameters : locals).Add(variable);
            }
            else if (tag == DwTag.LexicalBlock)
            {
                var ranges = RangeLists.ForDie(child);
                if (ranges.Count > 0 && !ranges.Exists(r => r.Contains(pc))) continue;
                Collect(target, types, context, child, pc, depth + 1, parameters, locals);
            }
        }
    }

    /// <summary>The value of a variable DIE at <paramref name="pc"/>; never throws for bad DWARF or memory: the reason becomes the absent value's.</summary>
    static TargetObject ValueOf(KernelTarget target, TypeSystem types, FrameLocationContext context, Die die, CType type, ulong pc)
    {
        try
        {
            if (die.TryGetAttribute(DwAt.Location, out var location))
            {
                ReadOnlyMemory<byte> expression;
                if (location.Class is AttributeClass.ExprLoc or AttributeClass.Block) expression = location.Memory;
                else
                {
                    var entry = LocationLists.Read(location).FirstOrDefault(e => e.Contains(pc));
                    if (entry.Expression.IsEmpty) return TargetObject.Absent(target, types, type, "optimized out");
                    expression = entry.Expression;
                }
                var unit = die.Unit;
                var result = LocationEvaluator.Evaluate(expression, unit.AddressSize, unit.OffsetSize, context, unit.Dwarf.Path);
                return FrameLocationContext.ToObject(target, types, type, result);
            }
            if (die.TryGetAttributeFollowingOrigins(DwAt.ConstValue, out var constant))
                return ConstantObject(target, types, type, constant);
            return TargetObject.Absent(target, types, type, "optimized out");
        }
        catch (KdumpDebugException e)
        {
            return TargetObject.Absent(target, types, type, e.Message);
        }
    }

    /// <summary>DW_AT_const_value (DWARF 5 §4.1 item 10): an integer constant, a block of the object's bytes, or a string.</summary>
    static TargetObject ConstantObject(KernelTarget target, TypeSystem types, CType type, AttributeValue constant)
    {
        var size = (int)Math.Min(type.Unqualified().Size ?? 8, 1 << 20);
        switch (constant.Class)
        {
            case AttributeClass.Block or AttributeClass.ExprLoc:
            {
                var bytes = new byte[Math.Max(size, constant.Bytes.Length)];
                constant.Bytes.CopyTo(bytes);
                return TargetObject.FromBytes(target, types, type, bytes);
            }
            case AttributeClass.String:
            {
                var bytes = new byte[Math.Max(size, constant.StringBytes().Length + 1)];
                constant.StringBytes().CopyTo(bytes);
                return TargetObject.FromBytes(target, types, type, bytes);
            }
            default:
                return TargetObject.FromInteger(target, types, type, constant.IsSigned ? (ulong)constant.AsSigned() : constant.AsUnsigned());
        }
    }
}
