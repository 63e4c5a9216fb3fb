namespace KdumpDebug.Target.Frames;

/// <summary>
/// What a location expression may ask of the frame it is evaluated in (gimli's "need register N",
/// "need memory at X" requests, as callbacks): the evaluator itself never sees a target.
/// Every method returns false, with a one-line reason where useful, when the frame cannot answer.
/// </summary>
public interface ILocationContext
{
    /// <summary>The value of DWARF register <paramref name="dwarfRegister"/> in this frame; false when the unwinder did not recover it.</summary>
    bool TryReadRegister(ulong dwarfRegister, out ulong value);

    /// <summary>Reads <paramref name="buffer"/>.Length bytes at <paramref name="address"/> (DW_OP_deref*).</summary>
    bool TryReadMemory(ulong address, Span<byte> buffer, out string? error);

    /// <summary>The frame's Canonical Frame Address (DW_OP_call_frame_cfa).</summary>
    bool TryGetCfa(out ulong cfa);

    /// <summary>The value of the function's DW_AT_frame_base (DW_OP_fbreg adds to it).</summary>
    bool TryGetFrameBase(out ulong frameBase, out string? error);

    /// <summary>The run-time address of a DW_OP_addr operand (KASLR relocation for the vmlinux).</summary>
    ulong RelocateAddress(ulong dwarfAddress);

    /// <summary>
    /// The value <paramref name="expression"/> (a DW_OP_entry_value block, normally one DW_OP_regN)
    /// had when the function was entered: recovered from the caller's call site, else false.
    /// </summary>
    bool TryGetEntryValue(ReadOnlyMemory<byte> expression, out ulong value, out string? error);
}
