namespace KdumpDebug.Debuginfo.Dwarf.Index;

/// <summary>
/// What a name in the <see cref="DwarfNameIndex"/> denotes. C keeps tags (struct/union/enum)
/// and ordinary identifiers (typedefs, variables, functions, enumerators) in separate name
/// spaces; the kind says which entry is which.
/// </summary>
public enum NameKind : byte
{
    /// <summary>DW_TAG_base_type (<c>int</c>, <c>long unsigned int</c>, <c>_Bool</c>...).</summary>
    BaseType,
    /// <summary>DW_TAG_structure_type with members.</summary>
    Struct,
    /// <summary>DW_TAG_union_type with members.</summary>
    Union,
    /// <summary>DW_TAG_class_type with members.</summary>
    Class,
    /// <summary>DW_TAG_enumeration_type with enumerators.</summary>
    Enum,
    /// <summary>DW_TAG_typedef.</summary>
    Typedef,
    /// <summary>A DW_TAG_structure_type with DW_AT_declaration (an incomplete <c>struct x;</c>).</summary>
    StructDeclaration,
    /// <summary>A DW_TAG_union_type with DW_AT_declaration.</summary>
    UnionDeclaration,
    /// <summary>A DW_TAG_class_type with DW_AT_declaration.</summary>
    ClassDeclaration,
    /// <summary>A DW_TAG_enumeration_type with DW_AT_declaration.</summary>
    EnumDeclaration,
    /// <summary>A unit-level DW_TAG_variable with a DW_AT_location (a definition).</summary>
    Variable,
    /// <summary>A unit-level DW_TAG_variable with DW_AT_declaration and no location (<c>extern</c>).</summary>
    VariableDeclaration,
    /// <summary>A unit-level DW_TAG_subprogram with code (DW_AT_low_pc or DW_AT_ranges).</summary>
    Function,
    /// <summary>A unit-level DW_TAG_subprogram with DW_AT_inline and no code (an abstract instance).</summary>
    InlineFunction,
    /// <summary>
    /// A DW_TAG_enumerator of a unit-level enumeration; the entry's DIE is the
    /// DW_TAG_enumeration_type (the enumerator is found among its children by name).
    /// </summary>
    Enumerator,
}

/// <summary>Sets of <see cref="NameKind"/> for lookups.</summary>
[Flags]
public enum NameKinds : uint
{
    None = 0,
    BaseType = 1u << NameKind.BaseType,
    Struct = 1u << NameKind.Struct,
    Union = 1u << NameKind.Union,
    Class = 1u << NameKind.Class,
    Enum = 1u << NameKind.Enum,
    Typedef = 1u << NameKind.Typedef,
    StructDeclaration = 1u << NameKind.StructDeclaration,
    UnionDeclaration = 1u << NameKind.UnionDeclaration,
    ClassDeclaration = 1u << NameKind.ClassDeclaration,
    EnumDeclaration = 1u << NameKind.EnumDeclaration,
    Variable = 1u << NameKind.Variable,
    VariableDeclaration = 1u << NameKind.VariableDeclaration,
    Function = 1u << NameKind.Function,
    InlineFunction = 1u << NameKind.InlineFunction,
    Enumerator = 1u << NameKind.Enumerator,
    /// <summary>Every kind.</summary>
    All = (1u << 15) - 1,
}
