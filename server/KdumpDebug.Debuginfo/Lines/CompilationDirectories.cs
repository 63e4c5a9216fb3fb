namespace KdumpDebug.Debuginfo.Lines;

/// <summary>
/// The compilation directory (DW_AT_comp_dir) of each compilation unit, keyed by its line
/// program offset (DW_AT_stmt_list). Only DWARF 2-4 line tables need it: their headers do not
/// record the compilation directory, which crash prints in front of relative paths. Cost: reads
/// each unit's header and first DIE (and that DIE's abbreviation); the rest of <c>.debug_info</c>
/// is never touched.
/// </summary>
internal static class CompilationDirectories
{
    const ulong DwAtStmtList = 0x10, DwAtCompDir = 0x1b;

    public static Dictionary<ulong, string> Read(string path, ReadOnlySpan<byte> info, ReadOnlySpan<byte> abbrev,
        ReadOnlySpan<byte> str, ReadOnlySpan<byte> lineStr)
    {
        var result = new Dictionary<ulong, string>();
        var position = 0;
        while (info.Length - position >= 11)
        {
            var root = ReadUnitRoot(path, info, abbrev, str, lineStr, position, out position);
            if (root.StmtList is ulong s && root.CompDir is not null) result.TryAdd(s, root.CompDir);
        }
        return result;
    }

    /// <summary>
    /// DW_AT_stmt_list and DW_AT_comp_dir of the compilation unit at <paramref name="unitOffset"/>
    /// in <c>.debug_info</c> (nulls when the unit is not a compile/partial unit or lacks them);
    /// <paramref name="next"/> is where the next unit starts. Reads the unit header and first DIE only.
    /// </summary>
    public static (ulong? StmtList, string? CompDir) ReadUnitRoot(string path, ReadOnlySpan<byte> info, ReadOnlySpan<byte> abbrev,
        ReadOnlySpan<byte> str, ReadOnlySpan<byte> lineStr, int unitOffset, out int next)
    {
        var c = new LineCursor(info, path, ".debug_info", unitOffset, info.Length);
        ulong length = c.U32("unit_length");
        var offset64 = false;
        if (length == 0xffffffff)
        {
            offset64 = true;
            length = c.U64("unit_length (64-bit)");
        }
        if (length > (ulong)(info.Length - c.Position))
            throw c.Error("unit_length", $"0x{length:x} runs past the end of the section (0x{info.Length:x})");
        var end = c.Position + (int)length;
        next = end;
        c.End = end;
        var version = c.U16("version");
        if (version is < 2 or > 5) return default;
        ulong abbrevOffset;
        int addressSize;
        if (version >= 5)
        {
            var unitType = c.U8("unit_type");
            addressSize = c.U8("address_size");
            abbrevOffset = offset64 ? c.U64("debug_abbrev_offset") : c.U32("debug_abbrev_offset");
            if (unitType is not (1 or 3)) return default; // DW_UT_compile, DW_UT_partial
        }
        else
        {
            abbrevOffset = offset64 ? c.U64("debug_abbrev_offset") : c.U32("debug_abbrev_offset");
            addressSize = c.U8("address_size");
        }
        var code = c.Uleb("abbreviation code");
        if (code == 0 || abbrevOffset >= (ulong)abbrev.Length) return default;
        var a = new LineCursor(abbrev, path, ".debug_abbrev", (int)abbrevOffset, abbrev.Length);
        if (!FindAbbreviation(ref a, code)) return default;

        ulong? stmtList = null;
        string? compDir = null;
        while (true)
        {
            var name = a.Uleb("attribute name");
            var form = a.Uleb("attribute form");
            if (name == 0 && form == 0) break;
            if (form == 0x21) a.Sleb("implicit_const"); // DW_FORM_implicit_const: value in the abbreviation
            if (name == DwAtStmtList && form is 0x17 or 0x06 or 0x07)
                stmtList = form == 0x07 || (form == 0x17 && offset64) ? c.U64("DW_AT_stmt_list") : c.U32("DW_AT_stmt_list");
            else if (name == DwAtCompDir && form is 0x08 or 0x0e or 0x1f)
                compDir = form == 0x08 ? c.CString("DW_AT_comp_dir")
                    : ReadString(form == 0x0e ? str : lineStr, offset64 ? c.U64("DW_AT_comp_dir") : c.U32("DW_AT_comp_dir"));
            else
                SkipForm(ref c, form, addressSize, offset64, version);
        }
        return (stmtList, compDir);
    }

