namespace KdumpDebug.Debuginfo.Types;

/// <summary>
/// The result of looking a member up by name through anonymous struct/union members: the member,
/// its offset from the start of the outer type (the anonymous members' offsets added up), and the
/// members crossed to reach it (the anonymous ones, then the member itself).
/// </summary>
public sealed record MemberLookup(CMember Member, ulong BitOffset, IReadOnlyList<CMember> Path)
{
    /// <summary>Byte offset from the start of the outer type.</summary>
    public ulong ByteOffset => BitOffset / 8;

    /// <summary>The member's type.</summary>
    public CType Type => Member.Type;
}
