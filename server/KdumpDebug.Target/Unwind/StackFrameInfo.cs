using KdumpDebug.Debuginfo.Cfi;

namespace KdumpDebug.Target.Unwind;

/// <summary>
/// One frame of an unwound stack, innermost first.
/// </summary>
/// <param name="Index">Position in the walk (0 = the initial registers).</param>
/// <param name="Pc">The frame's instruction pointer: the interrupted instruction for frame 0 and
/// frames below a pt_regs (<see cref="IsInterrupted"/>), otherwise a return address.</param>
/// <param name="Sp">The frame's stack pointer (drgn's <c>sp</c>; crash prints <c>Sp - 8</c>, the slot
/// holding the return address into this frame, as the frame's stack address).</param>
/// <param name="Cfa">The frame's Canonical Frame Address (its caller's sp), when a row computed it.</param>
/// <param name="Registers">The registers known in this frame (a copy the caller may keep).</param>
/// <param name="IsInterrupted">The pc is exact, not a return address: look up symbols, lines and
/// unwind rows at <c>Pc</c> rather than <c>Pc - 1</c>.</param>
/// <param name="RowSource">Where the row that unwound this frame came from; null when none did
/// (the last frame).</param>
/// <param name="RowKind">Kind of that row.</param>
/// <param name="PtRegsAddress">When the row is <see cref="UnwindRowKind.Regs"/> or
/// <see cref="UnwindRowKind.RegsPartial"/>: the address of the <c>struct pt_regs</c> the next
/// frame's registers came from (crash's exception frame, printed under this frame).</param>
/// <param name="IsUserMode">The registers are a user-mode context (cs &amp; 3 != 0): the end of
/// the kernel stack, shown with its registers as crash does for the syscall entry frame.</param>
public sealed record StackFrameInfo(
    int Index,
    ulong Pc,
    ulong Sp,
    ulong? Cfa,
    RegisterSet Registers,
    bool IsInterrupted,
    UnwindRowSource? RowSource,
    UnwindRowKind? RowKind,
    ulong? PtRegsAddress,
    bool IsUserMode)
{
    /// <summary>The symbol containing the frame's code address (<c>Pc</c>, or <c>Pc - 1</c> for a return address), when known.</summary>
    public KernelSymbol? Symbol { get; init; }

    /// <summary><c>Pc</c> minus the symbol's address (crash's and drgn's <c>function+offset</c>).</summary>
    public ulong SymbolOffset { get; init; }

    /// <summary>
    /// True for a first frame that was not given but found by searching the stack for where the CPU
    /// stopped (<see cref="KernelUnwinder.UnwindCpu"/>): its pc is a return address read from the stack.
    /// </summary>
    public bool FoundByStackSearch { get; init; }

    /// <summary>"function+0xoff" or the bare hex pc.</summary>
    public string Describe() => Symbol is KernelSymbol s ? $"{s.Name}+0x{SymbolOffset:x}" : $"{Pc:x}";

    public override string ToString() =>
        $"#{Index} pc={Pc:x} sp={Sp:x} {Describe()}{(IsInterrupted ? " (interrupted)" : "")}{(RowSource is { } src ? $" [{src} {RowKind}]" : "")}"
        + (PtRegsAddress is ulong p ? $" pt_regs@{p:x}" : "") + (IsUserMode ? " user" : "");
}
