using System.Collections.Concurrent;
using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Dwarf;
using KdumpDebug.Debuginfo.Dwarf.Index;

namespace KdumpDebug.Debuginfo.Types;

/// <summary>
/// Turns type DIEs into <see cref="CType"/>s, once per DIE: results are cached by DIE offset
/// (lock-free reads; building takes one lock, re-entered for nested types). A struct or union is
/// registered before its members are decoded (and they are decoded lazily), so self-referencing
/// types need no special case; a chain that comes back to a DIE being built without going through
/// a struct/union/enum (a typedef or qualifier cycle in corrupt input) is an error naming the DIE,
/// as is a chain deeper than <see cref="MaxDepth"/>: never a stack overflow.
/// <para>Declarations (DW_AT_declaration) resolve by name through the index to a definition in
/// any unit, as gdb does; with none, the type is incomplete.</para>
/// </summary>
internal sealed class TypeBuilder
{
    const int MaxDepth = 256;

    readonly DwarfInfo _dwarf;
    readonly DwarfNameIndex _index;
    readonly ConcurrentDictionary<ulong, CType> _cache = new();
    readonly object _gate = new();
    readonly HashSet<ulong> _inProgress = [];
    int _depth;

    public CType Void { get; } = new(CTypeKind.Void, "void", null);

    public TypeBuilder(DwarfInfo dwarf, DwarfNameIndex index)
    {
        _dwarf = dwarf;
        _index = index;
    }

    static ulong Key(Die die) => die.Offset.Value | (die.Unit.IsInTypesSection ? 1UL << 63 : 0);

    /// <summary>The type DIE <paramref name="die"/> describes (default: void).</summary>
    public CType TypeOf(Die die)
    {
        if (die.IsNull) return Void;
        var key = Key(die);
        if (_cache.TryGetValue(key, out var cached)) return cached;
        lock (_gate)
        {
            if (_cache.TryGetValue(key, out cached)) return cached;
            if (!_inProgress.Add(key))
                throw Error(die, "the type refers back to itself (a cycle of typedefs, qualifiers, pointers or arrays)");
            if (++_depth > MaxDepth)
            {
                _depth--;
                _inProgress.Remove(key);
                throw Error(die, $"the type chain is deeper than {MaxDepth} DIEs");
            }
            try
            {
                var type = Build(die, key);
                _cache.TryAdd(key, type);
                return _cache[key];
            }
            finally
            {
                _depth--;
                _inProgress.Remove(key);
            }
        }
    }

    /// <summary>The type DW_AT_type of <paramref name="die"/> names (following origins), or void when it has none.</summary>
    public CType TypeAttribute(Die die) =>
        die.TryGetAttributeFollowingOrigins(DwAt.Type, out var t) ? TypeOf(t.AsDie()) : Void;

    DumpFormatException Error(Die die, string problem) =>
        new(_dwarf.Path, (long)die.Offset.Value, die.Unit.SectionName, $"type DIE: {problem}");

    CType Build(Die die, ulong key)
    {
        var tag = die.Tag;
        switch (tag)
        {
            case DwTag.BaseType:
                return BuildBase(die);
            case DwTag.PointerType or DwTag.ReferenceType or DwTag.RvalueReferenceType:
            {
                var size = die.TryGetUnsigned(DwAt.ByteSize, out var s) ? s : (ulong)die.Unit.AddressSize;
                return new CType(CTypeKind.Pointer, null, size, TypeAttributeOnly(die), die: die);
            }
            case DwTag.ConstType or DwTag.VolatileType or DwTag.RestrictType or DwTag.AtomicType:
            {
                var target = TypeAttributeOnly(die);
                var kind = tag switch
                {
                    DwTag.ConstType => CTypeKind.Const,
                    DwTag.VolatileType => CTypeKind.Volatile,
                    DwTag.RestrictType => CTypeKind.Restrict,
                    _ => CTypeKind.Atomic,
                };
                return new CType(kind, null, target.Size, target, die: die);
            }
            case DwTag.Typedef:
            {
                var target = TypeAttributeOnly(die);
                return new CType(CTypeKind.Typedef, die.Name, target.Size, target, die: die);
            }
            case DwTag.StructureType or DwTag.UnionType or DwTag.ClassType:
                return BuildStruct(die, key, tag);
            case DwTag.EnumerationType:
                return BuildEnum(die);
            case DwTag.ArrayType:
                return BuildArray(die);
            case DwTag.SubroutineType or DwTag.Subprogram:
                return BuildFunction(die);
            case DwTag.UnspecifiedType:
                return new CType(CTypeKind.Unspecified, die.Name ?? "void", null, die: die);
            default:
                return new CType(CTypeKind.Unspecified, $"<unsupported {AttributeValue.TagName(tag)}>", null, die: die);
        }
    }

