namespace KdumpDebug.Target;

/// <summary>
/// Sizes and member offsets of the crashed kernel's types, looked up by name in the vmlinux's
/// DWARF (never from a table of offsets). The few kernel structures the target layer itself walks
/// (the module list, for symbols) use this narrow view; everything else uses the full type system.
/// </summary>
public interface ITypeLayouts
{
    /// <summary>
    /// Offset of <paramref name="memberPath"/> ("core_layout.base", members of anonymous
    /// structs/unions found by name) in <c>struct <paramref name="structName"/></c>.
    /// </summary>
    bool TryGetMemberOffset(string structName, string memberPath, out ulong offset);

    /// <summary>Byte size of <c>struct <paramref name="structName"/></c>.</summary>
    bool TryGetStructSize(string structName, out ulong size);

    /// <summary>Byte size of member <paramref name="memberPath"/> (an array's whole size).</summary>
    bool TryGetMemberSize(string structName, string memberPath, out ulong size);
}
