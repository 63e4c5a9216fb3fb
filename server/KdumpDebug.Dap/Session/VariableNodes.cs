using KdumpDebug.Debuginfo.Types;
using KdumpDebug.Target.Frames;
using KdumpDebug.Target.Objects;

namespace KdumpDebug.Dap.Session;

/// <summary>
/// What a <c>variablesReference</c> stands for: a scope of a frame, or a value whose children the
/// client may ask for. Records, so a <see cref="DapHandleTable{TKey}"/> gives the same id to the same
/// scope; value nodes hold their <see cref="TargetObject"/> (compared by reference), so each listing
/// of a parent hands out fresh ids for its children.
/// </summary>
internal abstract record VariableNode;

/// <summary>The scopes a frame offers (DAP <c>scopes</c>).</summary>
internal enum FrameScopeKind
{
    Arguments,
    Locals,
    Registers,
    /// <summary>The global and file-static variables of the frame's compilation unit.</summary>
    Globals,
    /// <summary>The vmlinux's per-CPU variables, as the CPU of the frame's task has them.</summary>
    PerCpu,
}

/// <summary>One scope of one frame; <paramref name="Cpu"/> is the frame's task's CPU (used by <see cref="FrameScopeKind.PerCpu"/>).</summary>
internal sealed record ScopeNode(FrameVariables Frame, FrameScopeKind Kind, int Cpu = -1) : VariableNode;

/// <summary>
/// The children of a value: members, elements, the pointee, or a kernel-aware view
/// (<see cref="KernelValueViews"/>) unless <paramref name="Raw"/>.
/// <paramref name="Container"/> and <paramref name="MemberName"/> say where the value was found
/// (a member of a struct of that type), which lets a <c>list_head</c> guess its entries' type.
/// </summary>
/// <paramref name="ViaPointer"/> marks a struct reached through a pointer whose expression is
/// <paramref name="EvaluateName"/>: its members are named <c>p-&gt;m</c>.
internal sealed record ValueNode(TargetObject Value, string? EvaluateName, CType? Container = null, string? MemberName = null, bool Raw = false, bool ViaPointer = false) : VariableNode;

/// <summary>The entries a kernel-aware view listed (list, hlist, rb-tree nodes), as values.</summary>
internal sealed record EntriesNode(IReadOnlyList<(string Name, TargetObject Value, string? EvaluateName)> Entries, string? Problem, ValueNode RawOf) : VariableNode;