    CType TypeAttributeOnly(Die die) => die.TryGetAttribute(DwAt.Type, out var t) ? TypeOf(t.AsDie()) : Void;

    CType BuildBase(Die die)
    {
        string? name = null;
        ulong size = 0;
        DwAte encoding = 0;
        foreach (var a in die.Attributes)
        {
            switch (a.Name)
            {
                case DwAt.Name: name = a.AsString(); break;
                case DwAt.ByteSize: size = a.AsUnsigned(); break;
                case DwAt.Encoding: encoding = (DwAte)a.AsUnsigned(); break;
            }
        }
        var kind = encoding switch
        {
            DwAte.Boolean => CTypeKind.Boolean,
            DwAte.Float or DwAte.ComplexFloat or DwAte.ImaginaryFloat or DwAte.DecimalFloat => CTypeKind.Float,
            _ => CTypeKind.Integer,
        };
        var signed = encoding is DwAte.Signed or DwAte.SignedChar or DwAte.SignedFixed || kind == CTypeKind.Float;
        return new CType(kind, name, size, encoding: encoding, isSigned: signed, die: die);
    }

    CType BuildStruct(Die die, ulong key, DwTag tag)
    {
        string? name = null;
        ulong? size = null;
        var declaration = false;
        Die signature = default;
        foreach (var a in die.Attributes)
        {
            switch (a.Name)
            {
                case DwAt.Name: name = a.AsString(); break;
                case DwAt.ByteSize: size = a.AsUnsigned(); break;
                case DwAt.Declaration: declaration = a.AsFlag(); break;
                case DwAt.Signature: signature = a.AsDie(); break;
            }
        }
        var kind = tag switch { DwTag.UnionType => CTypeKind.Union, DwTag.ClassType => CTypeKind.Class, _ => CTypeKind.Struct };
        if (declaration)
        {
            if (!signature.IsNull) return TypeOf(signature);
            if (name is not null && TryResolveDeclaration(name, kind switch
                {
                    CTypeKind.Union => NameKinds.Union,
                    CTypeKind.Class => NameKinds.Class,
                    _ => NameKinds.Struct,
                }, out var definition))
                return TypeOf(definition);
            return new CType(kind, name, null, isComplete: false, die: die);
        }
        return new CType(kind, name, size, members: () => BuildMembers(die), die: die);
    }

    bool TryResolveDeclaration(string name, NameKinds kinds, out Die definition)
    {
        foreach (var match in _index.Find(name, kinds))
        {
            definition = match.Die;
            return true;
        }
        definition = default;
        return false;
    }

