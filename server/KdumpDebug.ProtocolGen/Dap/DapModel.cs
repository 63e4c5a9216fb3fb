namespace KdumpDebug.ProtocolGen.Dap;

/// <summary>Which generated file a type goes to.</summary>
public enum DapFileKind
{
    /// <summary>Shared types (<c>Capabilities</c>, <c>StackFrame</c>...): Types.g.cs.</summary>
    Types,
    /// <summary>Request arguments and response bodies: Requests.g.cs.</summary>
    Requests,
    /// <summary>Event bodies: Events.g.cs.</summary>
    Events,
    /// <summary>Everything defined by Protocol/custom.json: Custom.g.cs.</summary>
    Custom,
}

/// <summary>A C# type as written in a property: its text and whether it is a value type (for <c>?</c>).</summary>
public readonly record struct DapTypeRef(string Text, bool IsValueType);

/// <summary>One JSON property of a generated class.</summary>
public sealed record DapProperty(string JsonName, string CsName, DapTypeRef Type, bool Required, string? Doc);

/// <summary>One value of a string enumeration (closed enum member or known value of an open set).</summary>
public sealed record DapEnumValue(string Value, string CsName, string? Doc);

/// <summary>A generated class: an object definition, or an inline object (request/response/event body).</summary>
public sealed record DapClass(string Name, string? Doc, DapFileKind File, IReadOnlyList<DapProperty> Properties);

/// <summary>
/// A string enumeration. <see cref="Closed"/> ones (schema <c>enum</c>) become C# enums; open sets
/// (schema <c>_enum</c>, which may grow) stay strings and become a static class of constants.
/// </summary>
public sealed record DapEnum(string Name, string? Doc, DapFileKind File, bool Closed, IReadOnlyList<DapEnumValue> Values);

/// <summary>A request: its command, its arguments type and its response body type (null when none).</summary>
public sealed record DapRequest(string Command, string DefinitionName, string? Doc, string? ArgumentsType, string? BodyType, bool Custom);

/// <summary>An event: its name and its body type (null when none).</summary>
public sealed record DapEvent(string EventName, string DefinitionName, string? Doc, string? BodyType, bool Custom);

/// <summary>Everything the C# writer needs, each list sorted by name (ordinal) so output is deterministic.</summary>
public sealed record DapModel(
    IReadOnlyList<DapClass> Classes,
    IReadOnlyList<DapEnum> Enums,
    IReadOnlyList<DapRequest> Requests,
    IReadOnlyList<DapEvent> Events);
