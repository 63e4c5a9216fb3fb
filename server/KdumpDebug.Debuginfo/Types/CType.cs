using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Dwarf;

namespace KdumpDebug.Debuginfo.Types;

/// <summary>
/// A C type: one class for every kind (drgn's drgn_type shape), with the properties of each kind
/// filled in and the others empty. Types built from DWARF are created once per DIE by the
/// <see cref="TypeSystem"/> and shared, so reference equality means "same DIE"; structural
/// questions (is it an integer? how big?) are answered by the properties.
/// <para>
/// Laziness: a struct/union's <see cref="Members"/> are decoded on first access (so building
/// <c>struct task_struct</c> costs one DIE until a member is asked for, and self-referencing
/// structs need no special case). Everything else is filled when the type is created.
/// Thread-safe.
/// </para>
/// </summary>
public sealed class CType
{
    readonly object? _membersGate;
    Func<IReadOnlyList<CMember>>? _membersFactory;
    IReadOnlyList<CMember>? _members;

    /// <summary>What the type is.</summary>
    public CTypeKind Kind { get; }

    /// <summary>
    /// The name: the tag of a struct/union/class/enum (null when anonymous), the name of a typedef
    /// or base type as DWARF spells it (<c>long unsigned int</c>; <see cref="TypePrinter"/> prints
    /// gdb's <c>unsigned long</c>), null for derived types.
    /// </summary>
    public string? Name { get; }

    /// <summary>Size in bytes; null for void, functions, incomplete types and arrays of unknown length.</summary>
    public ulong? Size { get; }

    /// <summary>
    /// The type this one is built on: a pointer's pointee, an array's element, a typedef's or
    /// qualifier's underlying type, a function's return type, an enum's compatible integer type
    /// (when DWARF gives one). Null otherwise.
    /// </summary>
    public CType? Target { get; }

    /// <summary>The element type of an array.</summary>
    public CType Element => Kind == CTypeKind.Array ? Target! : throw new InvalidOperationException($"{this} is not an array");

    /// <summary>Number of elements of an array; null for a flexible array (<c>x[]</c>). <c>x[0]</c> has 0.</summary>
    public ulong? Count { get; }

    /// <summary>True for a GNU vector type (DW_AT_GNU_vector).</summary>
    public bool IsVector { get; }

    /// <summary>DW_ATE_* of a base type (also set on synthesized base types).</summary>
    public DwAte Encoding { get; }

    /// <summary>True for a signed integer or character type, and for an enum with negative enumerators or a signed compatible type.</summary>
    public bool IsSigned { get; }

    /// <summary>True for a character type (DW_ATE_signed_char / unsigned_char, or a base type named <c>char</c>).</summary>
    public bool IsCharacter => Kind == CTypeKind.Integer && (Encoding is DwAte.SignedChar or DwAte.UnsignedChar || Name is "char");

    /// <summary>
    /// False for a struct/union/class/enum known only from a declaration (DW_AT_declaration with no
    /// definition anywhere in the debug info): it has no size and no members.
    /// </summary>
    public bool IsComplete { get; }

    /// <summary>For a function type: DW_AT_prototyped.</summary>
    public bool IsPrototyped { get; }

    /// <summary>For a function type: it ends with <c>...</c> (DW_TAG_unspecified_parameters).</summary>
    public bool IsVariadic { get; }

    /// <summary>For a function type: the parameters in order.</summary>
    public IReadOnlyList<CParameter> Parameters { get; }

    /// <summary>For an enum: its enumerators in order.</summary>
    public IReadOnlyList<CEnumerator> Enumerators { get; }

    /// <summary>The DIE the type was built from (for a declaration resolved by name, the definition's); default for a synthesized type.</summary>
    public Die Die { get; }

    /// <summary>
    /// For a struct, union or class: its members in declaration order (decoded on first access;
    /// empty for an incomplete type). Empty for other kinds.
    /// </summary>
    /// <exception cref="DumpFormatException">the members' DIEs are corrupt (on first access).</exception>
    public IReadOnlyList<CMember> Members
    {
        get
        {
            if (_members is { } m) return m;
            if (_membersGate is null) return [];
            lock (_membersGate)
            {
                if (_members is null)
                {
                    var factory = _membersFactory!;
                    _members = factory();
                    _membersFactory = null;
                }
                return _members;
            }
        }
    }

    internal CType(CTypeKind kind, string? name, ulong? size, CType? target = null, ulong? count = null, bool isVector = false,
        DwAte encoding = 0, bool isSigned = false, bool isComplete = true, bool isPrototyped = false, bool isVariadic = false,
        IReadOnlyList<CParameter>? parameters = null, IReadOnlyList<CEnumerator>? enumerators = null,
        Func<IReadOnlyList<CMember>>? members = null, Die die = default)
    {
        Kind = kind;
        Name = name;
        Size = size;
        Target = target;
        Count = count;
        IsVector = isVector;
        Encoding = encoding;
        IsSigned = isSigned;
        IsComplete = isComplete;
        IsPrototyped = isPrototyped;
        IsVariadic = isVariadic;
        Parameters = parameters ?? [];
        Enumerators = enumerators ?? [];
        Die = die;
        if (members is not null)
        {
            _membersGate = new object();
            _membersFactory = members;
        }
    }