    IReadOnlyList<CMember> BuildMembers(Die die)
    {
        var members = new List<CMember>();
        foreach (var child in die.Children)
        {
            if (child.Tag != DwTag.Member) continue; // C++ inheritance, static members, nested types: not members of the layout
            string? name = null;
            Die typeDie = default;
            ulong byteOffset = 0;
            ulong? dataBitOffset = null;
            long? oldBitOffset = null;
            uint bitSize = 0;
            ulong? storageSize = null;
            foreach (var a in child.Attributes)
            {
                switch (a.Name)
                {
                    case DwAt.Name: name = a.AsString(); break;
                    case DwAt.Type: typeDie = a.AsDie(); break;
                    case DwAt.DataMemberLocation: byteOffset = MemberLocation(child, a); break;
                    case DwAt.DataBitOffset: dataBitOffset = a.AsUnsigned(); break;
                    case DwAt.BitOffset: oldBitOffset = a.AsSigned(); break;
                    case DwAt.BitSize: bitSize = (uint)Math.Min(a.AsUnsigned(), uint.MaxValue); break;
                    case DwAt.ByteSize: storageSize = a.AsUnsigned(); break;
                }
            }
            var type = TypeOf(typeDie);
            ulong bitOffset;
            if (dataBitOffset is { } dbo) bitOffset = dbo; // DWARF 4+: bits from the start of the struct
            else if (oldBitOffset is { } ob && bitSize != 0)
            {
                // DWARF 2/3 §5.6.6: DW_AT_bit_offset counts from the most significant bit of the storage
                // unit (DW_AT_byte_size, else the member type's size) at DW_AT_data_member_location.
                // On a little-endian target that is storage*8 - bit_offset - bit_size bits from its start.
                var storage = storageSize ?? type.Size ?? 0;
                bitOffset = (ulong)((long)(byteOffset * 8) + (long)(storage * 8) - ob - bitSize);
            }
            else bitOffset = byteOffset * 8;
            members.Add(new CMember(name, type, bitOffset, bitSize));
        }
        return members;
    }

    ulong MemberLocation(Die member, AttributeValue a)
    {
        if (a.Class == AttributeClass.Constant) return a.AsUnsigned();
        if (a.Class is AttributeClass.ExprLoc or AttributeClass.Block)
        {
            // DWARF 2/3 producers: DW_OP_plus_uconst N (or DW_OP_constu N; DW_OP_plus) from the struct start.
            var ops = DwarfExpression.Decode(a.Memory, member.Unit.AddressSize, member.Unit.OffsetSize, _dwarf.Path);
            if (ops.Count == 1 && ops[0].Opcode is DwOp.PlusUconst or DwOp.Constu) return ops[0].Operand1;
            if (ops.Count == 2 && ops[0].Opcode == DwOp.Constu && ops[1].Opcode == DwOp.Plus) return ops[0].Operand1;
            if (ops.Count == 1 && ops[0].Opcode is >= DwOp.Lit0 and <= DwOp.Lit31) return (ulong)(ops[0].Opcode - DwOp.Lit0);
        }
        throw new DumpFormatException(_dwarf.Path, a.ValueOffset, member.Unit.SectionName,
            "DW_AT_data_member_location is not a constant offset (a virtual base's location is not supported)");
    }

    CType BuildEnum(Die die)
    {
        string? name = null;
        ulong? size = null;
        var declaration = false;
        DwAte? encoding = null;
        Die compatible = default;
        foreach (var a in die.Attributes)
        {
            switch (a.Name)
            {
                case DwAt.Name: name = a.AsString(); break;
                case DwAt.ByteSize: size = a.AsUnsigned(); break;
                case DwAt.Declaration: declaration = a.AsFlag(); break;
                case DwAt.Encoding: encoding = (DwAte)a.AsUnsigned(); break;
                case DwAt.Type: compatible = a.AsDie(); break;
            }
        }
        if (declaration)
        {
            if (name is not null && TryResolveDeclaration(name, NameKinds.Enum, out var definition)) return TypeOf(definition);
            return new CType(CTypeKind.Enum, name, null, isComplete: false, die: die);
        }
        var target = compatible.IsNull ? null : TypeOf(compatible);
        bool? signed = encoding is { } e ? e is DwAte.Signed or DwAte.SignedChar : target?.Unqualified().IsSigned;
        var enumerators = new List<CEnumerator>();
        var anyNegative = false;
        foreach (var child in die.Children)
        {
            if (child.Tag != DwTag.Enumerator) continue;
            string? n = null;
            long value = 0;
            foreach (var a in child.Attributes)
            {
                if (a.Name == DwAt.Name) n = a.AsString();
                else if (a.Name == DwAt.ConstValue)
                {
                    // Data forms carry no sign: the enum's signedness decides (GCC emits DW_AT_encoding).
                    value = a.IsSigned ? (long)a.RawValue : signed == true ? a.AsSigned() : (long)a.AsUnsigned();
                    if (a.IsSigned && value < 0) anyNegative = true;
                }
            }
            enumerators.Add(new CEnumerator(n ?? "", value));
        }
        return new CType(CTypeKind.Enum, name, size, target, encoding: encoding ?? 0, isSigned: signed ?? anyNegative,
            enumerators: enumerators, die: die);
    }

