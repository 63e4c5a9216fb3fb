namespace KdumpDebug.Debuginfo.Dwarf;

/// <summary>
/// Base type encodings (DWARF 5 §7.8, Table 7.11): <c>SignedChar</c> is DW_ATE_signed_char.
/// </summary>
public enum DwAte : byte
{
    /// <summary><c>DW_ATE_address</c></summary>
    Address = 0x1,
    /// <summary><c>DW_ATE_boolean</c></summary>
    Boolean = 0x2,
    /// <summary><c>DW_ATE_complex_float</c></summary>
    ComplexFloat = 0x3,
    /// <summary><c>DW_ATE_float</c></summary>
    Float = 0x4,
    /// <summary><c>DW_ATE_signed</c></summary>
    Signed = 0x5,
    /// <summary><c>DW_ATE_signed_char</c></summary>
    SignedChar = 0x6,
    /// <summary><c>DW_ATE_unsigned</c></summary>
    Unsigned = 0x7,
    /// <summary><c>DW_ATE_unsigned_char</c></summary>
    UnsignedChar = 0x8,
    /// <summary><c>DW_ATE_imaginary_float</c></summary>
    ImaginaryFloat = 0x9,
    /// <summary><c>DW_ATE_packed_decimal</c></summary>
    PackedDecimal = 0xa,
    /// <summary><c>DW_ATE_numeric_string</c></summary>
    NumericString = 0xb,
    /// <summary><c>DW_ATE_edited</c></summary>
    Edited = 0xc,
    /// <summary><c>DW_ATE_signed_fixed</c></summary>
    SignedFixed = 0xd,
    /// <summary><c>DW_ATE_unsigned_fixed</c></summary>
    UnsignedFixed = 0xe,
    /// <summary><c>DW_ATE_decimal_float</c></summary>
    DecimalFloat = 0xf,
    /// <summary><c>DW_ATE_UTF</c></summary>
    UTF = 0x10,
    /// <summary><c>DW_ATE_UCS</c></summary>
    UCS = 0x11,
    /// <summary><c>DW_ATE_ASCII</c></summary>
    ASCII = 0x12,
}
