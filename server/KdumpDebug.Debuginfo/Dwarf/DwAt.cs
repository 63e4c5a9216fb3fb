namespace KdumpDebug.Debuginfo.Dwarf;

/// <summary>
/// Attribute names (DWARF 5 §7.5.4, Table 7.5, plus GNU extensions): <c>LowPc</c> is DW_AT_low_pc.
/// </summary>
public enum DwAt : ushort
{
    /// <summary><c>DW_AT_sibling</c></summary>
    Sibling = 0x1,
    /// <summary><c>DW_AT_location</c></summary>
    Location = 0x2,
    /// <summary><c>DW_AT_name</c></summary>
    Name = 0x3,
    /// <summary><c>DW_AT_ordering</c></summary>
    Ordering = 0x9,
    /// <summary><c>DW_AT_byte_size</c></summary>
    ByteSize = 0xb,
    /// <summary><c>DW_AT_bit_offset</c></summary>
    BitOffset = 0xc,
    /// <summary><c>DW_AT_bit_size</c></summary>
    BitSize = 0xd,
    /// <summary><c>DW_AT_stmt_list</c></summary>
    StmtList = 0x10,
    /// <summary><c>DW_AT_low_pc</c></summary>
    LowPc = 0x11,
    /// <summary><c>DW_AT_high_pc</c></summary>
    HighPc = 0x12,
    /// <summary><c>DW_AT_language</c></summary>
    Language = 0x13,
    /// <summary><c>DW_AT_discr</c></summary>
    Discr = 0x15,
    /// <summary><c>DW_AT_discr_value</c></summary>
    DiscrValue = 0x16,
    /// <summary><c>DW_AT_visibility</c></summary>
    Visibility = 0x17,
    /// <summary><c>DW_AT_import</c></summary>
    Import = 0x18,
    /// <summary><c>DW_AT_string_length</c></summary>
    StringLength = 0x19,
    /// <summary><c>DW_AT_common_reference</c></summary>
    CommonReference = 0x1a,
    /// <summary><c>DW_AT_comp_dir</c></summary>
    CompDir = 0x1b,
    /// <summary><c>DW_AT_const_value</c></summary>
    ConstValue = 0x1c,
    /// <summary><c>DW_AT_containing_type</c></summary>
    ContainingType = 0x1d,
    /// <summary><c>DW_AT_default_value</c></summary>
    DefaultValue = 0x1e,
    /// <summary><c>DW_AT_inline</c></summary>
    Inline = 0x20,
    /// <summary><c>DW_AT_is_optional</c></summary>
    IsOptional = 0x21,
    /// <summary><c>DW_AT_lower_bound</c></summary>
    LowerBound = 0x22,
    /// <summary><c>DW_AT_producer</c></summary>
    Producer = 0x25,
    /// <summary><c>DW_AT_prototyped</c></summary>
    Prototyped = 0x27,
    /// <summary><c>DW_AT_return_addr</c></summary>
    ReturnAddr = 0x2a,
    /// <summary><c>DW_AT_start_scope</c></summary>
    StartScope = 0x2c,
    /// <summary><c>DW_AT_bit_stride</c></summary>
    BitStride = 0x2e,
    /// <summary><c>DW_AT_upper_bound</c></summary>
    UpperBound = 0x2f,
    /// <summary><c>DW_AT_abstract_origin</c></summary>
    AbstractOrigin = 0x31,
    /// <summary><c>DW_AT_accessibility</c></summary>
    Accessibility = 0x32,
    /// <summary><c>DW_AT_address_class</c></summary>
    AddressClass = 0x33,
    /// <summary><c>DW_AT_artificial</c></summary>
    Artificial = 0x34,
    /// <summary><c>DW_AT_base_types</c></summary>
    BaseTypes = 0x35,
    /// <summary><c>DW_AT_calling_convention</c></summary>
    CallingConvention = 0x36,
    /// <summary><c>DW_AT_count</c></summary>
    Count = 0x37,
    /// <summary><c>DW_AT_data_member_location</c></summary>
    DataMemberLocation = 0x38,
    /// <summary><c>DW_AT_decl_column</c></summary>
    DeclColumn = 0x39,
    /// <summary><c>DW_AT_decl_file</c></summary>
    DeclFile = 0x3a,
    /// <summary><c>DW_AT_decl_line</c></summary>
    DeclLine = 0x3b,
    /// <summary><c>DW_AT_declaration</c></summary>
    Declaration = 0x3c,
    /// <summary><c>DW_AT_discr_list</c></summary>
    DiscrList = 0x3d,
    /// <summary><c>DW_AT_encoding</c></summary>
    Encoding = 0x3e,
    /// <summary><c>DW_AT_external</c></summary>
    External = 0x3f,
    /// <summary><c>DW_AT_frame_base</c></summary>
    FrameBase = 0x40,
    /// <summary><c>DW_AT_friend</c></summary>
    Friend = 0x41,
    /// <summary><c>DW_AT_identifier_case</c></summary>
    IdentifierCase = 0x42,
    /// <summary><c>DW_AT_macro_info</c></summary>
    MacroInfo = 0x43,
    /// <summary><c>DW_AT_namelist_item</c></summary>
    NamelistItem = 0x44,
    /// <summary><c>DW_AT_priority</c></summary>
    Priority = 0x45,
    /// <summary><c>DW_AT_segment</c></summary>
    Segment = 0x46,
    /// <summary><c>DW_AT_specification</c></summary>
    Specification = 0x47,
    /// <summary><c>DW_AT_static_link</c></summary>
    StaticLink = 0x48,
    /// <summary><c>DW_AT_type</c></summary>
    Type = 0x49,
    /// <summary><c>DW_AT_use_location</c></summary>
    UseLocation = 0x4a,
    /// <summary><c>DW_AT_variable_parameter</c></summary>
    VariableParameter = 0x4b,
    /// <summary><c>DW_AT_virtuality</c></summary>
    Virtuality = 0x4c,
    /// <summary><c>DW_AT_vtable_elem_location</c></summary>
    VtableElemLocation = 0x4d,
    /// <summary><c>DW_AT_allocated</c></summary>
    Allocated = 0x4e,
    /// <summary><c>DW_AT_associated</c></summary>
    Associated = 0x4f,
    /// <summary><c>DW_AT_data_location</c></summary>
    DataLocation = 0x50,
    /// <summary><c>DW_AT_byte_stride</c></summary>
    ByteStride = 0x51,
    /// <summary><c>DW_AT_entry_pc</c></summary>
    EntryPc = 0x52,
    /// <summary><c>DW_AT_use_UTF8</c></summary>
    UseUTF8 = 0x53,
    /// <summary><c>DW_AT_extension</c></summary>
    Extension = 0x54,
    /// <summary><c>DW_AT_ranges</c></summary>
    Ranges = 0x55,
    /// <summary><c>DW_AT_trampoline</c></summary>
    Trampoline = 0x56,
    /// <summary><c>DW_AT_call_column</c></summary>
    CallColumn = 0x57,
    /// <summary><c>DW_AT_call_file</c></summary>
    CallFile = 0x58,
    /// <summary><c>DW_AT_call_line</c></summary>
    CallLine = 0x59,
    /// <summary><c>DW_AT_description</c></summary>
    Description = 0x5a,
    /// <summary><c>DW_AT_binary_scale</c></summary>
    BinaryScale = 0x5b,
    /// <summary><c>DW_AT_decimal_scale</c></summary>
    DecimalScale = 0x5c,
    /// <summary><c>DW_AT_small</c></summary>
    Small = 0x5d,
    /// <summary><c>DW_AT_decimal_sign</c></summary>
    DecimalSign = 0x5e,
    /// <summary><c>DW_AT_digit_count</c></summary>
    DigitCount = 0x5f,
    /// <summary><c>DW_AT_picture_string</c></summary>
    PictureString = 0x60,
    /// <summary><c>DW_AT_mutable</c></summary>
    Mutable = 0x61,
    /// <summary><c>DW_AT_threads_scaled</c></summary>
    ThreadsScaled = 0x62,
    /// <summary><c>DW_AT_explicit</c></summary>
    Explicit = 0x63,
    /// <summary><c>DW_AT_object_pointer</c></summary>
    ObjectPointer = 0x64,
    /// <summary><c>DW_AT_endianity</c></summary>
    Endianity = 0x65,
    /// <summary><c>DW_AT_elemental</c></summary>
    Elemental = 0x66,
    /// <summary><c>DW_AT_pure</c></summary>
    Pure = 0x67,
    /// <summary><c>DW_AT_recursive</c></summary>
    Recursive = 0x68,
    /// <summary><c>DW_AT_signature</c></summary>
    Signature = 0x69,
    /// <summary><c>DW_AT_main_subprogram</c></summary>
    MainSubprogram = 0x6a,
    /// <summary><c>DW_AT_data_bit_offset</c></summary>
    DataBitOffset = 0x6b,
    /// <summary><c>DW_AT_const_expr</c></summary>
    ConstExpr = 0x6c,
    /// <summary><c>DW_AT_enum_class</c></summary>
    EnumClass = 0x6d,
    /// <summary><c>DW_AT_linkage_name</c></summary>
    LinkageName = 0x6e,
    /// <summary><c>DW_AT_string_length_bit_size</c></summary>
    StringLengthBitSize = 0x6f,
    /// <summary><c>DW_AT_string_length_byte_size</c></summary>
    StringLengthByteSize = 0x70,
    /// <summary><c>DW_AT_rank</c></summary>
    Rank = 0x71,
    /// <summary><c>DW_AT_str_offsets_base</c></summary>
    StrOffsetsBase = 0x72,
    /// <summary><c>DW_AT_addr_base</c></summary>
    AddrBase = 0x73,
    /// <summary><c>DW_AT_rnglists_base</c></summary>
    RnglistsBase = 0x74,
    /// <summary><c>DW_AT_dwo_name</c></summary>
    DwoName = 0x76,
    /// <summary><c>DW_AT_reference</c></summary>
    Reference = 0x77,
    /// <summary><c>DW_AT_rvalue_reference</c></summary>
    RvalueReference = 0x78,
    /// <summary><c>DW_AT_macros</c></summary>
    Macros = 0x79,
    /// <summary><c>DW_AT_call_all_calls</c></summary>
    CallAllCalls = 0x7a,
    /// <summary><c>DW_AT_call_all_source_calls</c></summary>
    CallAllSourceCalls = 0x7b,
    /// <summary><c>DW_AT_call_all_tail_calls</c></summary>
    CallAllTailCalls = 0x7c,
    /// <summary><c>DW_AT_call_return_pc</c></summary>
    CallReturnPc = 0x7d,
    /// <summary><c>DW_AT_call_value</c></summary>
    CallValue = 0x7e,
    /// <summary><c>DW_AT_call_origin</c></summary>
    CallOrigin = 0x7f,
    /// <summary><c>DW_AT_call_parameter</c></summary>
    CallParameter = 0x80,
    /// <summary><c>DW_AT_call_pc</c></summary>
    CallPc = 0x81,
    /// <summary><c>DW_AT_call_tail_call</c></summary>
    CallTailCall = 0x82,
    /// <summary><c>DW_AT_call_target</c></summary>
    CallTarget = 0x83,
    /// <summary><c>DW_AT_call_target_clobbered</c></summary>
    CallTargetClobbered = 0x84,
    /// <summary><c>DW_AT_call_data_location</c></summary>
    CallDataLocation = 0x85,
    /// <summary><c>DW_AT_call_data_value</c></summary>
    CallDataValue = 0x86,
    /// <summary><c>DW_AT_noreturn</c></summary>
    Noreturn = 0x87,
    /// <summary><c>DW_AT_alignment</c></summary>
    Alignment = 0x88,
    /// <summary><c>DW_AT_export_symbols</c></summary>
    ExportSymbols = 0x89,
    /// <summary><c>DW_AT_deleted</c></summary>
    Deleted = 0x8a,
    /// <summary><c>DW_AT_defaulted</c></summary>
    Defaulted = 0x8b,
    /// <summary><c>DW_AT_loclists_base</c></summary>
    LoclistsBase = 0x8c,
    /// <summary><c>DW_AT_MIPS_linkage_name</c></summary>
    MIPSLinkageName = 0x2007,
    /// <summary><c>DW_AT_GNU_vector</c></summary>
    GnuVector = 0x2107,
    /// <summary><c>DW_AT_GNU_template_name</c></summary>
    GnuTemplateName = 0x2110,
    /// <summary><c>DW_AT_GNU_call_site_value</c></summary>
    GnuCallSiteValue = 0x2111,
    /// <summary><c>DW_AT_GNU_call_site_data_value</c></summary>
    GnuCallSiteDataValue = 0x2112,
    /// <summary><c>DW_AT_GNU_call_site_target</c></summary>
    GnuCallSiteTarget = 0x2113,
    /// <summary><c>DW_AT_GNU_call_site_target_clobbered</c></summary>
    GnuCallSiteTargetClobbered = 0x2114,
    /// <summary><c>DW_AT_GNU_tail_call</c></summary>
    GnuTailCall = 0x2115,
    /// <summary><c>DW_AT_GNU_all_tail_call_sites</c></summary>
    GnuAllTailCallSites = 0x2116,
    /// <summary><c>DW_AT_GNU_all_call_sites</c></summary>
    GnuAllCallSites = 0x2117,
    /// <summary><c>DW_AT_GNU_all_source_call_sites</c></summary>
    GnuAllSourceCallSites = 0x2118,
    /// <summary><c>DW_AT_GNU_macros</c></summary>
    GnuMacros = 0x2119,
    /// <summary><c>DW_AT_GNU_deleted</c></summary>
    GnuDeleted = 0x211a,
    /// <summary><c>DW_AT_GNU_dwo_name</c></summary>
    GnuDwoName = 0x2130,
    /// <summary><c>DW_AT_GNU_dwo_id</c></summary>
    GnuDwoId = 0x2131,
    /// <summary><c>DW_AT_GNU_ranges_base</c></summary>
    GnuRangesBase = 0x2132,
    /// <summary><c>DW_AT_GNU_addr_base</c></summary>
    GnuAddrBase = 0x2133,
    /// <summary><c>DW_AT_GNU_pubnames</c></summary>
    GnuPubnames = 0x2134,
    /// <summary><c>DW_AT_GNU_pubtypes</c></summary>
    GnuPubtypes = 0x2135,
    /// <summary><c>DW_AT_GNU_discriminator</c></summary>
    GnuDiscriminator = 0x2136,
    /// <summary><c>DW_AT_GNU_locviews</c></summary>
    GnuLocviews = 0x2137,
    /// <summary><c>DW_AT_GNU_entry_view</c></summary>
    GnuEntryView = 0x2138,
}