    /// <summary>True for struct, union and class.</summary>
    public bool IsStructLike => Kind is CTypeKind.Struct or CTypeKind.Union or CTypeKind.Class;

    /// <summary>True for const, volatile, restrict and _Atomic.</summary>
    public bool IsQualifier => Kind is CTypeKind.Const or CTypeKind.Volatile or CTypeKind.Restrict or CTypeKind.Atomic;

    /// <summary>True for integers, characters, _Bool and enums (after <see cref="Unqualified"/>).</summary>
    public bool IsIntegral => Unqualified().Kind is CTypeKind.Integer or CTypeKind.Boolean or CTypeKind.Enum;

    /// <summary>True for arithmetic types and pointers (after <see cref="Unqualified"/>).</summary>
    public bool IsScalar => Unqualified().Kind is CTypeKind.Integer or CTypeKind.Boolean or CTypeKind.Enum or CTypeKind.Float or CTypeKind.Pointer;

    /// <summary>The type under any typedefs (qualifiers kept: <c>typedef const int c;</c> gives <c>const int</c>).</summary>
    public CType StripTypedefs()
    {
        var t = this;
        for (var i = 0; t.Kind == CTypeKind.Typedef && t.Target is not null && i < 1024; i++) t = t.Target;
        return t;
    }

    /// <summary>The type under any outermost qualifiers (typedefs kept).</summary>
    public CType StripQualifiers()
    {
        var t = this;
        for (var i = 0; t.IsQualifier && t.Target is not null && i < 1024; i++) t = t.Target;
        return t;
    }

    /// <summary>The type under every outer typedef and qualifier: what the value is (gdb's check_typedef plus dropping cv).</summary>
    public CType Unqualified()
    {
        var t = this;
        for (var i = 0; (t.Kind == CTypeKind.Typedef || t.IsQualifier) && t.Target is not null && i < 1024; i++) t = t.Target;
        return t;
    }

    /// <summary>The qualifiers directly on this type (through typedefs): what <c>const</c>/<c>volatile</c> apply.</summary>
    public (bool Const, bool Volatile) Qualifiers
    {
        get
        {
            bool c = false, v = false;
            var t = this;
            for (var i = 0; t is not null && i < 1024; i++)
            {
                if (t.Kind == CTypeKind.Const) c = true;
                else if (t.Kind == CTypeKind.Volatile) v = true;
                else if (!t.IsQualifier && t.Kind != CTypeKind.Typedef) break;
                t = t.Target!;
            }
            return (c, v);
        }
    }

    /// <summary>
    /// Looks <paramref name="name"/> up among the members of this struct/union (through typedefs
    /// and qualifiers), descending into anonymous struct/union members in declaration order as gdb
    /// does (the first match wins). The offset is from the start of this type.
    /// </summary>
    public bool TryFindMember(string name, out MemberLookup lookup)
    {
        ArgumentNullException.ThrowIfNull(name);
        var path = new List<CMember>();
        if (Find(Unqualified(), name, 0, path, 0, out var member, out var offset))
        {
            lookup = new MemberLookup(member!, offset, path);
            return true;
        }
        lookup = null!;
        return false;
    }

    /// <summary>Like <see cref="TryFindMember"/>; throws gdb's "There is no member named NAME." when absent.</summary>
    /// <exception cref="KdumpDebugException">no such member (or not a struct/union).</exception>
    public MemberLookup FindMember(string name)
    {
        if (TryFindMember(name, out var lookup)) return lookup;
        var u = Unqualified();
        if (!u.IsStructLike) throw new KdumpDebugException($"Attempt to extract a component of a value that is not a structure (type {TypePrinter.TypeName(this)}).");
        throw new KdumpDebugException($"There is no member named {name}.");
    }

    static bool Find(CType type, string name, ulong baseOffset, List<CMember> path, int depth, out CMember? member, out ulong offset)
    {
        member = null;
        offset = 0;
        if (!type.IsStructLike || depth > 64) return false;
        foreach (var m in type.Members)
        {
            if (m.Name == name)
            {
                path.Add(m);
                member = m;
                offset = baseOffset + m.BitOffset;
                return true;
            }
            if (m.Name is null)
            {
                path.Add(m);
                if (Find(m.Type.Unqualified(), name, baseOffset + m.BitOffset, path, depth + 1, out member, out offset)) return true;
                path.RemoveAt(path.Count - 1);
            }
        }
        return false;
    }

    /// <summary>gdb's spelling of the type (<see cref="TypePrinter.TypeName"/>), e.g. <c>struct list_head *</c>.</summary>
    public override string ToString() => TypePrinter.TypeName(this);
}
