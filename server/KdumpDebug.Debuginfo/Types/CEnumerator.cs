namespace KdumpDebug.Debuginfo.Types;

/// <summary>One enumerator: its name and value (sign-extended when the enumeration is signed).</summary>
public sealed record CEnumerator(string Name, long Value);
