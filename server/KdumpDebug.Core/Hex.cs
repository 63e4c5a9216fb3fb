namespace KdumpDebug.Core;

/// <summary>Parsing of the hexadecimal addresses users type (crash accepts them with or without 0x).</summary>
public static class Hex
{
    /// <summary>Parses "ffff...", "0xffff..." (case-insensitive). False on anything else.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out ulong value)
    {
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) text = text[2..];
        return ulong.TryParse(text, System.Globalization.NumberStyles.AllowHexSpecifier,
            System.Globalization.CultureInfo.InvariantCulture, out value) && text.Length > 0;
    }
}
