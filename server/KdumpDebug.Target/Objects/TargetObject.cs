using System.Buffers.Binary;
using System.Text;
using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Types;

namespace KdumpDebug.Target.Objects;

/// <summary>
/// A typed value of the crashed kernel (drgn's Object): a C type plus where the value lives —
/// at an address in kernel memory (an lvalue: members, elements and `&amp;` work), or held here as
/// bytes (an rvalue: a constant, a register, an implicit DWARF value) — optionally a bit field
/// inside those bytes, or absent (optimized out). Immutable; reads go to the target each time
/// (the dump's page cache makes that cheap). Member access goes through anonymous structs and
/// unions by name. Errors are KdumpDebugException with gdb's wording where gdb has one.
/// </summary>
public sealed class TargetObject
{
    readonly IKernelTarget _target;
    readonly byte[]? _value;

    TargetObject(IKernelTarget target, TypeSystem types, CType type, ulong? address, byte[]? value, uint bitOffset, uint bitSize, string? absentReason)
    {
        _target = target;
        Types = types;
        Type = type;
        Address = address;
        _value = value;
        BitOffset = bitOffset;
        BitSize = bitSize;
        AbsentReason = absentReason;
    }

    /// <summary>An object in memory at <paramref name="address"/>.</summary>
    public static TargetObject AtAddress(IKernelTarget target, TypeSystem types, CType type, ulong address) =>
        new(target, types, type, address, null, 0, 0, null);

    /// <summary>A value held in bytes (little endian, at least the type's size).</summary>
    public static TargetObject FromBytes(IKernelTarget target, TypeSystem types, CType type, byte[] value) =>
        new(target, types, type, null, value, 0, 0, null);

    /// <summary>An integer or pointer value (truncated to the type's size).</summary>
    public static TargetObject FromInteger(IKernelTarget target, TypeSystem types, CType type, ulong value)
    {
        var bytes = new byte[Math.Max(8, (int)(type.Unqualified().Size ?? 8))];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        return new(target, types, type, null, bytes, 0, 0, null);
    }

    /// <summary>A value that cannot be read (optimized out, not available), with why.</summary>
    public static TargetObject Absent(IKernelTarget target, TypeSystem types, CType type, string reason) =>
        new(target, types, type, null, null, 0, 0, reason);

    public IKernelTarget Target => _target;
    public TypeSystem Types { get; }
    public CType Type { get; }

    /// <summary>Where the object is in kernel virtual memory; null for a value that lives nowhere.</summary>
    public ulong? Address { get; }

    /// <summary>For a bit field: the bit offset from <see cref="Address"/> (or the value's first byte) and its width.</summary>
    public uint BitOffset { get; }
    public uint BitSize { get; }
    public bool IsBitField => BitSize != 0;

    /// <summary>Why there is no value ("optimized out"), or null.</summary>
    public string? AbsentReason { get; }
    public bool IsAbsent => AbsentReason is not null;

    /// <summary>The type without typedefs and qualifiers: what operations see.</summary>
    public CType UnderlyingType => Type.Unqualified();

    public ulong Size => UnderlyingType.Size ?? 0;

    /// <summary>The object's bytes (the type's size): from memory, or the held value.</summary>
    public byte[] ReadBytes()
    {
        if (IsAbsent) throw new KdumpDebugException($"value has been {AbsentReason}");
        var size = (int)Math.Min(Size, 1 << 26);
        if (IsBitField) size = (int)((BitOffset + BitSize + 7) / 8);
        if (_value is not null) return _value.AsSpan(0, Math.Min(size, _value.Length)).ToArray();
        var bytes = new byte[size];
        _target.ReadVirtual(Address!.Value, bytes);
        return bytes;
    }

    /// <summary>An integer, enum, boolean or pointer value zero-extended (bit fields extracted).</summary>
    public ulong ReadUnsigned()
    {
        var bytes = ReadBytes();
        if (IsBitField)
        {
            Span<byte> wide = stackalloc byte[16];
            bytes.AsSpan(0, Math.Min(bytes.Length, 16)).CopyTo(wide);
            var raw = BinaryPrimitives.ReadUInt64LittleEndian(wide) >> (int)BitOffset;
            if (BitOffset + BitSize > 64) raw |= BinaryPrimitives.ReadUInt64LittleEndian(wide[8..]) << (int)(64 - BitOffset);
            return BitSize >= 64 ? raw : raw & ((1UL << (int)BitSize) - 1);
        }
        Span<byte> buffer = stackalloc byte[8];
        bytes.AsSpan(0, Math.Min(bytes.Length, 8)).CopyTo(buffer);
        return BinaryPrimitives.ReadUInt64LittleEndian(buffer);
    }

    /// <summary>The value sign-extended when the type is signed.</summary>
    public long ReadSigned()
    {
        var raw = ReadUnsigned();
        var bits = IsBitField ? (int)BitSize : (int)Math.Min(Size * 8, 64);
        if (bits is > 0 and < 64 && IsSignedType)
        {
            var shift = 64 - bits;
            return (long)(raw << shift) >> shift;
        }
        return (long)raw;
    }

    public bool IsSignedType => UnderlyingType.Kind switch
    {
        CTypeKind.Integer => UnderlyingType.IsSigned,
        CTypeKind.Enum => UnderlyingType.IsSigned,
        _ => false,
    };

