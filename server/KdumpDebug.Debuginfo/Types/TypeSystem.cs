using System.Collections.Concurrent;
using System.Text;
using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Dwarf;
using KdumpDebug.Debuginfo.Dwarf.Index;
using KdumpDebug.Debuginfo.Lines;

namespace KdumpDebug.Debuginfo.Types;

/// <summary>
/// The C view of a file's DWARF: types, global variables and functions by name, and types of any
/// DIE. This is the facade the expression evaluator, the crash commands (<c>whatis</c>,
/// <c>struct</c>, <c>p</c>, <c>ptype</c>) and the kernel helpers use; they never walk DIEs.
/// <para>
/// Cost: creating it needs the <see cref="DwarfNameIndex"/> (the one eager pass, or a load from
/// the on-disk cache). A lookup is an index probe (microseconds) plus building the types it
/// touches, each once (cached by DIE offset for the life of the instance; struct members are
/// decoded on first use). Thread-safe.
/// </para>
/// <para>
/// A file without DWARF gives an instance whose every lookup throws one
/// <see cref="NoDebugInfoException"/> (<see cref="HasDebugInfo"/> tells beforehand).
/// </para>
/// </summary>
public sealed class TypeSystem
{
    readonly DwarfInfo? _dwarf;
    readonly DwarfNameIndex? _index;
    readonly TypeBuilder? _builder;
    readonly string _path;
    readonly ConcurrentDictionary<CType, CType> _pointers = new(ReferenceEqualityComparer.Instance);
    readonly ConcurrentDictionary<string, CType> _syntheticBase = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<int, LineProgramHeader?> _lineHeaders = new();

    TypeSystem(string path, DwarfInfo? dwarf, DwarfNameIndex? index)
    {
        _path = path;
        _dwarf = dwarf;
        _index = index;
        if (dwarf is not null && index is not null) _builder = new TypeBuilder(dwarf, index);
        Void = _builder?.Void ?? new CType(CTypeKind.Void, "void", null);
    }

    /// <summary>Types over <paramref name="dwarf"/> with its name index.</summary>
    public static TypeSystem FromDwarf(DwarfInfo dwarf, DwarfNameIndex index)
    {
        ArgumentNullException.ThrowIfNull(dwarf);
        ArgumentNullException.ThrowIfNull(index);
        return new TypeSystem(dwarf.Path, dwarf, index);
    }

    /// <summary>An instance for a file without DWARF: every lookup throws <see cref="NoDebugInfoException"/>.</summary>
    public static TypeSystem WithoutDebugInfo(string path) => new(path, null, null);

    /// <summary>
    /// Types of an ELF file: its DWARF and a name index loaded from <paramref name="indexCacheFile"/>
    /// when that holds one for <paramref name="buildId"/>, else built (and saved there when a path
    /// and build-id are given). Without <c>.debug_info</c>, an instance that reports "no debug info".
    /// </summary>
    public static TypeSystem ForElf(Elf.ElfFile elf, string? buildId = null, string? indexCacheFile = null)
    {
        ArgumentNullException.ThrowIfNull(elf);
        var dwarf = DwarfInfo.FromElf(elf);
        if (dwarf is null) return WithoutDebugInfo(elf.Path);
        var index = DwarfNameIndex.LoadOrBuild(dwarf, buildId, indexCacheFile, out _);
        return FromDwarf(dwarf, index);
    }

    /// <summary>False for a file without DWARF: then every lookup throws <see cref="NoDebugInfoException"/>.</summary>
    public bool HasDebugInfo => _builder is not null;

    /// <summary>The DWARF information.</summary>
    /// <exception cref="NoDebugInfoException">the file has none.</exception>
    public DwarfInfo Dwarf => _dwarf ?? throw new NoDebugInfoException(_path);

    /// <summary>The name index.</summary>
    /// <exception cref="NoDebugInfoException">the file has no DWARF.</exception>
    public DwarfNameIndex Index => _index ?? throw new NoDebugInfoException(_path);

    TypeBuilder Builder => _builder ?? throw new NoDebugInfoException(_path);

    /// <summary><c>void</c>.</summary>
    public CType Void { get; }

    /// <summary>The type a type DIE describes (cached per DIE).</summary>
    /// <exception cref="DumpFormatException">the DIE is corrupt or part of a type cycle.</exception>
    public CType TypeOf(Die die) => Builder.TypeOf(die);

    /// <summary>The type of a DIE that has one (variable, member, parameter, function): its DW_AT_type, following origins; void when absent.</summary>
    public CType TypeOfAttribute(Die die) => Builder.TypeAttribute(die);

