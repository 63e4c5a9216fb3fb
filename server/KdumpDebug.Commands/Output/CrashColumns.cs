namespace KdumpDebug.Commands.Output;

/// <summary>How <see cref="CrashColumns.MkString"/> places text in its field (crash's mkstring flags).</summary>
[Flags]
public enum Justify
{
    /// <summary>Left-justified (pad on the right).</summary>
    Left = 1,
    /// <summary>Right-justified (pad on the left).</summary>
    Right = 2,
    /// <summary>Centered; with an odd amount of padding the extra space goes right (with Left or nothing) or left (with Right).</summary>
    Center = 4,
}

/// <summary>
/// crash's column helpers (tools.c): <c>mkstring()</c> justification and the widths its headers
/// use on x86-64: VADDR_PRLEN 16 (kernel addresses), UVADDR_PRLEN 10 (user addresses).
/// A string longer than its field is printed whole, as crash does.
/// </summary>
public static class CrashColumns
{
    /// <summary>VADDR_PRLEN on a 64-bit target.</summary>
    public const int VaddrWidth = 16;

    /// <summary>UVADDR_PRLEN for X86_64 (defs.h).</summary>
    public const int UvaddrWidth = 10;

    /// <summary>crash's <c>mkstring(s, size, flags)</c>.</summary>
    public static string MkString(string text, int size, Justify justify)
    {
        if (text.Length >= size) return text;
        var extra = size - text.Length;
        if ((justify & Justify.Center) != 0)
        {
            int left = extra / 2, right = extra / 2;
            if (extra % 2 != 0)
            {
                if ((justify & Justify.Right) != 0) left++;
                else right++;
            }
            return new string(' ', left) + text + new string(' ', right);
        }
        return (justify & Justify.Right) != 0 ? text.PadLeft(size) : text.PadRight(size);
    }
}
