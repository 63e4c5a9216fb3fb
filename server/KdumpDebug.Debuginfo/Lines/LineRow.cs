namespace KdumpDebug.Debuginfo.Lines;

/// <summary>
/// One row of the line-number matrix (DWARF 5 §6.2.2) as the state machine appends it: the
/// registers that matter for address-to-line lookups.
/// </summary>
internal readonly record struct LineRow(ulong Address, uint OpIndex, uint File, uint Line, uint Column,
    bool IsStmt, bool EndSequence, uint Discriminator);
