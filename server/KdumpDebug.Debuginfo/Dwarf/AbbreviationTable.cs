using KdumpDebug.Core.Errors;

namespace KdumpDebug.Debuginfo.Dwarf;

/// <summary>
/// The abbreviation table at one <c>.debug_abbrev</c> offset (DWARF 5 §7.5.3), parsed in full
/// once and shared by every unit that names it (<see cref="DwarfInfo"/> caches tables by offset
/// and unit format). Lookups by code are an array index when codes are dense (GCC and Clang
/// number them 1..N), else a dictionary probe. Immutable and thread-safe.
/// </summary>
public sealed class AbbreviationTable
{
    readonly Abbreviation?[] _dense;
    readonly Dictionary<ulong, Abbreviation>? _sparse;

    /// <summary>Where the table starts in <c>.debug_abbrev</c>.</summary>
    public DebugAbbrevOffset Offset { get; }

    /// <summary>Number of abbreviations.</summary>
    public int Count { get; }

    AbbreviationTable(DebugAbbrevOffset offset, Abbreviation?[] dense, Dictionary<ulong, Abbreviation>? sparse, int count)
    {
        Offset = offset;
        _dense = dense;
        _sparse = sparse;
        Count = count;
    }

    /// <summary>The abbreviation with <paramref name="code"/>, or false when the table does not define it.</summary>
    public bool TryGet(ulong code, out Abbreviation abbreviation)
    {
        if (code < (ulong)_dense.Length && _dense[code] is { } a)
        {
            abbreviation = a;
            return true;
        }
        if (_sparse is not null && _sparse.TryGetValue(code, out a!))
        {
            abbreviation = a;
            return true;
        }
        abbreviation = null!;
        return false;
    }

    /// <summary>Every abbreviation, by code.</summary>
    public IEnumerable<Abbreviation> All
    {
        get
        {
            foreach (var a in _dense) if (a is not null) yield return a;
            if (_sparse is not null) foreach (var a in _sparse.Values) yield return a;
        }
    }

    /// <summary>
    /// Parses the table at <paramref name="offset"/>. <paramref name="addressSize"/>,
    /// <paramref name="offset64"/> and <paramref name="version"/> only decide the fixed sizes used to
    /// skip DIEs quickly. Cost: one pass over the table (a few KiB per unit in a kernel).
    /// </summary>
    /// <exception cref="DumpFormatException">the table runs past the section, repeats a code, or names form 0.</exception>
    internal static AbbreviationTable Parse(string path, ReadOnlySpan<byte> abbrev, DebugAbbrevOffset offset,
        int addressSize, bool offset64, int version)
    {
        if (offset.Value >= (ulong)abbrev.Length)
            throw new DumpFormatException(path, (long)offset.Value, ".debug_abbrev",
                $"abbreviation table offset is past the end of the section (0x{abbrev.Length:x} bytes)");
        var c = new DwarfCursor(abbrev, (int)offset.Value, abbrev.Length, path, ".debug_abbrev");
        var list = new List<Abbreviation>();
        var specs = new List<AttributeSpec>();
        ulong maxCode = 0;
        while (true)
        {
            if (c.AtEnd) break; // a table may end with the section instead of a 0 code
            var start = c.Position;
            var code = c.Uleb();
            if (code == 0) break;
            var tag = c.Uleb();
            var children = c.U8();
            specs.Clear();
            while (true)
            {
                var name = c.Uleb();
                var form = c.Uleb();
                if (name == 0 && form == 0) break;
                long implicitConst = 0;
                if (form == (ulong)DwForm.ImplicitConst) implicitConst = c.Sleb();
                if (form == 0 || form > ushort.MaxValue || name > ushort.MaxValue)
                    throw c.ErrorAt(start, $"abbreviation {code} has attribute 0x{name:x} with form 0x{form:x}, which is not a valid DWARF attribute form");
                specs.Add(new AttributeSpec((DwAt)name, (DwForm)form, implicitConst));
            }
            if (tag > ushort.MaxValue) throw c.ErrorAt(start, $"abbreviation {code} has tag 0x{tag:x}, larger than any DWARF tag");
            var attributes = specs.ToArray();
            list.Add(new Abbreviation(code, (DwTag)tag, children != 0, attributes, FixedSize(attributes, addressSize, offset64, version)));
            if (code > maxCode) maxCode = code;
        }

        // Dense storage when codes are 1..N (with a little slack); a dictionary otherwise.
        Abbreviation?[] dense;
        Dictionary<ulong, Abbreviation>? sparse = null;
        if (maxCode <= (ulong)list.Count * 2 + 16)
        {
            dense = new Abbreviation?[maxCode + 1];
            foreach (var a in list)
            {
                if (dense[a.Code] is not null)
                    throw new DumpFormatException(path, (long)offset.Value, ".debug_abbrev", $"abbreviation code {a.Code} is defined twice in the table");
                dense[a.Code] = a;
            }
        }
        else
        {
            dense = [];
            sparse = new Dictionary<ulong, Abbreviation>(list.Count);
            foreach (var a in list)
                if (!sparse.TryAdd(a.Code, a))
                    throw new DumpFormatException(path, (long)offset.Value, ".debug_abbrev", $"abbreviation code {a.Code} is defined twice in the table");
        }
        return new AbbreviationTable(offset, dense, sparse, list.Count);
    }

    /// <summary>Total size of the attributes when every form is fixed-size, else -1.</summary>
    static int FixedSize(AttributeSpec[] attributes, int addressSize, bool offset64, int version)
    {
        var total = 0;
        foreach (var a in attributes)
        {
            var size = FormSize(a.Form, addressSize, offset64, version);
            if (size < 0) return -1;
            total += size;
        }
        return total;
    }

    /// <summary>
    /// The size in bytes of a value of <paramref name="form"/> when it does not depend on the data
    /// (DWARF 5 §7.5.6), or -1 for variable-size forms (LEB128, strings, blocks, indirect) and
    /// forms this reader does not know.
    /// </summary>
    internal static int FormSize(DwForm form, int addressSize, bool offset64, int version) => form switch
    {
        DwForm.Addr => addressSize,
        DwForm.Data1 or DwForm.Ref1 or DwForm.Flag or DwForm.Strx1 or DwForm.Addrx1 => 1,
        DwForm.Data2 or DwForm.Ref2 or DwForm.Strx2 or DwForm.Addrx2 => 2,
        DwForm.Strx3 or DwForm.Addrx3 => 3,
        DwForm.Data4 or DwForm.Ref4 or DwForm.RefSup4 or DwForm.Strx4 or DwForm.Addrx4 => 4,
        DwForm.Data8 or DwForm.Ref8 or DwForm.RefSig8 or DwForm.RefSup8 => 8,
        DwForm.Data16 => 16,
        DwForm.Strp or DwForm.LineStrp or DwForm.SecOffset or DwForm.StrpSup or DwForm.GnuRefAlt or DwForm.GnuStrpAlt => offset64 ? 8 : 4,
        DwForm.RefAddr => version <= 2 ? addressSize : offset64 ? 8 : 4,
        DwForm.FlagPresent or DwForm.ImplicitConst => 0,
        _ => -1,
    };
}
