namespace KdumpDebug.Debuginfo.Types;

/// <summary>What a <see cref="CType"/> is. Qualifiers are kinds of their own wrapping a target, as in DWARF.</summary>
public enum CTypeKind : byte
{
    /// <summary><c>void</c> (also a pointer's target when DWARF gives none).</summary>
    Void,
    /// <summary>An integer base type, characters included (see <see cref="CType.IsSigned"/>, <see cref="CType.IsCharacter"/>).</summary>
    Integer,
    /// <summary><c>_Bool</c>.</summary>
    Boolean,
    /// <summary>A floating-point base type (complex and imaginary included).</summary>
    Float,
    /// <summary>A pointer (C++ references read as pointers too).</summary>
    Pointer,
    /// <summary>An array; <see cref="CType.Count"/> is null for a flexible array member.</summary>
    Array,
    Struct,
    Union,
    Class,
    Enum,
    Typedef,
    /// <summary>A function type (prototyped or not), as in a pointer to function.</summary>
    Function,
    Const,
    Volatile,
    Restrict,
    /// <summary><c>_Atomic</c>.</summary>
    Atomic,
    /// <summary>DW_TAG_unspecified_type, or a DWARF type this model does not represent (pointer to member...).</summary>
    Unspecified,
}
