namespace KdumpDebug.Target.Unwind;

/// <summary>
/// The memory an unwind reads: stack slots, saved registers, pt_regs. A read that cannot be
/// answered (unmapped, excluded by makedumpfile, outside a synthetic stack) returns false with a
/// one-line reason, which ends the walk with that reason.
/// </summary>
public interface IUnwindMemory
{
    /// <summary>Reads a little-endian 64-bit value.</summary>
    bool TryReadUInt64(ulong address, out ulong value, out string? error);
}