    static bool FindAbbreviation(ref LineCursor a, ulong code)
    {
        while (!a.AtEnd)
        {
            var entry = a.Uleb("abbreviation code");
            if (entry == 0) return false;
            a.Uleb("tag");
            a.U8("children");
            if (entry == code) return true;
            while (true)
            {
                var name = a.Uleb("attribute name");
                var form = a.Uleb("attribute form");
                if (form == 0x21) a.Sleb("implicit_const");
                if (name == 0 && form == 0) break;
            }
        }
        return false;
    }

    static string? ReadString(ReadOnlySpan<byte> table, ulong offset)
    {
        if (offset >= (ulong)table.Length) return null;
        var rest = table[(int)offset..];
        var n = rest.IndexOf((byte)0);
        return n < 0 ? null : System.Text.Encoding.UTF8.GetString(rest[..n]);
    }

    // DWARF 5 §7.5.6 Table 7.6: the size of each attribute form.
    static void SkipForm(ref LineCursor c, ulong form, int addressSize, bool offset64, int version)
    {
        var field = $"attribute (form 0x{form:x})";
        var offsetSize = offset64 ? 8u : 4u;
        switch (form)
        {
            case 0x01: c.Skip((ulong)addressSize, field); break;                          // addr
            case 0x03: c.Skip(c.U16(field), field); break;                               // block2
            case 0x04: c.Skip(c.U32(field), field); break;                               // block4
            case 0x05 or 0x12 or 0x26 or 0x2a: c.Skip(2, field); break;                  // data2 ref2 strx2 addrx2
            case 0x06 or 0x13 or 0x28 or 0x2c or 0x1c: c.Skip(4, field); break;          // data4 ref4 strx4 addrx4 ref_sup4
            case 0x07 or 0x14 or 0x20 or 0x24: c.Skip(8, field); break;                  // data8 ref8 ref_sig8 ref_sup8
            case 0x08: c.CString(field); break;                                          // string
            case 0x09 or 0x18: c.Skip(c.Uleb(field), field); break;                      // block exprloc
            case 0x0a: c.Skip(c.U8(field), field); break;                                // block1
            case 0x0b or 0x0c or 0x11 or 0x25 or 0x29: c.Skip(1, field); break;          // data1 flag ref1 strx1 addrx1
            case 0x0d: c.Sleb(field); break;                                             // sdata
            case 0x0e or 0x17 or 0x1d or 0x1f: c.Skip(offsetSize, field); break;         // strp sec_offset strp_sup line_strp
            case 0x0f or 0x15 or 0x1a or 0x1b or 0x22 or 0x23: c.Uleb(field); break;     // udata ref_udata strx addrx loclistx rnglistx
            case 0x10: c.Skip(version <= 2 ? (ulong)addressSize : offsetSize, field); break; // ref_addr
            case 0x19 or 0x21: break;                                                    // flag_present implicit_const
            case 0x1e: c.Skip(16, field); break;                                         // data16
            case 0x27 or 0x2b: c.Skip(3, field); break;                                  // strx3 addrx3
            case 0x16: SkipForm(ref c, c.Uleb(field), addressSize, offset64, version); break; // indirect
            default: throw c.Error(field, "is not a DWARF attribute form");
        }
    }
}