    /// <summary>A pointer to <paramref name="target"/> (8 bytes), one instance per target.</summary>
    public CType PointerTo(CType target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return _pointers.GetOrAdd(target, t => new CType(CTypeKind.Pointer, null, 8, t));
    }

    /// <summary>An array of <paramref name="count"/> <paramref name="element"/>s (null count: <c>[]</c>).</summary>
    public CType ArrayOf(CType element, ulong? count)
    {
        ArgumentNullException.ThrowIfNull(element);
        return new CType(CTypeKind.Array, null, count is { } c && element.Size is { } s ? c * s : null, element, count);
    }

    /// <summary><paramref name="type"/> with a qualifier (<see cref="CTypeKind.Const"/>, <see cref="CTypeKind.Volatile"/>...) on top.</summary>
    public CType Qualified(CType type, CTypeKind qualifier)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (qualifier is not (CTypeKind.Const or CTypeKind.Volatile or CTypeKind.Restrict or CTypeKind.Atomic))
            throw new ArgumentOutOfRangeException(nameof(qualifier), qualifier, "not a qualifier");
        return new CType(qualifier, null, type.Size, type);
    }

    /// <summary>
    /// A type by the name a user writes: <c>task_struct</c> (a typedef of that name first, then a
    /// struct, union, enum or class tag: gdb's order), <c>struct task_struct</c>, <c>union
    /// thread_union</c>, <c>enum pid_type</c>, base types in any spelling (<c>unsigned long</c>,
    /// <c>long unsigned int</c>), with <c>const</c>/<c>volatile</c>, pointer stars and array
    /// suffixes (<c>const char *</c>, <c>int *[4]</c>). Complete definitions win over declarations;
    /// among several definitions, the first in the file. A base type the debug info never uses
    /// is synthesized with its x86-64 size.
    /// </summary>
    /// <exception cref="NoDebugInfoException">the file has no DWARF.</exception>
    public bool TryFindType(string name, out CType type)
    {
        ArgumentNullException.ThrowIfNull(name);
        _ = Builder;
        type = null!;
        if (!TypeNameParser.TryParse(name, out var parsed)) return false;
        if (!TryFindBase(parsed.Tag, parsed.BaseName, out var t)) return false;
        if (parsed.BaseConst) t = Qualified(t, CTypeKind.Const);
        if (parsed.BaseVolatile) t = Qualified(t, CTypeKind.Volatile);
        foreach (var (isConst, isVolatile) in parsed.Pointers)
        {
            t = PointerTo(t);
            if (isConst) t = Qualified(t, CTypeKind.Const);
            if (isVolatile) t = Qualified(t, CTypeKind.Volatile);
        }
        for (var i = parsed.ArrayCounts.Count - 1; i >= 0; i--) t = ArrayOf(t, parsed.ArrayCounts[i]);
        type = t;
        return true;
    }

    /// <summary>Like <see cref="TryFindType"/>; throws gdb's <c>No symbol "NAME" in current context.</c> when absent.</summary>
    public CType FindType(string name) =>
        TryFindType(name, out var t) ? t : throw new KdumpDebugException($"No symbol \"{name}\" in current context.");

    bool TryFindBase(string? tag, string name, out CType type)
    {
        var index = Index;
        switch (tag)
        {
            case "struct": return First(name, NameKinds.Struct, NameKinds.StructDeclaration, out type);
            case "union": return First(name, NameKinds.Union, NameKinds.UnionDeclaration, out type);
            case "enum": return First(name, NameKinds.Enum, NameKinds.EnumDeclaration, out type);
            case "class": return First(name, NameKinds.Class | NameKinds.Struct, NameKinds.ClassDeclaration | NameKinds.StructDeclaration, out type);
        }
        if (name == "void")
        {
            type = Void;
            return true;
        }
        if (BaseTypeNames.IsBaseTypeName(name))
        {
            foreach (var spelling in new[] { BaseTypeNames.GccSpelling(name), BaseTypeNames.Canonical(name), name })
                if (index.TryFindFirst(spelling, NameKinds.BaseType, out var m))
                {
                    type = TypeOf(m.Die);
                    return true;
                }
            var canonical = BaseTypeNames.Canonical(name);
            if (BaseTypeNames.TryGetLp64(canonical, out var size, out var encoding))
            {
                type = _syntheticBase.GetOrAdd(canonical, n => new CType(
                    encoding == DwAte.Boolean ? CTypeKind.Boolean : encoding == DwAte.Float ? CTypeKind.Float : CTypeKind.Integer,
                    n, size, encoding: encoding, isSigned: encoding is DwAte.Signed or DwAte.SignedChar or DwAte.Float));
                return true;
            }
        }
        // A plain identifier: ordinary identifiers (typedefs, base types) first, then tags.
        return First(name, NameKinds.Typedef | NameKinds.BaseType, NameKinds.None, out type)
               || First(name, NameKinds.Struct | NameKinds.Union | NameKinds.Enum | NameKinds.Class,
                   NameKinds.StructDeclaration | NameKinds.UnionDeclaration | NameKinds.EnumDeclaration | NameKinds.ClassDeclaration, out type);
    }

    bool First(string name, NameKinds definitions, NameKinds declarations, out CType type)
    {
        var matches = Index.Find(name, definitions | declarations);
        foreach (var pass in new[] { definitions, declarations })
        {
            if (pass == NameKinds.None) continue;
            // Kinds in the caller's order of preference: typedef before base, struct before union...
            foreach (var kind in new[] { NameKind.Typedef, NameKind.BaseType, NameKind.Struct, NameKind.Union, NameKind.Enum, NameKind.Class,
                         NameKind.StructDeclaration, NameKind.UnionDeclaration, NameKind.EnumDeclaration, NameKind.ClassDeclaration })
            {
                if (((uint)pass & (1u << (int)kind)) == 0) continue;
                foreach (var m in matches)
                {
                    if (m.Kind != kind) continue;
                    type = TypeOf(m.Die);
                    return true;
                }
            }
        }
        type = null!;
        return false;
    }

    /// <summary>
    /// A global (unit-level) variable by name: the first definition with a location, else a
    /// declaration (then <see cref="GlobalVariable.Address"/> is null: take it from the symbol table).
    /// </summary>
    /// <exception cref="NoDebugInfoException">the file has no DWARF.</exception>
    public bool TryFindVariable(string name, out GlobalVariable variable)
    {
        ArgumentNullException.ThrowIfNull(name);
        var matches = Index.Find(name, NameKinds.Variable | NameKinds.VariableDeclaration);
        GlobalVariable? first = null;
        foreach (var kind in new[] { NameKind.Variable, NameKind.VariableDeclaration })
        {
            foreach (var m in matches)
            {
                if (m.Kind != kind) continue;
                // A definition may carry only DW_AT_specification to a declaration of incomplete
                // type (extern const char linux_banner[]) while another unit's says [167]:
                // prefer a complete type, as gdb ends up showing.
                var v = VariableOf(m.Die);
                if (v.Type.Size is not null)
                {
                    variable = v;
                    return true;
                }
                first ??= v;
            }
            if (first is not null) break; // a definition of incomplete type beats any declaration
        }
        variable = first!;
        return first is not null;
    }

    /// <summary>Every definition of a variable named <paramref name="name"/> (static variables of one name in several files), then its declarations.</summary>
    public IReadOnlyList<GlobalVariable> FindVariables(string name) =>
        [.. Index.Find(name, NameKinds.Variable | NameKinds.VariableDeclaration).OrderBy(m => m.Kind).Select(m => VariableOf(m.Die))];

    /// <summary>The variable a DW_TAG_variable DIE describes (name, type and declaration site through DW_AT_specification).</summary>
    public GlobalVariable VariableOf(Die die)
    {
        var name = die.TryGetAttributeFollowingOrigins(DwAt.Name, out var n) ? n.AsString() : "";
        var type = TypeOfAttribute(die);
        ulong? address = TryGetStaticAddress(die, out var a) ? a : null;
        var isDeclaration = !die.Has(DwAt.Location);
        var (file, line) = DeclarationOf(die);
        return new GlobalVariable(name, type, address, file, line, isDeclaration, die);
    }

    /// <summary>
    /// The link-time address of a variable DIE whose DW_AT_location is one DW_OP_addr or
    /// DW_OP_addrx (a unit-level or static variable; a per-CPU variable's offset in the per-CPU
    /// area); false for any other location. Reads only the DIE's location (no type is built).
    /// </summary>
    /// <exception cref="DumpFormatException">the location expression is corrupt.</exception>
    public static bool TryGetStaticAddress(Die die, out ulong address)
    {
        address = 0;
        if (!die.TryGetAttribute(DwAt.Location, out var location) || location.Class is not (AttributeClass.ExprLoc or AttributeClass.Block)) return false;
        var ops = DwarfExpression.Decode(location.Memory, die.Unit.AddressSize, die.Unit.OffsetSize, die.Unit.Dwarf.Path);
        if (ops.Count != 1) return false;
        if (ops[0].Opcode == DwOp.Addr) address = ops[0].Operand1;
        else if (ops[0].Opcode is DwOp.Addrx or DwOp.GnuAddrIndex) address = AttributeValue.ReadAddressIndex(die.Unit, ops[0].Operand1, location);
        else return false;
        return true;
    }

    /// <summary>
    /// A function by name: the first with code (lowest DIE offset), else an inline-only one.
    /// </summary>
    /// <exception cref="NoDebugInfoException">the file has no DWARF.</exception>
    public bool TryFindFunction(string name, out FunctionInfo function)
    {
        ArgumentNullException.ThrowIfNull(name);
        var matches = Index.Find(name, NameKinds.Function | NameKinds.InlineFunction);
        foreach (var kind in new[] { NameKind.Function, NameKind.InlineFunction })
            foreach (var m in matches)
                if (m.Kind == kind)
                {
                    function = FunctionOf(m.Die);
                    return true;
                }
        function = null!;
        return false;
    }

    /// <summary>Every function named <paramref name="name"/> with code (static functions of one name in several files), then inline-only ones.</summary>
    public IReadOnlyList<FunctionInfo> FindFunctions(string name) =>
        [.. Index.Find(name, NameKinds.Function | NameKinds.InlineFunction).OrderBy(m => m.Kind).Select(m => FunctionOf(m.Die))];

    /// <summary>The function a DW_TAG_subprogram DIE describes. Its type comes from the abstract instance when the DIE is a concrete one.</summary>
    public FunctionInfo FunctionOf(Die die)
    {
        var name = die.TryGetAttributeFollowingOrigins(DwAt.Name, out var n) ? n.AsString() : "";
        var ranges = RangeLists.ForDie(die);
        ulong? low = ranges.Count > 0 ? ranges.Min(r => r.Begin) : null;
        ulong? high = ranges.Count > 0 ? ranges.Max(r => r.End) : null;
        var typeDie = die.TryGetAttribute(DwAt.AbstractOrigin, out var origin) ? origin.AsDie() : die;
        var type = TypeOf(typeDie);
        var (file, line) = DeclarationOf(die);
        var names = type.Parameters.Select(p => p.Name).ToList();
        return new FunctionInfo(name, low, high, ranges, type, names, file, line, ranges.Count == 0 && die.Has(DwAt.Inline), die);
    }

    /// <summary>
    /// An enumerator by name (enumerators are ordinary identifiers in C): its enum type and value.
    /// </summary>
    public bool TryFindEnumerator(string name, out CType enumType, out CEnumerator enumerator)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var m in Index.Find(name, NameKinds.Enumerator))
        {
            enumType = TypeOf(m.Enumeration);
            foreach (var e in enumType.Enumerators)
                if (e.Name == name)
                {
                    enumerator = e;
                    return true;
                }
        }
        enumType = null!;
        enumerator = null!;
        return false;
    }

    /// <summary>
    /// Where a DIE is declared: DW_AT_decl_file resolved through its unit's line-program header
    /// (paths as crash prints them, e.g. <c>./include/linux/sched.h</c>) and DW_AT_decl_line, both
    /// following DW_AT_specification/abstract_origin; (null, 0) when absent.
    /// </summary>
    public (string? File, int Line) DeclarationOf(Die die)
    {
        var line = die.TryGetAttributeFollowingOrigins(DwAt.DeclLine, out var l) ? (int)Math.Min(l.AsUnsigned(), int.MaxValue) : 0;
        if (!die.TryGetAttributeFollowingOrigins(DwAt.DeclFile, out var f)) return (null, line);
        var header = LineHeader(f.Unit);
        return (header?.FilePath((uint)Math.Min(f.AsUnsigned(), uint.MaxValue)), line);
    }

    LineProgramHeader? LineHeader(DwarfUnit unit) => _lineHeaders.GetOrAdd(unit.Index, _ =>
    {
        if (unit.LineProgram is not { } stmt) return null;
        var sections = unit.Dwarf.Sections;
        var data = sections.LineMemory;
        if (stmt.Value >= (ulong)data.Length) return null;
        try
        {
            var cursor = new LineCursor(data.Span, unit.Dwarf.Path, ".debug_line", (int)stmt.Value, data.Length);
            var header = LineProgramHeader.Parse(ref cursor, new LineStrings(unit.Dwarf.Path, sections.LineStrMemory, sections.StrMemory));
            if (header.Version < 5 && unit.CompilationDirectory is { } dir) header.CompilationDirectory = dir;
            return header;
        }
        catch (DumpFormatException)
        {
            return null;
        }
    });

    /// <summary>The name, as written in C, of a type (gdb's spelling; <see cref="TypePrinter.TypeName"/>).</summary>
    public static string NameOf(CType type) => TypePrinter.TypeName(type);

    internal static string Utf8(ReadOnlySpan<byte> b) => Encoding.UTF8.GetString(b);
}
