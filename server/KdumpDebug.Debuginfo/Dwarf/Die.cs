using System.Collections;
using KdumpDebug.Core.Errors;

namespace KdumpDebug.Debuginfo.Dwarf;

/// <summary>
/// A debugging information entry as a value (LLVM's DWARFDie): a unit and an offset.
/// <c>default</c> means "no DIE" (<see cref="IsNull"/>). Every accessor decodes from the section
/// bytes (the abbreviation code, then the attributes up to the one asked for): cheap, allocation
/// free except for strings, and nothing is cached here; callers that need a DIE repeatedly cache
/// what they build from it (the type system caches by <see cref="Offset"/>).
/// <para>Following DW_AT_abstract_origin or DW_AT_specification is a separate call
/// (<see cref="FollowOrigin"/>, <see cref="TryGetAttributeFollowingOrigins"/>).</para>
/// </summary>
public readonly struct Die : IEquatable<Die>
{
    readonly DwarfUnit? _unit;
    readonly ulong _offset;

    public Die(DwarfUnit unit, DebugInfoOffset offset)
    {
        _unit = unit ?? throw new ArgumentNullException(nameof(unit));
        _offset = offset.Value;
    }

    /// <summary>True for <c>default</c>: no DIE.</summary>
    public bool IsNull => _unit is null;

    /// <summary>The unit holding the DIE.</summary>
    public DwarfUnit Unit => _unit ?? throw new InvalidOperationException("no DIE (default Die)");

    /// <summary>Offset of the DIE in its unit's section.</summary>
    public DebugInfoOffset Offset => new(_offset);

    /// <summary>The abbreviation the DIE uses (its tag, children flag and attribute forms).</summary>
    /// <exception cref="DumpFormatException">the offset is outside the unit, holds a null entry, or an undefined code.</exception>
    public Abbreviation Abbreviation => ReadHeader(out _);

    /// <summary>The DIE's tag.</summary>
    public DwTag Tag => Abbreviation.Tag;

    /// <summary>True when the DIE owns children (they may still be just a null entry).</summary>
    public bool HasChildren => Abbreviation.HasChildren;

    /// <summary>The DIE's children, in order (empty when it has none).</summary>
    public DieChildren Children => new(this);

    /// <summary>The DIE's attributes, in abbreviation order.</summary>
    public DieAttributes Attributes => new(this);

    internal Abbreviation ReadHeader(out int attributesStart)
    {
        var unit = Unit;
        var data = unit.Data;
        if (_offset < unit.FirstDieOffset.Value || _offset >= unit.EndOffset.Value)
            throw new DumpFormatException(unit.Dwarf.Path, (long)_offset, unit.SectionName,
                $"DIE offset is outside its unit [{unit.FirstDieOffset}, {unit.EndOffset})");
        var c = new DwarfCursor(data, (int)_offset, (int)unit.EndOffset.Value, unit.Dwarf.Path, unit.SectionName);
        var code = c.Uleb();
        if (code == 0) throw c.ErrorAt((long)_offset, "a null entry is not a DIE");
        if (!unit.Abbreviations.TryGet(code, out var abbreviation))
            throw c.ErrorAt((long)_offset, $"abbreviation code {code} is not defined in the table at .debug_abbrev {unit.AbbrevOffset}");
        attributesStart = c.Position;
        return abbreviation;
    }

    /// <summary>The value of attribute <paramref name="name"/> of this DIE only, or false when absent.</summary>
    public bool TryGetAttribute(DwAt name, out AttributeValue value)
    {
        var abbreviation = ReadHeader(out var position);
        var unit = _unit!;
        var specs = abbreviation.AttributeSpan;
        var index = -1;
        for (var i = 0; i < specs.Length; i++)
            if (specs[i].Name == name) { index = i; break; }
        if (index < 0)
        {
            value = default;
            return false;
        }
        var c = new DwarfCursor(unit.Data, position, (int)unit.EndOffset.Value, unit.Dwarf.Path, unit.SectionName);
        for (var i = 0; i < index; i++) AttributeDecoder.Skip(unit, ref c, specs[i].Form, specs[i].Name);
        value = AttributeDecoder.Read(unit, ref c, specs[index]);
        return true;
    }

    /// <summary>True when the DIE has attribute <paramref name="name"/> (decodes only the abbreviation).</summary>
    public bool Has(DwAt name) => Abbreviation.Has(name);

    /// <summary>
    /// The value of <paramref name="name"/> on this DIE, else on the DIE its DW_AT_abstract_origin
    /// or DW_AT_specification names, and so on (the way gdb and drgn read an inlined or
    /// out-of-line instance). Chains are followed at most 16 steps, which also stops a cycle in
    /// corrupt input.
    /// </summary>
    public bool TryGetAttributeFollowingOrigins(DwAt name, out AttributeValue value)
    {
        var die = this;
        for (var step = 0; step < 16 && !die.IsNull; step++)
        {
            if (die.TryGetAttribute(name, out value)) return true;
            die = die.FollowOrigin();
        }
        value = default;
        return false;
    }

    /// <summary>
    /// The DIE named by DW_AT_abstract_origin, else by DW_AT_specification, else default.
    /// One step; see <see cref="TryGetAttributeFollowingOrigins"/> for chains.
    /// </summary>
    public Die FollowOrigin()
    {
        if (TryGetAttribute(DwAt.AbstractOrigin, out var origin)) return origin.AsDie();
        if (TryGetAttribute(DwAt.Specification, out var specification)) return specification.AsDie();
        return default;
    }

    /// <summary>The DIE attribute <paramref name="name"/> refers to, or default when absent.</summary>
    public Die GetReference(DwAt name) => TryGetAttribute(name, out var v) ? v.AsDie() : default;

    /// <summary>DW_AT_name of this DIE (not of its origin), or null. Allocates the string.</summary>
    public string? Name => TryGetAttribute(DwAt.Name, out var v) ? v.AsString() : null;

    /// <summary>The UTF-8 bytes of DW_AT_name, or false when absent (zero-copy).</summary>
    public bool TryGetNameBytes(out ReadOnlySpan<byte> name)
    {
        if (TryGetAttribute(DwAt.Name, out var v))
        {
            name = v.StringBytes();
            return true;
        }
        name = default;
        return false;
    }

    /// <summary>The string of attribute <paramref name="name"/>, or null when absent.</summary>
    public string? GetString(DwAt name) => TryGetAttribute(name, out var v) ? v.AsString() : null;

    /// <summary>The unsigned constant of attribute <paramref name="name"/>, or false when absent.</summary>
    public bool TryGetUnsigned(DwAt name, out ulong value)
    {
        if (TryGetAttribute(name, out var v))
        {
            value = v.AsUnsigned();
            return true;
        }
        value = 0;
        return false;
    }

    /// <summary>True when flag attribute <paramref name="name"/> is present and set.</summary>
    public bool GetFlag(DwAt name) => TryGetAttribute(name, out var v) && v.AsFlag();

    /// <summary>
    /// Offset just past this DIE and all its descendants. Uses DW_AT_sibling when the DIE has it,
    /// else walks the subtree (iteratively: deep nesting in corrupt input cannot overflow the stack).
    /// </summary>
    public ulong SubtreeEnd()
    {
        var unit = Unit;
        var c = new DwarfCursor(unit.Data, (int)_offset, (int)unit.EndOffset.Value, unit.Dwarf.Path, unit.SectionName);
        SkipSubtree(unit, ref c);
        return (ulong)c.Position;
    }

    /// <summary>Moves the cursor from the start of a DIE to just past its subtree.</summary>
    internal static void SkipSubtree(DwarfUnit unit, ref DwarfCursor c)
    {
        var table = unit.Abbreviations;
        var depth = 0;
        do
        {
            var start = c.Position;
            var code = c.Uleb();
            if (code == 0)
            {
                depth--;
                continue;
            }
            if (!table.TryGet(code, out var abbreviation))
                throw c.ErrorAt(start, $"abbreviation code {code} is not defined in the table at .debug_abbrev {unit.AbbrevOffset}");
            if (abbreviation.FixedSize >= 0 && abbreviation.SiblingIndex < 0)
                c.Skip((ulong)abbreviation.FixedSize);
            else
            {
                ulong sibling = 0;
                foreach (ref readonly var spec in abbreviation.AttributeSpan)
                {
                    if (spec.Name == DwAt.Sibling && abbreviation.HasChildren)
                    {
                        var v = AttributeDecoder.Read(unit, ref c, spec);
                        if (v.Class == AttributeClass.Reference && v.Form != DwForm.RefSig8) sibling = v.RawValue;
                    }
                    else AttributeDecoder.Skip(unit, ref c, spec.Form, spec.Name);
                }
                if (sibling != 0)
                {
                    if (sibling <= (ulong)start || sibling > unit.EndOffset.Value)
                        throw c.ErrorAt(start, $"DW_AT_sibling 0x{sibling:x} is not after the DIE and inside its unit (end {unit.EndOffset})");
                    c.Position = (int)sibling;
                    continue; // the subtree is skipped; depth unchanged
                }
            }
            if (abbreviation.HasChildren) depth++;
        } while (depth > 0);
    }

    /// <summary>Offset of the first child (just past the attributes), for a DIE with children.</summary>
    internal int FirstChildPosition()
    {
        var abbreviation = ReadHeader(out var position);
        var unit = _unit!;
        if (abbreviation.FixedSize >= 0) return position + abbreviation.FixedSize;
        var c = new DwarfCursor(unit.Data, position, (int)unit.EndOffset.Value, unit.Dwarf.Path, unit.SectionName);
        foreach (ref readonly var spec in abbreviation.AttributeSpan) AttributeDecoder.Skip(unit, ref c, spec.Form, spec.Name);
        return c.Position;
    }

    public bool Equals(Die other) => _unit == other._unit && _offset == other._offset;
    public override bool Equals(object? obj) => obj is Die d && Equals(d);
    public override int GetHashCode() => HashCode.Combine(_unit, _offset);
    public static bool operator ==(Die a, Die b) => a.Equals(b);
    public static bool operator !=(Die a, Die b) => !a.Equals(b);

    public override string ToString()
    {
        if (_unit is null) return "<no DIE>";
        try { return $"{AttributeValue.TagName(Tag)} at {_unit.SectionName} 0x{_offset:x}" + (Name is { } n ? $" \"{n}\"" : ""); }
        catch (DumpFormatException) { return $"<corrupt DIE at {_unit.SectionName} 0x{_offset:x}>"; }
    }
}

