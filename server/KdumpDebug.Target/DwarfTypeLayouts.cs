using System.Collections.Concurrent;
using KdumpDebug.Debuginfo.Types;

namespace KdumpDebug.Target;

/// <summary>
/// <see cref="ITypeLayouts"/> over the vmlinux's DWARF type system. Answers are cached per
/// (struct, member path), so the module walk and later helpers pay for a lookup once. Thread-safe.
/// </summary>
public sealed class DwarfTypeLayouts : ITypeLayouts
{
    readonly TypeSystem _types;
    readonly ConcurrentDictionary<(string, string), (ulong Offset, ulong Size)?> _members = new();

    public DwarfTypeLayouts(TypeSystem types) => _types = types;

    public bool TryGetMemberOffset(string structName, string memberPath, out ulong offset)
    {
        var found = Lookup(structName, memberPath);
        offset = found?.Offset ?? 0;
        return found is not null;
    }

    public bool TryGetMemberSize(string structName, string memberPath, out ulong size)
    {
        var found = Lookup(structName, memberPath);
        size = found?.Size ?? 0;
        return found is not null;
    }

    public bool TryGetStructSize(string structName, out ulong size)
    {
        size = 0;
        if (!_types.HasDebugInfo || !_types.TryFindType("struct " + structName, out var type)) return false;
        size = type.StripTypedefs().Size ?? 0;
        return type.StripTypedefs().Size is not null;
    }

    (ulong Offset, ulong Size)? Lookup(string structName, string memberPath) =>
        _members.GetOrAdd((structName, memberPath), key => Resolve(key.Item1, key.Item2));

    (ulong Offset, ulong Size)? Resolve(string structName, string memberPath)
    {
        if (!_types.HasDebugInfo || !_types.TryFindType("struct " + structName, out var type)) return null;
        ulong offset = 0;
        foreach (var part in memberPath.Split('.'))
        {
            if (!type.StripTypedefs().TryFindMember(part, out var member)) return null;
            offset += member.ByteOffset;
            type = member.Type;
        }
        return (offset, type.StripTypedefs().Size ?? 0);
    }
}
