namespace KdumpDebug.Debuginfo.Dwarf;

/// <summary>
/// Decodes and skips attribute values of every form (DWARF 5 §7.5.6, Table 7.6, with the GNU
/// extensions GCC emits). Allocation-free; a form this reader does not know is an error naming
/// the section and offset, because the DIE's remaining bytes cannot be found without its size.
/// </summary>
internal static class AttributeDecoder
{
    /// <summary>Decodes the value of <paramref name="spec"/> at the cursor and moves past it.</summary>
    public static AttributeValue Read(DwarfUnit unit, ref DwarfCursor c, in AttributeSpec spec)
    {
        var form = spec.Form;
        var indirections = 0;
        while (true)
        {
            var start = c.Position;
            switch (form)
            {
                case DwForm.Addr:
                    return new AttributeValue(unit, spec.Name, form, c.Sized(unit.AddressSize), start, -1);
                case DwForm.Data1 or DwForm.Flag or DwForm.Strx1 or DwForm.Addrx1:
                    return new AttributeValue(unit, spec.Name, form, c.U8(), start, -1);
                case DwForm.Data2 or DwForm.Strx2 or DwForm.Addrx2:
                    return new AttributeValue(unit, spec.Name, form, c.U16(), start, -1);
                case DwForm.Strx3 or DwForm.Addrx3:
                    return new AttributeValue(unit, spec.Name, form, c.U24(), start, -1);
                case DwForm.Data4 or DwForm.Strx4 or DwForm.Addrx4:
                    return new AttributeValue(unit, spec.Name, form, c.U32(), start, -1);
                case DwForm.Data8 or DwForm.RefSig8:
                    return new AttributeValue(unit, spec.Name, form, c.U64(), start, -1);
                case DwForm.Data16:
                    c.Skip(16);
                    return new AttributeValue(unit, spec.Name, form, 16, start, 16);
                case DwForm.Sdata:
                    return new AttributeValue(unit, spec.Name, form, (ulong)c.Sleb(), start, -1);
                case DwForm.Udata or DwForm.Strx or DwForm.Addrx or DwForm.Loclistx or DwForm.Rnglistx
                    or DwForm.GnuAddrIndex or DwForm.GnuStrIndex:
                    return new AttributeValue(unit, spec.Name, form, c.Uleb(), start, -1);
                case DwForm.String:
                {
                    var s = c.CString();
                    return new AttributeValue(unit, spec.Name, form, (ulong)s.Length, start, s.Length);
                }
                case DwForm.Strp or DwForm.LineStrp or DwForm.SecOffset or DwForm.StrpSup or DwForm.GnuStrpAlt or DwForm.GnuRefAlt:
                    return new AttributeValue(unit, spec.Name, form, c.Offset(unit.Is64BitFormat), start, -1);
                case DwForm.Ref1:
                    return new AttributeValue(unit, spec.Name, form, unit.Offset.Value + c.U8(), start, -1);
                case DwForm.Ref2:
                    return new AttributeValue(unit, spec.Name, form, unit.Offset.Value + c.U16(), start, -1);
                case DwForm.Ref4:
                    return new AttributeValue(unit, spec.Name, form, unit.Offset.Value + c.U32(), start, -1);
                case DwForm.Ref8:
                    return new AttributeValue(unit, spec.Name, form, unit.Offset.Value + c.U64(), start, -1);
                case DwForm.RefUdata:
                    return new AttributeValue(unit, spec.Name, form, unit.Offset.Value + c.Uleb(), start, -1);
                case DwForm.RefAddr:
                    // DWARF 2 sized DW_FORM_ref_addr like an address; later versions like an offset.
                    return new AttributeValue(unit, spec.Name, form,
                        unit.Version <= 2 ? c.Sized(unit.AddressSize) : c.Offset(unit.Is64BitFormat), start, -1);
                case DwForm.RefSup4:
                    return new AttributeValue(unit, spec.Name, form, c.U32(), start, -1);
                case DwForm.RefSup8:
                    return new AttributeValue(unit, spec.Name, form, c.U64(), start, -1);
                case DwForm.FlagPresent:
                    return new AttributeValue(unit, spec.Name, form, 1, start, -1);
                case DwForm.ImplicitConst:
                    return new AttributeValue(unit, spec.Name, form, (ulong)spec.ImplicitConst, start, -1);
                case DwForm.Exprloc or DwForm.Block:
                {
                    var length = c.Uleb();
                    var at = c.Position;
                    c.Skip(length);
                    return new AttributeValue(unit, spec.Name, form, length, at, (int)length);
                }
                case DwForm.Block1:
                {
                    var length = c.U8();
                    var at = c.Position;
                    c.Skip(length);
                    return new AttributeValue(unit, spec.Name, form, length, at, length);
                }
                case DwForm.Block2:
                {
                    var length = c.U16();
                    var at = c.Position;
                    c.Skip(length);
                    return new AttributeValue(unit, spec.Name, form, length, at, length);
                }
                case DwForm.Block4:
                {
                    var length = c.U32();
                    var at = c.Position;
                    c.Skip(length);
                    return new AttributeValue(unit, spec.Name, form, length, at, (int)length);
                }
                case DwForm.Indirect:
                {
                    // DWARF 5 §7.5.3: the actual form is a ULEB128 in the DIE, then the value.
                    var actual = c.Uleb();
                    if (++indirections > 4 || actual is 0 or > ushort.MaxValue || (DwForm)actual is DwForm.ImplicitConst)
                        throw c.ErrorAt(start, $"{AttributeValue.AttributeName(spec.Name)} has DW_FORM_indirect naming form 0x{actual:x}, which cannot be used there");
                    form = (DwForm)actual;
                    continue;
                }
                default:
                    throw c.ErrorAt(start, $"{AttributeValue.AttributeName(spec.Name)} has form 0x{(ushort)form:x}, which is not a known DWARF form");
            }
        }
    }

    /// <summary>Moves the cursor past the value of an attribute of <paramref name="form"/>.</summary>
    public static void Skip(DwarfUnit unit, ref DwarfCursor c, DwForm form, DwAt name)
    {
        var size = AbbreviationTable.FormSize(form, unit.AddressSize, unit.Is64BitFormat, unit.Version);
        if (size >= 0)
        {
            c.Skip((ulong)size);
            return;
        }
        switch (form)
        {
            case DwForm.Sdata or DwForm.Udata or DwForm.Strx or DwForm.Addrx or DwForm.Loclistx or DwForm.Rnglistx
                or DwForm.RefUdata or DwForm.GnuAddrIndex or DwForm.GnuStrIndex:
                c.SkipLeb();
                return;
            case DwForm.String:
                c.CString();
                return;
            case DwForm.Exprloc or DwForm.Block:
                c.Skip(c.Uleb());
                return;
            case DwForm.Block1:
                c.Skip(c.U8());
                return;
            case DwForm.Block2:
                c.Skip(c.U16());
                return;
            case DwForm.Block4:
                c.Skip(c.U32());
                return;
            default:
                // DW_FORM_indirect and unknown forms: the full decoder knows (or reports) them.
                Read(unit, ref c, new AttributeSpec(name, form, 0));
                return;
        }
    }
}
