namespace KdumpDebug.Debuginfo.Dwarf;

/// <summary>
/// DWARF expression opcodes (DWARF 5 §7.7.1, Table 7.9, plus GNU extensions): <c>PlusUconst</c> is DW_OP_plus_uconst.
/// </summary>
public enum DwOp : byte
{
    /// <summary><c>DW_OP_addr</c></summary>
    Addr = 0x3,
    /// <summary><c>DW_OP_deref</c></summary>
    Deref = 0x6,
    /// <summary><c>DW_OP_const1u</c></summary>
    Const1u = 0x8,
    /// <summary><c>DW_OP_const1s</c></summary>
    Const1s = 0x9,
    /// <summary><c>DW_OP_const2u</c></summary>
    Const2u = 0xa,
    /// <summary><c>DW_OP_const2s</c></summary>
    Const2s = 0xb,
    /// <summary><c>DW_OP_const4u</c></summary>
    Const4u = 0xc,
    /// <summary><c>DW_OP_const4s</c></summary>
    Const4s = 0xd,
    /// <summary><c>DW_OP_const8u</c></summary>
    Const8u = 0xe,
    /// <summary><c>DW_OP_const8s</c></summary>
    Const8s = 0xf,
    /// <summary><c>DW_OP_constu</c></summary>
    Constu = 0x10,
    /// <summary><c>DW_OP_consts</c></summary>
    Consts = 0x11,
    /// <summary><c>DW_OP_dup</c></summary>
    Dup = 0x12,
    /// <summary><c>DW_OP_drop</c></summary>
    Drop = 0x13,
    /// <summary><c>DW_OP_over</c></summary>
    Over = 0x14,
    /// <summary><c>DW_OP_pick</c></summary>
    Pick = 0x15,
    /// <summary><c>DW_OP_swap</c></summary>
    Swap = 0x16,
    /// <summary><c>DW_OP_rot</c></summary>
    Rot = 0x17,
    /// <summary><c>DW_OP_xderef</c></summary>
    Xderef = 0x18,
    /// <summary><c>DW_OP_abs</c></summary>
    Abs = 0x19,
    /// <summary><c>DW_OP_and</c></summary>
    And = 0x1a,
    /// <summary><c>DW_OP_div</c></summary>
    Div = 0x1b,
    /// <summary><c>DW_OP_minus</c></summary>
    Minus = 0x1c,
    /// <summary><c>DW_OP_mod</c></summary>
    Mod = 0x1d,
    /// <summary><c>DW_OP_mul</c></summary>
    Mul = 0x1e,
    /// <summary><c>DW_OP_neg</c></summary>
    Neg = 0x1f,
    /// <summary><c>DW_OP_not</c></summary>
    Not = 0x20,
    /// <summary><c>DW_OP_or</c></summary>
    Or = 0x21,
    /// <summary><c>DW_OP_plus</c></summary>
    Plus = 0x22,
    /// <summary><c>DW_OP_plus_uconst</c></summary>
    PlusUconst = 0x23,
    /// <summary><c>DW_OP_shl</c></summary>
    Shl = 0x24,
    /// <summary><c>DW_OP_shr</c></summary>
    Shr = 0x25,
    /// <summary><c>DW_OP_shra</c></summary>
    Shra = 0x26,
    /// <summary><c>DW_OP_xor</c></summary>
    Xor = 0x27,
    /// <summary><c>DW_OP_bra</c></summary>
    Bra = 0x28,
    /// <summary><c>DW_OP_eq</c></summary>
    Eq = 0x29,
    /// <summary><c>DW_OP_ge</c></summary>
    Ge = 0x2a,
    /// <summary><c>DW_OP_gt</c></summary>
    Gt = 0x2b,
    /// <summary><c>DW_OP_le</c></summary>
    Le = 0x2c,
    /// <summary><c>DW_OP_lt</c></summary>
    Lt = 0x2d,
    /// <summary><c>DW_OP_ne</c></summary>
    Ne = 0x2e,
    /// <summary><c>DW_OP_skip</c></summary>
    Skip = 0x2f,
    /// <summary><c>DW_OP_lit0</c></summary>
    Lit0 = 0x30,
    /// <summary><c>DW_OP_lit1</c></summary>
    Lit1 = 0x31,
    /// <summary><c>DW_OP_lit2</c></summary>
    Lit2 = 0x32,
    /// <summary><c>DW_OP_lit3</c></summary>
    Lit3 = 0x33,
    /// <summary><c>DW_OP_lit4</c></summary>
    Lit4 = 0x34,
    /// <summary><c>DW_OP_lit5</c></summary>
    Lit5 = 0x35,
    /// <summary><c>DW_OP_lit6</c></summary>
    Lit6 = 0x36,
    /// <summary><c>DW_OP_lit7</c></summary>
    Lit7 = 0x37,
    /// <summary><c>DW_OP_lit8</c></summary>
    Lit8 = 0x38,
    /// <summary><c>DW_OP_lit9</c></summary>
    Lit9 = 0x39,
    /// <summary><c>DW_OP_lit10</c></summary>
    Lit10 = 0x3a,
    /// <summary><c>DW_OP_lit11</c></summary>
    Lit11 = 0x3b,
    /// <summary><c>DW_OP_lit12</c></summary>
    Lit12 = 0x3c,
    /// <summary><c>DW_OP_lit13</c></summary>
    Lit13 = 0x3d,
    /// <summary><c>DW_OP_lit14</c></summary>
    Lit14 = 0x3e,
    /// <summary><c>DW_OP_lit15</c></summary>
    Lit15 = 0x3f,
    /// <summary><c>DW_OP_lit16</c></summary>
    Lit16 = 0x40,
    /// <summary><c>DW_OP_lit17</c></summary>
    Lit17 = 0x41,
    /// <summary><c>DW_OP_lit18</c></summary>
    Lit18 = 0x42,
    /// <summary><c>DW_OP_lit19</c></summary>
    Lit19 = 0x43,
    /// <summary><c>DW_OP_lit20</c></summary>
    Lit20 = 0x44,
    /// <summary><c>DW_OP_lit21</c></summary>
    Lit21 = 0x45,
    /// <summary><c>DW_OP_lit22</c></summary>
    Lit22 = 0x46,
    /// <summary><c>DW_OP_lit23</c></summary>
    Lit23 = 0x47,
    /// <summary><c>DW_OP_lit24</c></summary>
    Lit24 = 0x48,
    /// <summary><c>DW_OP_lit25</c></summary>
    Lit25 = 0x49,
    /// <summary><c>DW_OP_lit26</c></summary>
    Lit26 = 0x4a,
    /// <summary><c>DW_OP_lit27</c></summary>
    Lit27 = 0x4b,
    /// <summary><c>DW_OP_lit28</c></summary>
    Lit28 = 0x4c,
    /// <summary><c>DW_OP_lit29</c></summary>
    Lit29 = 0x4d,
    /// <summary><c>DW_OP_lit30</c></summary>
    Lit30 = 0x4e,
    /// <summary><c>DW_OP_lit31</c></summary>
    Lit31 = 0x4f,
    /// <summary><c>DW_OP_reg0</c></summary>
    Reg0 = 0x50,
    /// <summary><c>DW_OP_reg1</c></summary>
    Reg1 = 0x51,
    /// <summary><c>DW_OP_reg2</c></summary>
    Reg2 = 0x52,
    /// <summary><c>DW_OP_reg3</c></summary>
    Reg3 = 0x53,
    /// <summary><c>DW_OP_reg4</c></summary>
    Reg4 = 0x54,
    /// <summary><c>DW_OP_reg5</c></summary>
    Reg5 = 0x55,
    /// <summary><c>DW_OP_reg6</c></summary>
    Reg6 = 0x56,
    /// <summary><c>DW_OP_reg7</c></summary>
    Reg7 = 0x57,
    /// <summary><c>DW_OP_reg8</c></summary>
    Reg8 = 0x58,
    /// <summary><c>DW_OP_reg9</c></summary>
    Reg9 = 0x59,
    /// <summary><c>DW_OP_reg10</c></summary>
    Reg10 = 0x5a,
    /// <summary><c>DW_OP_reg11</c></summary>
    Reg11 = 0x5b,
    /// <summary><c>DW_OP_reg12</c></summary>
    Reg12 = 0x5c,
    /// <summary><c>DW_OP_reg13</c></summary>
    Reg13 = 0x5d,
    /// <summary><c>DW_OP_reg14</c></summary>
    Reg14 = 0x5e,
    /// <summary><c>DW_OP_reg15</c></summary>
    Reg15 = 0x5f,
    /// <summary><c>DW_OP_reg16</c></summary>
    Reg16 = 0x60,
    /// <summary><c>DW_OP_reg17</c></summary>
    Reg17 = 0x61,
    /// <summary><c>DW_OP_reg18</c></summary>
    Reg18 = 0x62,
    /// <summary><c>DW_OP_reg19</c></summary>
    Reg19 = 0x63,
    /// <summary><c>DW_OP_reg20</c></summary>
    Reg20 = 0x64,
    /// <summary><c>DW_OP_reg21</c></summary>
    Reg21 = 0x65,
    /// <summary><c>DW_OP_reg22</c></summary>
    Reg22 = 0x66,
    /// <summary><c>DW_OP_reg23</c></summary>
    Reg23 = 0x67,
    /// <summary><c>DW_OP_reg24</c></summary>
    Reg24 = 0x68,
    /// <summary><c>DW_OP_reg25</c></summary>
    Reg25 = 0x69,
    /// <summary><c>DW_OP_reg26</c></summary>
    Reg26 = 0x6a,
    /// <summary><c>DW_OP_reg27</c></summary>
    Reg27 = 0x6b,
    /// <summary><c>DW_OP_reg28</c></summary>
    Reg28 = 0x6c,
    /// <summary><c>DW_OP_reg29</c></summary>
    Reg29 = 0x6d,
    /// <summary><c>DW_OP_reg30</c></summary>
    Reg30 = 0x6e,
    /// <summary><c>DW_OP_reg31</c></summary>
    Reg31 = 0x6f,
    /// <summary><c>DW_OP_breg0</c></summary>
    Breg0 = 0x70,
    /// <summary><c>DW_OP_breg1</c></summary>
    Breg1 = 0x71,
    /// <summary><c>DW_OP_breg2</c></summary>
    Breg2 = 0x72,
    /// <summary><c>DW_OP_breg3</c></summary>
    Breg3 = 0x73,
    /// <summary><c>DW_OP_breg4</c></summary>
    Breg4 = 0x74,
    /// <summary><c>DW_OP_breg5</c></summary>
    Breg5 = 0x75,
    /// <summary><c>DW_OP_breg6</c></summary>
    Breg6 = 0x76,
    /// <summary><c>DW_OP_breg7</c></summary>
    Breg7 = 0x77,
    /// <summary><c>DW_OP_breg8</c></summary>
    Breg8 = 0x78,
    /// <summary><c>DW_OP_breg9</c></summary>
    Breg9 = 0x79,
    /// <summary><c>DW_OP_breg10</c></summary>
    Breg10 = 0x7a,
    /// <summary><c>DW_OP_breg11</c></summary>
    Breg11 = 0x7b,
    /// <summary><c>DW_OP_breg12</c></summary>
    Breg12 = 0x7c,
    /// <summary><c>DW_OP_breg13</c></summary>
    Breg13 = 0x7d,
    /// <summary><c>DW_OP_breg14</c></summary>
    Breg14 = 0x7e,
    /// <summary><c>DW_OP_breg15</c></summary>
    Breg15 = 0x7f,
    /// <summary><c>DW_OP_breg16</c></summary>
    Breg16 = 0x80,
    /// <summary><c>DW_OP_breg17</c></summary>
    Breg17 = 0x81,
    /// <summary><c>DW_OP_breg18</c></summary>
    Breg18 = 0x82,
    /// <summary><c>DW_OP_breg19</c></summary>
    Breg19 = 0x83,
    /// <summary><c>DW_OP_breg20</c></summary>
    Breg20 = 0x84,
    /// <summary><c>DW_OP_breg21</c></summary>
    Breg21 = 0x85,
    /// <summary><c>DW_OP_breg22</c></summary>
    Breg22 = 0x86,
    /// <summary><c>DW_OP_breg23</c></summary>
    Breg23 = 0x87,
    /// <summary><c>DW_OP_breg24</c></summary>
    Breg24 = 0x88,
    /// <summary><c>DW_OP_breg25</c></summary>
    Breg25 = 0x89,
    /// <summary><c>DW_OP_breg26</c></summary>
    Breg26 = 0x8a,
    /// <summary><c>DW_OP_breg27</c></summary>
    Breg27 = 0x8b,
    /// <summary><c>DW_OP_breg28</c></summary>
    Breg28 = 0x8c,
    /// <summary><c>DW_OP_breg29</c></summary>
    Breg29 = 0x8d,
    /// <summary><c>DW_OP_breg30</c></summary>
    Breg30 = 0x8e,
    /// <summary><c>DW_OP_breg31</c></summary>
    Breg31 = 0x8f,
    /// <summary><c>DW_OP_regx</c></summary>
    Regx = 0x90,
    /// <summary><c>DW_OP_fbreg</c></summary>
    Fbreg = 0x91,
    /// <summary><c>DW_OP_bregx</c></summary>
    Bregx = 0x92,
    /// <summary><c>DW_OP_piece</c></summary>
    Piece = 0x93,
    /// <summary><c>DW_OP_deref_size</c></summary>
    DerefSize = 0x94,
    /// <summary><c>DW_OP_xderef_size</c></summary>
    XderefSize = 0x95,
    /// <summary><c>DW_OP_nop</c></summary>
    Nop = 0x96,
    /// <summary><c>DW_OP_push_object_address</c></summary>
    PushObjectAddress = 0x97,
    /// <summary><c>DW_OP_call2</c></summary>
    Call2 = 0x98,
    /// <summary><c>DW_OP_call4</c></summary>
    Call4 = 0x99,
    /// <summary><c>DW_OP_call_ref</c></summary>
    CallRef = 0x9a,
    /// <summary><c>DW_OP_form_tls_address</c></summary>
    FormTlsAddress = 0x9b,
    /// <summary><c>DW_OP_call_frame_cfa</c></summary>
    CallFrameCfa = 0x9c,
    /// <summary><c>DW_OP_bit_piece</c></summary>
    BitPiece = 0x9d,
    /// <summary><c>DW_OP_implicit_value</c></summary>
    ImplicitValue = 0x9e,
    /// <summary><c>DW_OP_stack_value</c></summary>
    StackValue = 0x9f,
    /// <summary><c>DW_OP_implicit_pointer</c></summary>
    ImplicitPointer = 0xa0,
    /// <summary><c>DW_OP_addrx</c></summary>
    Addrx = 0xa1,
    /// <summary><c>DW_OP_constx</c></summary>
    Constx = 0xa2,
    /// <summary><c>DW_OP_entry_value</c></summary>
    EntryValue = 0xa3,
    /// <summary><c>DW_OP_const_type</c></summary>
    ConstType = 0xa4,
    /// <summary><c>DW_OP_regval_type</c></summary>
    RegvalType = 0xa5,
    /// <summary><c>DW_OP_deref_type</c></summary>
    DerefType = 0xa6,
    /// <summary><c>DW_OP_xderef_type</c></summary>
    XderefType = 0xa7,
    /// <summary><c>DW_OP_convert</c></summary>
    Convert = 0xa8,
    /// <summary><c>DW_OP_reinterpret</c></summary>
    Reinterpret = 0xa9,
    /// <summary><c>DW_OP_GNU_push_tls_address</c></summary>
    GnuPushTlsAddress = 0xe0,
    /// <summary><c>DW_OP_GNU_uninit</c></summary>
    GnuUninit = 0xf0,
    /// <summary><c>DW_OP_GNU_encoded_addr</c></summary>
    GnuEncodedAddr = 0xf1,
    /// <summary><c>DW_OP_GNU_implicit_pointer</c></summary>
    GnuImplicitPointer = 0xf2,
    /// <summary><c>DW_OP_GNU_entry_value</c></summary>
    GnuEntryValue = 0xf3,
    /// <summary><c>DW_OP_GNU_const_type</c></summary>
    GnuConstType = 0xf4,
    /// <summary><c>DW_OP_GNU_regval_type</c></summary>
    GnuRegvalType = 0xf5,
    /// <summary><c>DW_OP_GNU_deref_type</c></summary>
    GnuDerefType = 0xf6,
    /// <summary><c>DW_OP_GNU_convert</c></summary>
    GnuConvert = 0xf7,
    /// <summary><c>DW_OP_GNU_reinterpret</c></summary>
    GnuReinterpret = 0xf9,
    /// <summary><c>DW_OP_GNU_parameter_ref</c></summary>
    GnuParameterRef = 0xfa,
    /// <summary><c>DW_OP_GNU_addr_index</c></summary>
    GnuAddrIndex = 0xfb,
    /// <summary><c>DW_OP_GNU_const_index</c></summary>
    GnuConstIndex = 0xfc,
    /// <summary><c>DW_OP_GNU_variable_value</c></summary>
    GnuVariableValue = 0xfd,
}
