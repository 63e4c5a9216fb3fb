namespace KdumpDebug.Debuginfo.Types;

/// <summary>One parameter of a function type: its type and, when DWARF gives it, its name.</summary>
public sealed record CParameter(string? Name, CType Type);
