namespace KdumpDebug.Debuginfo.Types;

/// <summary>
/// Spellings of C base type names: gdb's canonical form (what gdb and crash print, e.g.
/// <c>unsigned long</c> for DWARF's <c>long unsigned int</c>; gdb runs type names through its C++
/// name canonicalizer), GCC's DWARF spelling (for finding the DIE), and the sizes of the LP64
/// base types (for a cast to a base type the debug info never mentions).
/// </summary>
public static class BaseTypeNames
{
    /// <summary>
    /// Parsed integer keywords of a base type name, or null when <paramref name="name"/> is not an
    /// integer/char base type name (floats, <c>_Bool</c>, typedef names).
    /// </summary>
    static (bool Unsigned, bool Signed, int Longs, bool Short, bool Char, bool Int128)? ParseInteger(string name)
    {
        bool unsigned = false, signed = false, @short = false, @char = false, int128 = false, any = false;
        var longs = 0;
        foreach (var word in name.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            switch (word)
            {
                case "unsigned": unsigned = true; break;
                case "signed": signed = true; break;
                case "short": @short = true; break;
                case "long": longs++; break;
                case "int": break;
                case "char": @char = true; break;
                case "__int128": int128 = true; break;
                default: return null;
            }
            any = true;
        }
        if (!any || longs > 2 || (unsigned && signed) || (@char && (longs > 0 || @short || int128)) || (@short && longs > 0)) return null;
        return (unsigned, signed, longs, @short, @char, int128);
    }

    /// <summary>
    /// gdb's canonical spelling of a base type name: <c>long unsigned int</c> → <c>unsigned long</c>,
    /// <c>short int</c> → <c>short</c>, <c>long long int</c> → <c>long long</c>; other names unchanged.
    /// </summary>
    public static string Canonical(string name)
    {
        if (ParseInteger(name) is not { } p) return name;
        if (p.Char) return p.Unsigned ? "unsigned char" : p.Signed ? "signed char" : "char";
        if (p.Int128) return p.Unsigned ? "unsigned __int128" : "__int128";
        var size = p.Short ? "short" : p.Longs == 2 ? "long long" : p.Longs == 1 ? "long" : "int";
        return p.Unsigned ? "unsigned " + size : size;
    }

    /// <summary>GCC's DWARF spelling of a base type name (<c>unsigned long</c> → <c>long unsigned int</c>), or the name unchanged.</summary>
    public static string GccSpelling(string name)
    {
        if (ParseInteger(name) is not { } p) return name;
        if (p.Char) return p.Unsigned ? "unsigned char" : p.Signed ? "signed char" : "char";
        if (p.Int128) return p.Unsigned ? "__int128 unsigned" : "__int128";
        var size = p.Short ? "short " : p.Longs == 2 ? "long long " : p.Longs == 1 ? "long " : "";
        return size + (p.Unsigned ? "unsigned int" : "int");
    }

    /// <summary>True when every word of <paramref name="name"/> is a base-type keyword (<c>unsigned</c>, <c>long</c>, <c>double</c>...).</summary>
    public static bool IsBaseTypeName(string name) =>
        ParseInteger(name) is not null || name is "_Bool" or "float" or "double" or "long double" or "void";

    /// <summary>
    /// Size, encoding and signedness of a base type named in C on x86-64 (LP64), for casts to a type the
    /// debug info does not define; false for names that are not base types.
    /// </summary>
    public static bool TryGetLp64(string name, out ulong size, out Dwarf.DwAte encoding)
    {
        size = 0;
        encoding = 0;
        switch (name)
        {
            case "_Bool": size = 1; encoding = Dwarf.DwAte.Boolean; return true;
            case "float": size = 4; encoding = Dwarf.DwAte.Float; return true;
            case "double": size = 8; encoding = Dwarf.DwAte.Float; return true;
            case "long double": size = 16; encoding = Dwarf.DwAte.Float; return true;
        }
        if (ParseInteger(name) is not { } p) return false;
        if (p.Char)
        {
            size = 1;
            encoding = p.Unsigned ? Dwarf.DwAte.UnsignedChar : Dwarf.DwAte.SignedChar;
            return true;
        }
        size = p.Int128 ? 16UL : p.Short ? 2UL : p.Longs > 0 ? 8UL : 4UL;
        encoding = p.Unsigned ? Dwarf.DwAte.Unsigned : Dwarf.DwAte.Signed;
        return true;
    }
}
