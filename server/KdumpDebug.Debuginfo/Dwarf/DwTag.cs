namespace KdumpDebug.Debuginfo.Dwarf;

/// <summary>
/// DIE tags (DWARF 5 §7.5.3, Table 7.3, plus GNU extensions): <c>StructureType</c> is DW_TAG_structure_type.
/// </summary>
public enum DwTag : ushort
{
    /// <summary><c>DW_TAG_array_type</c></summary>
    ArrayType = 0x1,
    /// <summary><c>DW_TAG_class_type</c></summary>
    ClassType = 0x2,
    /// <summary><c>DW_TAG_entry_point</c></summary>
    EntryPoint = 0x3,
    /// <summary><c>DW_TAG_enumeration_type</c></summary>
    EnumerationType = 0x4,
    /// <summary><c>DW_TAG_formal_parameter</c></summary>
    FormalParameter = 0x5,
    /// <summary><c>DW_TAG_imported_declaration</c></summary>
    ImportedDeclaration = 0x8,
    /// <summary><c>DW_TAG_label</c></summary>
    Label = 0xa,
    /// <summary><c>DW_TAG_lexical_block</c></summary>
    LexicalBlock = 0xb,
    /// <summary><c>DW_TAG_member</c></summary>
    Member = 0xd,
    /// <summary><c>DW_TAG_pointer_type</c></summary>
    PointerType = 0xf,
    /// <summary><c>DW_TAG_reference_type</c></summary>
    ReferenceType = 0x10,
    /// <summary><c>DW_TAG_compile_unit</c></summary>
    CompileUnit = 0x11,
    /// <summary><c>DW_TAG_string_type</c></summary>
    StringType = 0x12,
    /// <summary><c>DW_TAG_structure_type</c></summary>
    StructureType = 0x13,
    /// <summary><c>DW_TAG_subroutine_type</c></summary>
    SubroutineType = 0x15,
    /// <summary><c>DW_TAG_typedef</c></summary>
    Typedef = 0x16,
    /// <summary><c>DW_TAG_union_type</c></summary>
    UnionType = 0x17,
    /// <summary><c>DW_TAG_unspecified_parameters</c></summary>
    UnspecifiedParameters = 0x18,
    /// <summary><c>DW_TAG_variant</c></summary>
    Variant = 0x19,
    /// <summary><c>DW_TAG_common_block</c></summary>
    CommonBlock = 0x1a,
    /// <summary><c>DW_TAG_common_inclusion</c></summary>
    CommonInclusion = 0x1b,
    /// <summary><c>DW_TAG_inheritance</c></summary>
    Inheritance = 0x1c,
    /// <summary><c>DW_TAG_inlined_subroutine</c></summary>
    InlinedSubroutine = 0x1d,
    /// <summary><c>DW_TAG_module</c></summary>
    Module = 0x1e,
    /// <summary><c>DW_TAG_ptr_to_member_type</c></summary>
    PtrToMemberType = 0x1f,
    /// <summary><c>DW_TAG_set_type</c></summary>
    SetType = 0x20,
    /// <summary><c>DW_TAG_subrange_type</c></summary>
    SubrangeType = 0x21,
    /// <summary><c>DW_TAG_with_stmt</c></summary>
    WithStmt = 0x22,
    /// <summary><c>DW_TAG_access_declaration</c></summary>
    AccessDeclaration = 0x23,
    /// <summary><c>DW_TAG_base_type</c></summary>
    BaseType = 0x24,
    /// <summary><c>DW_TAG_catch_block</c></summary>
    CatchBlock = 0x25,
    /// <summary><c>DW_TAG_const_type</c></summary>
    ConstType = 0x26,
    /// <summary><c>DW_TAG_constant</c></summary>
    Constant = 0x27,
    /// <summary><c>DW_TAG_enumerator</c></summary>
    Enumerator = 0x28,
    /// <summary><c>DW_TAG_file_type</c></summary>
    FileType = 0x29,
    /// <summary><c>DW_TAG_friend</c></summary>
    Friend = 0x2a,
    /// <summary><c>DW_TAG_namelist</c></summary>
    Namelist = 0x2b,
    /// <summary><c>DW_TAG_namelist_item</c></summary>
    NamelistItem = 0x2c,
    /// <summary><c>DW_TAG_packed_type</c></summary>
    PackedType = 0x2d,
    /// <summary><c>DW_TAG_subprogram</c></summary>
    Subprogram = 0x2e,
    /// <summary><c>DW_TAG_template_type_parameter</c></summary>
    TemplateTypeParameter = 0x2f,
    /// <summary><c>DW_TAG_template_value_parameter</c></summary>
    TemplateValueParameter = 0x30,
    /// <summary><c>DW_TAG_thrown_type</c></summary>
    ThrownType = 0x31,
    /// <summary><c>DW_TAG_try_block</c></summary>
    TryBlock = 0x32,
    /// <summary><c>DW_TAG_variant_part</c></summary>
    VariantPart = 0x33,
    /// <summary><c>DW_TAG_variable</c></summary>
    Variable = 0x34,
    /// <summary><c>DW_TAG_volatile_type</c></summary>
    VolatileType = 0x35,
    /// <summary><c>DW_TAG_dwarf_procedure</c></summary>
    DwarfProcedure = 0x36,
    /// <summary><c>DW_TAG_restrict_type</c></summary>
    RestrictType = 0x37,
    /// <summary><c>DW_TAG_interface_type</c></summary>
    InterfaceType = 0x38,
    /// <summary><c>DW_TAG_namespace</c></summary>
    Namespace = 0x39,
    /// <summary><c>DW_TAG_imported_module</c></summary>
    ImportedModule = 0x3a,
    /// <summary><c>DW_TAG_unspecified_type</c></summary>
    UnspecifiedType = 0x3b,
    /// <summary><c>DW_TAG_partial_unit</c></summary>
    PartialUnit = 0x3c,
    /// <summary><c>DW_TAG_imported_unit</c></summary>
    ImportedUnit = 0x3d,
    /// <summary><c>DW_TAG_condition</c></summary>
    Condition = 0x3f,
    /// <summary><c>DW_TAG_shared_type</c></summary>
    SharedType = 0x40,
    /// <summary><c>DW_TAG_type_unit</c></summary>
    TypeUnit = 0x41,
    /// <summary><c>DW_TAG_rvalue_reference_type</c></summary>
    RvalueReferenceType = 0x42,
    /// <summary><c>DW_TAG_template_alias</c></summary>
    TemplateAlias = 0x43,
    /// <summary><c>DW_TAG_coarray_type</c></summary>
    CoarrayType = 0x44,
    /// <summary><c>DW_TAG_generic_subrange</c></summary>
    GenericSubrange = 0x45,
    /// <summary><c>DW_TAG_dynamic_type</c></summary>
    DynamicType = 0x46,
    /// <summary><c>DW_TAG_atomic_type</c></summary>
    AtomicType = 0x47,
    /// <summary><c>DW_TAG_call_site</c></summary>
    CallSite = 0x48,
    /// <summary><c>DW_TAG_call_site_parameter</c></summary>
    CallSiteParameter = 0x49,
    /// <summary><c>DW_TAG_skeleton_unit</c></summary>
    SkeletonUnit = 0x4a,
    /// <summary><c>DW_TAG_immutable_type</c></summary>
    ImmutableType = 0x4b,
    /// <summary><c>DW_TAG_GNU_template_template_param</c></summary>
    GnuTemplateTemplateParam = 0x4106,
    /// <summary><c>DW_TAG_GNU_template_parameter_pack</c></summary>
    GnuTemplateParameterPack = 0x4107,
    /// <summary><c>DW_TAG_GNU_formal_parameter_pack</c></summary>
    GnuFormalParameterPack = 0x4108,
    /// <summary><c>DW_TAG_GNU_call_site</c></summary>
    GnuCallSite = 0x4109,
    /// <summary><c>DW_TAG_GNU_call_site_parameter</c></summary>
    GnuCallSiteParameter = 0x410a,
}
