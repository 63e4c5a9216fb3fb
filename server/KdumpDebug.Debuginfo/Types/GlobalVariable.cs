using KdumpDebug.Debuginfo.Dwarf;

namespace KdumpDebug.Debuginfo.Types;

/// <summary>
/// A unit-level variable from DWARF: its name, type, link-time address and declaration site.
/// </summary>
/// <param name="Name">The variable's name.</param>
/// <param name="Type">Its type.</param>
/// <param name="Address">
/// The link-time address from a DW_AT_location that is a single DW_OP_addr / DW_OP_addrx (per-CPU
/// variables give their offset in the per-CPU area this way); null for a declaration only
/// (<c>extern</c>, e.g. <c>jiffies</c>, which the linker script defines: take the address from the
/// ELF symbol table) or a location that is not a plain address. Add the KASLR offset for run time.
/// </param>
/// <param name="DeclFile">The source file of the declaration as crash prints paths (<c>./include/linux/jiffies.h</c>), or null.</param>
/// <param name="DeclLine">The line of the declaration, or 0.</param>
/// <param name="IsDeclaration">True when only a declaration was found (no definition with a location).</param>
/// <param name="Die">The DIE (the definition when there is one).</param>
public sealed record GlobalVariable(string Name, CType Type, ulong? Address, string? DeclFile, int DeclLine, bool IsDeclaration, Die Die);