/// <summary>The children of a DIE; enumerating decodes each child's header to find the next.</summary>
public readonly struct DieChildren(Die parent) : IEnumerable<Die>
{
    public DieChildEnumerator GetEnumerator() => new(parent);
    IEnumerator<Die> IEnumerable<Die>.GetEnumerator() => GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Walks siblings: from a child to the next via DW_AT_sibling or by skipping its subtree.</summary>
public struct DieChildEnumerator : IEnumerator<Die>
{
    readonly Die _parent;
    int _next; // offset of the next entry to look at; -1 before the first, -2 at the end
    Die _current;

    internal DieChildEnumerator(Die parent)
    {
        _parent = parent;
        _next = -1;
        _current = default;
    }

    public readonly Die Current => _current;
    readonly object IEnumerator.Current => _current;

    public bool MoveNext()
    {
        if (_next == -2) return false;
        var unit = _parent.Unit;
        if (_next == -1)
        {
            if (!_parent.HasChildren) { _next = -2; return false; }
            _next = _parent.FirstChildPosition();
        }
        else
        {
            var c = new DwarfCursor(unit.Data, (int)_current.Offset.Value, (int)unit.EndOffset.Value, unit.Dwarf.Path, unit.SectionName);
            Die.SkipSubtree(unit, ref c);
            _next = c.Position;
        }
        if (_next >= (int)unit.EndOffset.Value)
        {
            // Children that run to the end of the unit without a null entry: accepted (some producers do).
            _next = -2;
            return false;
        }
        if (unit.Data[_next] == 0) { _next = -2; return false; }
        _current = new Die(unit, new DebugInfoOffset((ulong)_next));
        return true;
    }

    public void Reset() { _next = -1; _current = default; }
    public readonly void Dispose() { }
}

/// <summary>The attributes of a DIE, decoded one by one in abbreviation order.</summary>
public readonly struct DieAttributes(Die die) : IEnumerable<AttributeValue>
{
    public DieAttributeEnumerator GetEnumerator() => new(die);
    IEnumerator<AttributeValue> IEnumerable<AttributeValue>.GetEnumerator() => GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Enumerates the attributes of one DIE.</summary>
public struct DieAttributeEnumerator : IEnumerator<AttributeValue>
{
    readonly Die _die;
    Abbreviation? _abbreviation;
    int _index;
    int _position;
    AttributeValue _current;

    internal DieAttributeEnumerator(Die die)
    {
        _die = die;
        _abbreviation = null;
        _index = -1;
        _position = 0;
        _current = default;
    }

    public readonly AttributeValue Current => _current;
    readonly object IEnumerator.Current => _current;

    public bool MoveNext()
    {
        _abbreviation ??= _die.ReadHeader(out _position);
        var specs = _abbreviation.AttributeSpan;
        if (_index + 1 >= specs.Length) return false;
        _index++;
        var unit = _die.Unit;
        var c = new DwarfCursor(unit.Data, _position, (int)unit.EndOffset.Value, unit.Dwarf.Path, unit.SectionName);
        _current = AttributeDecoder.Read(unit, ref c, specs[_index]);
        _position = c.Position;
        return true;
    }

    public void Reset() { _abbreviation = null; _index = -1; _current = default; }
    public readonly void Dispose() { }
}