    CType BuildArray(Die die)
    {
        var element = TypeAttributeOnly(die);
        var vector = die.GetFlag(DwAt.GnuVector);
        var counts = new List<ulong?>();
        foreach (var child in die.Children)
        {
            if (child.Tag is not (DwTag.SubrangeType or DwTag.GenericSubrange)) continue;
            ulong? count = null;
            AttributeValue? lower = null, upper = null;
            Die indexType = default;
            foreach (var a in child.Attributes)
            {
                switch (a.Name)
                {
                    case DwAt.Count when a.Class == AttributeClass.Constant: count = a.AsUnsigned(); break;
                    case DwAt.LowerBound when a.Class == AttributeClass.Constant: lower = a; break;
                    case DwAt.UpperBound when a.Class == AttributeClass.Constant: upper = a; break;
                    case DwAt.Type: indexType = a.AsDie(); break;
                }
            }
            if (count is null && upper is { } u)
            {
                // GCC writes bounds with the sign-less DW_FORM_dataN; like gdb (read_subrange_type),
                // sign-extend them only when the subrange's index type is signed. [0] then comes out
                // as upper bound all-ones, i.e. a count of 0 once the subtraction wraps.
                var index = indexType.IsNull ? null : TypeOf(indexType).Unqualified();
                var high = Bound(u, index);
                var low = lower is { } l ? Bound(l, index) : 0;
                count = unchecked((ulong)(high - low + 1));
            }
            counts.Add(count);
        }
        if (counts.Count == 0) counts.Add(null);
        var type = element;
        for (var i = counts.Count - 1; i >= 0; i--)
        {
            var count = counts[i];
            ulong? size = count is { } c && type.Size is { } es ? c * es : null;
            if (i == 0 && die.TryGetUnsigned(DwAt.ByteSize, out var declared)) size = declared;
            type = new CType(CTypeKind.Array, null, size, type, count, isVector: vector && i == 0, die: i == 0 ? die : default);
        }
        return type;
    }

    static long Bound(AttributeValue value, CType? indexType)
    {
        if (value.IsSigned) return (long)value.RawValue;
        var raw = value.RawValue;
        if (indexType is { IsSigned: true, Size: { } size and > 0 and < 8 })
        {
            var sign = 1UL << (int)(size * 8 - 1);
            if ((raw & sign) != 0) raw |= ~((sign << 1) - 1);
        }
        return (long)raw;
    }

    CType BuildFunction(Die die)
    {
        // A definition completing a declaration (DW_AT_specification) keeps its return type and
        // DW_AT_prototyped on the declaration: follow origins for those.
        var returnType = TypeAttribute(die);
        var prototyped = die.TryGetAttributeFollowingOrigins(DwAt.Prototyped, out var p) && p.AsFlag();
        var parameters = new List<CParameter>();
        var variadic = false;
        if (die.HasChildren)
        {
            foreach (var child in die.Children)
            {
                switch (child.Tag)
                {
                    case DwTag.FormalParameter:
                    {
                        var name = child.TryGetAttributeFollowingOrigins(DwAt.Name, out var n) ? n.AsString() : null;
                        parameters.Add(new CParameter(name, TypeAttribute(child)));
                        break;
                    }
                    case DwTag.UnspecifiedParameters:
                        variadic = true;
                        break;
                }
            }
        }
        return new CType(CTypeKind.Function, null, null, returnType, isPrototyped: prototyped, isVariadic: variadic,
            parameters: parameters, die: die);
    }
}
