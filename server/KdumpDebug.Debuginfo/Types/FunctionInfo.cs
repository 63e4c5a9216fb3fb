using KdumpDebug.Debuginfo.Dwarf;

namespace KdumpDebug.Debuginfo.Types;

/// <summary>
/// A function from DWARF (a DW_TAG_subprogram): where its code is, its C type, and its declaration site.
/// </summary>
/// <param name="Name">The function's name.</param>
/// <param name="LowPc">Lowest link-time address of its code (of all its ranges), or null for an inline-only (abstract) function.</param>
/// <param name="HighPc">Address just past its highest code range, or null.</param>
/// <param name="Ranges">Every code range (one for a contiguous function; a <c>.cold</c> part adds one), empty when inline-only.</param>
/// <param name="Type">Its function type: return type, parameters, prototyped, variadic.</param>
/// <param name="ParameterNames">The parameters' names in order (null where DWARF has none).</param>
/// <param name="DeclFile">The source file as crash prints paths, or null.</param>
/// <param name="DeclLine">The declaration line, or 0.</param>
/// <param name="IsInlineOnly">True for an abstract instance (DW_AT_inline) with no out-of-line code in this entry.</param>
/// <param name="Die">The DW_TAG_subprogram DIE (the concrete one when it has code).</param>
public sealed record FunctionInfo(string Name, ulong? LowPc, ulong? HighPc, IReadOnlyList<AddressRange> Ranges, CType Type,
    IReadOnlyList<string?> ParameterNames, string? DeclFile, int DeclLine, bool IsInlineOnly, Die Die)
{
    /// <summary>The return type.</summary>
    public CType ReturnType => Type.Target!;

    /// <summary>The parameters (name and type).</summary>
    public IReadOnlyList<CParameter> Parameters => Type.Parameters;
}
