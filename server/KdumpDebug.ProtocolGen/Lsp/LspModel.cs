namespace KdumpDebug.ProtocolGen.Lsp;

/// <summary>
/// The C# view of the part of the LSP meta model the server uses: classes (structures and inline
/// literals), enums, and the methods it handles or sends. Built by <see cref="LspModelBuilder"/>,
/// written by <see cref="LspGenerator"/>.
/// </summary>
public sealed record LspModel(
    string Version,
    IReadOnlyList<LspClass> Classes,
    IReadOnlyList<LspEnum> Enums,
    IReadOnlyList<LspMethod> Methods);

/// <summary>A structure (its <c>extends</c> and <c>mixins</c> flattened in) or an inline literal type.</summary>
public sealed record LspClass(string Name, string? Doc, IReadOnlyList<LspProperty> Properties);

/// <summary>
/// One property: JSON and C# names, the C# type (without the nullable mark), whether it may be
/// absent (<c>optional</c>) or null (<c>T | null</c>), and whether the C# type is a value type.
/// </summary>
public sealed record LspProperty(string JsonName, string CsName, string Type, bool Optional, bool NullValue, bool ValueType, string? Doc);

/// <summary>An enumeration: integer ones become C# enums, string ones classes of constants.</summary>
public sealed record LspEnum(string Name, string? Doc, bool IsString, IReadOnlyList<LspEnumValue> Values);

/// <summary>One enumeration member: C# name, the value as written in C# (number or quoted string).</summary>
public sealed record LspEnumValue(string CsName, string Value, string? Doc);

/// <summary>A request or notification: method name, direction, and the C# types of its params and result (null: none).</summary>
public sealed record LspMethod(string Method, string TypeName, bool IsRequest, string Direction, string? ParamsType, string? ResultType, string? Doc);
