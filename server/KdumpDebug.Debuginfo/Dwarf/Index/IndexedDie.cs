namespace KdumpDebug.Debuginfo.Dwarf.Index;

/// <summary>
/// One verified match of a name lookup: what it is and its DIE. For an
/// <see cref="NameKind.Enumerator"/>, <see cref="Die"/> is the DW_TAG_enumerator and
/// <see cref="Enumeration"/> the enumeration type holding it; otherwise <see cref="Enumeration"/> is default.
/// </summary>
public readonly record struct IndexedDie(NameKind Kind, Die Die, Die Enumeration);
