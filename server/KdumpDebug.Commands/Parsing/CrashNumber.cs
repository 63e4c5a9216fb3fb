using System.Globalization;

namespace KdumpDebug.Commands.Parsing;

/// <summary>
/// Numbers as crash's tools.c reads them: <see cref="ParseCount"/> is <c>stol()</c> (decimal when
/// all digits, else hexadecimal with or without 0x), <see cref="ParseHex"/> is <c>htoll()</c>
/// (hexadecimal only). Errors carry crash's messages.
/// </summary>
static class CrashNumber
{
    /// <summary>crash's <c>hexadecimal(s, 0)</c>: an optional 0x and at least one hex digit, nothing else.</summary>
    public static bool IsHex(string text)
    {
        var digits = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text.AsSpan(2) : text.AsSpan();
        if (digits.IsEmpty) return false;
        foreach (var c in digits)
        {
            if (!char.IsAsciiHexDigit(c)) return false;
        }
        return true;
    }

    public static bool IsDecimal(string text) => text.Length > 0 && text.All(char.IsAsciiDigit);

    /// <summary>stol(): decimal or hexadecimal; "not a valid number: X" otherwise.</summary>
    public static long ParseCount(string text)
    {
        if (IsDecimal(text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var d)) return d;
        if (IsHex(text) && TryParseHex(text, out var h) && h <= long.MaxValue) return (long)h;
        throw new CommandException($"not a valid number: {text}");
    }

    /// <summary>htoll(): hexadecimal with an optional 0x; <c>invalid input: "X"</c> otherwise.</summary>
    public static ulong ParseHex(string text)
    {
        if (IsHex(text) && TryParseHex(text, out var value)) return value;
        throw new CommandException($"invalid input: \"{text}\"");
    }

    public static bool TryParseHex(string text, out ulong value)
    {
        var digits = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        return ulong.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }
}