    /// <summary>
    /// A member by name (gdb's <c>.</c>), searching anonymous structs and unions; through a
    /// pointer to a struct as well (gdb's <c>-&gt;</c> is the same lookup after one dereference).
    /// </summary>
    public TargetObject Member(string name)
    {
        var type = UnderlyingType;
        if (type.Kind == CTypeKind.Pointer) return Dereference().Member(name);
        if (!type.IsStructLike)
            throw new KdumpDebugException($"Attempt to extract a component of a value that is not a structure (type {TypeSystem.NameOf(Type)}).");
        if (!type.TryFindMember(name, out var lookup))
            throw new KdumpDebugException($"There is no member named {name}.");
        return MemberAt(lookup.Member, lookup.BitOffset);
    }

    /// <summary>
    /// The member <paramref name="member"/> of this struct or union, <paramref name="memberBitOffset"/>
    /// bits from its start (the member's own <see cref="CMember.BitOffset"/> for a direct member):
    /// how anonymous members, which have no name to look up, are reached.
    /// </summary>
    public TargetObject MemberAt(CMember member, ulong memberBitOffset)
    {
        ArgumentNullException.ThrowIfNull(member);
        var byteOffset = memberBitOffset / 8;
        var bitOffset = member.IsBitField ? (uint)(memberBitOffset % 8) : 0;
        if (IsAbsent) return Absent(_target, Types, member.Type, AbsentReason!);
        if (Address is ulong a)
            return new(_target, Types, member.Type, a + byteOffset, null, bitOffset, member.BitSize, null);
        var bytes = _value!;
        var length = member.IsBitField ? (int)((bitOffset + member.BitSize + 7) / 8) : (int)(member.Type.Unqualified().Size ?? 0);
        var start = (int)Math.Min(byteOffset, (ulong)bytes.Length);
        var slice = bytes.AsSpan(start, Math.Min(length, bytes.Length - start)).ToArray();
        return new(_target, Types, member.Type, null, slice, bitOffset, member.BitSize, null);
    }

    /// <summary>Element <paramref name="index"/> of an array, or of the memory a pointer points to.</summary>
    public TargetObject Index(long index)
    {
        var type = UnderlyingType;
        CType element;
        ulong baseAddress;
        if (type.Kind == CTypeKind.Array)
        {
            element = type.Target!;
            if (Address is not ulong a)
            {
                var size = element.Unqualified().Size ?? 0;
                var bytes = _value!;
                var start = (long)size * index;
                if (start < 0 || start + (long)size > bytes.Length) throw new KdumpDebugException($"no such vector element");
                return FromBytes(_target, Types, element, bytes.AsSpan((int)start, (int)size).ToArray());
            }
            baseAddress = a;
        }
        else if (type.Kind == CTypeKind.Pointer)
        {
            element = type.Target ?? Types.Void;
            baseAddress = ReadUnsigned();
        }
        else throw new KdumpDebugException("cannot subscript something of type `" + TypeSystem.NameOf(Type) + "'");
        var elementSize = element.Unqualified().Size ?? 1;
        return AtAddress(_target, Types, element, (ulong)((long)baseAddress + index * (long)elementSize));
    }

    /// <summary>The object a pointer points to (gdb's unary <c>*</c>).</summary>
    public TargetObject Dereference()
    {
        var type = UnderlyingType;
        if (type.Kind != CTypeKind.Pointer)
            throw new KdumpDebugException("Attempt to take contents of a non-pointer value.");
        var target = type.Target ?? Types.Void;
        if (target.Unqualified().Kind == CTypeKind.Void)
            throw new KdumpDebugException("Attempt to take contents of a non-pointer value.");
        return AtAddress(_target, Types, target, ReadUnsigned());
    }

    /// <summary>A pointer to this object (gdb's unary <c>&amp;</c>).</summary>
    public TargetObject AddressOf()
    {
        if (Address is not ulong a || IsBitField)
            throw new KdumpDebugException("Attempt to take address of value not located in memory.");
        return FromInteger(_target, Types, Types.PointerTo(Type), a);
    }

    /// <summary>The same location (or bytes) seen as another type (a cast of an lvalue, container_of).</summary>
    public TargetObject Reinterpret(CType type) =>
        new(_target, Types, type, Address, _value, BitOffset, BitSize, AbsentReason);

    /// <summary>A NUL-terminated string at the address a <c>char *</c> holds, or in a <c>char[]</c>; at most <paramref name="maxLength"/> bytes.</summary>
    public string ReadCString(int maxLength = 4096)
    {
        var type = UnderlyingType;
        byte[] bytes;
        if (type.Kind == CTypeKind.Array) bytes = ReadBytes();
        else
        {
            var address = type.Kind == CTypeKind.Pointer ? ReadUnsigned() : Address ?? throw new KdumpDebugException("not a string");
            bytes = ReadStringBytes(address, maxLength);
        }
        var end = Array.IndexOf(bytes, (byte)0);
        return Encoding.UTF8.GetString(bytes, 0, end < 0 ? bytes.Length : end);
    }

    byte[] ReadStringBytes(ulong address, int maxLength)
    {
        var result = new List<byte>(64);
        var chunk = new byte[256];
        while (result.Count < maxLength)
        {
            // Read up to the end of the page so a string ending before an unreadable page still works.
            var inPage = (int)Math.Min((ulong)chunk.Length, 0x1000 - (address & 0xfff));
            var span = chunk.AsSpan(0, inPage);
            _target.ReadVirtual(address, span);
            var nul = span.IndexOf((byte)0);
            if (nul >= 0)
            {
                result.AddRange(span[..nul].ToArray());
                break;
            }
            result.AddRange(span.ToArray());
            address += (ulong)inPage;
        }
        return result.ToArray();
    }

    public override string ToString() =>
        $"({TypeSystem.NameOf(Type)}){(Address is ulong a ? $"@{a:x}" : "value")}";
}
