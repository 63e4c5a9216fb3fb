using KdumpDebug.Debuginfo.Dwarf;
using KdumpDebug.Debuginfo.Types;
using KdumpDebug.Target.Objects;

namespace KdumpDebug.Target.Frames;

/// <summary>
/// A parameter or local variable of one frame: its name and type (through DW_AT_abstract_origin for
/// inline and out-of-line instances) and its value, computed from DW_AT_location at the frame's pc on
/// first use (<see cref="Value"/>; thread-safe, cached). A value the compiler dropped, or that
/// needs a register the unwinder did not recover, is an absent <see cref="TargetObject"/> whose
/// <see cref="TargetObject.AbsentReason"/> says why.
/// </summary>
public sealed class FrameVariable
{
    readonly Lazy<TargetObject> _value;

    internal FrameVariable(string name, CType type, bool isParameter, Die die, int depth, Func<TargetObject> value)
    {
        Name = name;
        Type = type;
        IsParameter = isParameter;
        Die = die;
        BlockDepth = depth;
        _value = new Lazy<TargetObject>(value, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Name { get; }
    public CType Type { get; }

    /// <summary>True for a DW_TAG_formal_parameter.</summary>
    public bool IsParameter { get; }

    /// <summary>The DW_TAG_variable or DW_TAG_formal_parameter of the concrete instance.</summary>
    public Die Die { get; }

    /// <summary>How many DW_TAG_lexical_block levels the variable is nested in (0 = the function's own scope); inner ones shadow outer ones.</summary>
    public int BlockDepth { get; }

    /// <summary>The value (evaluated once, on first use).</summary>
    public TargetObject Value => _value.Value;

    public override string ToString() => $"{TypeSystem.NameOf(Type)} {Name}";
}
