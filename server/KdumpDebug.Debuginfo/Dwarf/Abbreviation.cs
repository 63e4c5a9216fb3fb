namespace KdumpDebug.Debuginfo.Dwarf;

/// <summary>One attribute specification of an abbreviation: name, form, and for DW_FORM_implicit_const its value.</summary>
public readonly record struct AttributeSpec(DwAt Name, DwForm Form, long ImplicitConst);

/// <summary>
/// One abbreviation declaration (DWARF 5 §7.5.3): the tag, whether DIEs using it have children,
/// and the attribute specifications in order. Immutable; shared by every DIE with its code.
/// </summary>
public sealed class Abbreviation
{
    /// <summary>The abbreviation code DIEs refer to.</summary>
    public ulong Code { get; }
    public DwTag Tag { get; }
    public bool HasChildren { get; }
    public IReadOnlyList<AttributeSpec> Attributes => _attributes;

    readonly AttributeSpec[] _attributes;

    /// <summary>
    /// Bytes every DIE of this abbreviation takes after its code when all its forms have a fixed
    /// size for the unit's address and offset size, else -1 (then attributes are walked one by one).
    /// </summary>
    internal int FixedSize { get; }

    /// <summary>Index in <see cref="Attributes"/> of DW_AT_sibling, or -1.</summary>
    internal int SiblingIndex { get; }

    internal ReadOnlySpan<AttributeSpec> AttributeSpan => _attributes;

    internal Abbreviation(ulong code, DwTag tag, bool hasChildren, AttributeSpec[] attributes, int fixedSize)
    {
        Code = code;
        Tag = tag;
        HasChildren = hasChildren;
        _attributes = attributes;
        FixedSize = fixedSize;
        SiblingIndex = Array.FindIndex(attributes, a => a.Name == DwAt.Sibling);
    }

    /// <summary>True when the abbreviation lists <paramref name="name"/>.</summary>
    public bool Has(DwAt name)
    {
        foreach (var a in _attributes)
            if (a.Name == name) return true;
        return false;
    }
}
