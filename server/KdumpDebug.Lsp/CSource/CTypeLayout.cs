using KdumpDebug.Debuginfo.Types;

namespace KdumpDebug.Lsp.CSource;

/// <summary>Member layout helpers over the DWARF type model for hovers and completion.</summary>
public static class CTypeLayout
{
    /// <summary>
    /// The members reachable by name in a struct or union, in declaration order, with the members
    /// of anonymous structs and unions brought up (as C lets <c>p-&gt;member</c> reach them) and
    /// their byte offsets from the start of <paramref name="type"/>. Depth-limited against
    /// malformed (cyclic) DWARF.
    /// </summary>
    public static IEnumerable<(string Name, CMember Member, ulong Offset)> NamedMembers(CType type, ulong baseOffset = 0, int depth = 0)
    {
        if (depth > 16) yield break;
        var t = type.Unqualified();
        if (!t.IsStructLike) yield break;
        foreach (var m in t.Members)
        {
            if (m.Name is { } name) yield return (name, m, baseOffset + m.ByteOffset);
            else foreach (var inner in NamedMembers(m.Type, baseOffset + m.ByteOffset, depth + 1)) yield return inner;
        }
    }

    /// <summary>A type with typedefs and qualifiers removed and, when it is a pointer, its target likewise (what <c>.</c> or <c>-&gt;</c> looks into).</summary>
    public static CType Deref(CType type)
    {
        var t = type.Unqualified();
        if (t.Kind == CTypeKind.Pointer && t.Target is { } target) t = target.Unqualified();
        return t;
    }
}
