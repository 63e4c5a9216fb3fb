namespace KdumpDebug.Debuginfo.Types;

/// <summary>
/// One member of a struct or union. Offsets are in one representation whatever the DWARF form
/// (DW_AT_data_member_location, DW_AT_data_bit_offset, or the DWARF 2/3 DW_AT_bit_offset with
/// DW_AT_byte_size, converted for little-endian): <see cref="BitOffset"/> is the offset of the
/// member's first bit from the start of the enclosing struct.
/// </summary>
/// <param name="Name">The member's name, or null for an anonymous struct/union member.</param>
/// <param name="Type">The member's type.</param>
/// <param name="BitOffset">Bits from the start of the enclosing struct to the member's first bit.</param>
/// <param name="BitSize">Width of a bit field, 0 for an ordinary member.</param>
public sealed record CMember(string? Name, CType Type, ulong BitOffset, uint BitSize)
{
    /// <summary>Byte offset of the member (for a bit field, of the byte holding its first bit; what gdb and crash print).</summary>
    public ulong ByteOffset => BitOffset / 8;

    /// <summary>True for a bit field.</summary>
    public bool IsBitField => BitSize != 0;

    /// <summary>True for an anonymous struct or union member, whose members read as members of the enclosing struct.</summary>
    public bool IsAnonymous => Name is null;
}
