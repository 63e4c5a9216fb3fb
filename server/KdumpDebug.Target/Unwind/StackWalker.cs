using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Cfi;

namespace KdumpDebug.Target.Unwind;

/// <summary>
/// Walks a stack from a set of registers, one <see cref="UnwindRow"/> per frame, innermost first.
/// <para>
/// Design. For each frame the walker asks its <see cref="IUnwindRowSource"/>s in order for the row
/// at the frame's code address (the pc when it is exact, else the return address minus one, as
/// the kernel's unwind_next_frame does); the first answer wins. When that answer is an ORC call
/// row, which does not track rbx and r12-r15, a later source's row with the same CFA supplies
/// their rules (GCC's .debug_frame says where they were saved). With no answer at all, the
/// frame-pointer rule (CFA = rbp + 16, return address at rbp + 8, saved rbp at rbp; the kernel's
/// <c>orc_fp_entry</c>) is the last resort, when rbp plausibly points into the stack above sp.
/// One <see cref="UnwindContext"/> interprets every row.
/// </para>
/// <para>
/// Stop conditions, none of which can hang: a user-mode context (cs &amp; 3 != 0 after a pt_regs:
/// the syscall or interrupt entry frame; it is the last frame), an end-of-stack row, a return
/// address of 0 or one a DWARF row marks undefined, a pc outside kernel text, no row, a CFA or
/// return address that cannot be computed or read, no progress (an ordinary call frame must move
/// sp up; a frame that switches stacks, through a pt_regs or an indirect CFA, must not revisit a
/// (pc, sp) pair), and the depth limit. Abnormal ends give a one-line reason
/// "cannot unwind past FUNCTION+OFF: WHY"; normal ends give none.
/// </para>
/// <para>Cost per frame: one or two row lookups (binary searches), a few 8-byte reads, one register
/// copy for the frame. Not thread-safe (one walker per thread).</para>
/// </summary>
public sealed class StackWalker
{
    /// <summary>Default depth limit.</summary>
    public const int DefaultMaxFrames = 512;

    /// <summary>A frame pointer more than this far above sp is not trusted (kernel stacks are 16 KiB; IRQ stacks as large).</summary>
    const ulong MaxFramePointerDistance = 64 * 1024;

    readonly IUnwindMemory _memory;
    readonly IReadOnlyList<IUnwindRowSource> _sources;
    readonly Func<ulong, bool> _isCode;
    readonly Func<ulong, bool, string> _describe;
    readonly UnwindContext _context = new();

    /// <summary>
    /// A walker reading <paramref name="memory"/>, asking <paramref name="sources"/> in order.
    /// <paramref name="isCode"/> says whether an address is code the walker may unwind through
    /// (kernel or module text); <paramref name="describe"/> names an address ("function+0xoff") for
    /// stop reasons, given whether it is a return address.
    /// </summary>
    public StackWalker(IUnwindMemory memory, IReadOnlyList<IUnwindRowSource> sources, Func<ulong, bool> isCode,
        Func<ulong, bool, string>? describe = null)
    {
        _memory = memory ?? throw new ArgumentNullException(nameof(memory));
        _sources = sources ?? throw new ArgumentNullException(nameof(sources));
        _isCode = isCode ?? throw new ArgumentNullException(nameof(isCode));
        _describe = describe ?? ((address, _) => address.ToString("x"));
    }

    /// <summary>Whether the frame-pointer rule is tried when no source has a row (default true).</summary>
    public bool UseFramePointerFallback { get; init; } = true;

    /// <summary>
    /// When set, the frame-pointer rule is only tried for code addresses it accepts (e.g. not for
    /// module code whose tables are simply not loaded, where rbp is not a frame pointer).
    /// </summary>
    public Func<ulong, bool>? FramePointerAllowed { get; init; }

    /// <summary>When set, explains why an address has no unwind information (appended to the stop reason).</summary>
    public Func<ulong, string?>? NoInformationHint { get; init; }

    /// <summary>
    /// Unwinds from <paramref name="initial"/>. Returns the frames found (at least the first one
    /// when its pc is known); <paramref name="stopReason"/> is null when the walk reached a normal
    /// end (end of stack, user mode, return address 0) and a one-line reason otherwise.
    /// </summary>
    public IReadOnlyList<StackFrameInfo> Walk(RegisterSet initial, out string? stopReason, int maxFrames = DefaultMaxFrames) =>
        Walk(initial, initialPcIsReturnAddress: false, out stopReason, maxFrames);

    /// <summary>
    /// As <see cref="Walk(RegisterSet, out string?, int)"/>; when <paramref name="initialPcIsReturnAddress"/>
    /// is true the initial rip is a return address found on the stack (rsp just above its slot), so
    /// the first row is looked up at rip - 1 and the first frame is not marked interrupted.
    /// </summary>
    public IReadOnlyList<StackFrameInfo> Walk(RegisterSet initial, bool initialPcIsReturnAddress, out string? stopReason, int maxFrames = DefaultMaxFrames)
    {
        ArgumentNullException.ThrowIfNull(initial);
        if (maxFrames < 1) throw new ArgumentOutOfRangeException(nameof(maxFrames), "at least one frame");
        var frames = new List<StackFrameInfo>();
        var visited = new HashSet<(ulong Pc, ulong Sp)>();
        _context.Reset(initial);
        var interrupted = !initialPcIsReturnAddress;
        stopReason = null;
        while (true)
        {
            var regs = _context.Registers;
            if (!regs.TryGet(UnwindRegister.Rip, out var pc))
            {
                stopReason = frames.Count == 0 ? "cannot unwind: the initial registers have no rip"
                    : $"cannot unwind past {Describe(frames[^1])}: the return address is unknown";
                break;
            }
            if (!regs.TryGet(UnwindRegister.Rsp, out var sp))
            {
                stopReason = frames.Count == 0 ? "cannot unwind: the initial registers have no rsp"
                    : $"cannot unwind past {Describe(frames[^1])}: the stack pointer is unknown";
                break;
            }
            if (pc == 0)
            {
                // A zero return address ends a stack (the kernel's __unwind_start/unwind_done); a
                // zero initial pc is not a context at all.
                if (frames.Count == 0) stopReason = "cannot unwind: the initial rip is 0";
                break;
            }
            if (frames.Count >= maxFrames)
            {
                stopReason = $"cannot unwind past {Describe(frames[^1])}: stopped after {maxFrames} frames (depth limit)";
                break;
            }
            // User mode: the registers came from the pt_regs of a syscall or an interrupt from user
            // space (or the initial registers were user ones: a CPU stopped in user mode by the NMI).
            if (regs.IsUserMode || (!regs.IsKnown(UnwindRegister.Cs) && pc < 0x8000_0000_0000_0000UL))
            {
                frames.Add(new StackFrameInfo(frames.Count, pc, sp, null, regs.Clone(), interrupted, null, null, null, true));
                break;
            }
            if (!_isCode(pc))
            {
                if (frames.Count == 0)
                {
                    frames.Add(new StackFrameInfo(0, pc, sp, null, regs.Clone(), interrupted, null, null, null, false));
                    stopReason = $"cannot unwind past {_describe(pc, false)}: it is not in kernel text";
                }
                else
                {
                    stopReason = $"cannot unwind past {Describe(frames[^1])}: return address {pc:x} is not in kernel text";
                }
                break;
            }

            var lookup = interrupted ? pc : pc - 1;
            UnwindRow? row;
            try
            {
                row = FindRow(lookup, regs);
            }
            catch (KdumpDebugException e)
            {
                frames.Add(new StackFrameInfo(frames.Count, pc, sp, null, regs.Clone(), interrupted, null, null, null, false));
                stopReason = $"cannot unwind past {_describe(pc, !interrupted)}: {e.Message}";
                break;
            }
            if (row is null)
            {
                frames.Add(new StackFrameInfo(frames.Count, pc, sp, null, regs.Clone(), interrupted, null, null, null, false));
                var hint = NoInformationHint?.Invoke(pc);
                stopReason = $"cannot unwind past {_describe(pc, !interrupted)}: no ORC, DWARF CFI or frame-pointer information for this address"
                    + (hint is null ? "" : $" ({hint})");
                break;
            }
            if (row.Kind == UnwindRowKind.EndOfStack)
            {
                frames.Add(new StackFrameInfo(frames.Count, pc, sp, null, regs.Clone(), interrupted, row.Source, row.Kind, null, false));
                break;
            }
            if (!_context.TryComputeCfa(row, _memory, out var cfa, out var cfaError))
            {
                frames.Add(new StackFrameInfo(frames.Count, pc, sp, null, regs.Clone(), interrupted, row.Source, row.Kind, null, false));
                stopReason = $"cannot unwind past {_describe(pc, !interrupted)}: {cfaError}";
                break;
            }
            ulong? ptRegs = row.Kind switch
            {
                UnwindRowKind.Regs => cfa,
                UnwindRowKind.RegsPartial => unchecked(cfa - Debuginfo.Orc.PtRegs.IretFrameOffset),
                _ => null,
            };
            var frame = new StackFrameInfo(frames.Count, pc, sp, cfa, regs.Clone(), interrupted, row.Source, row.Kind, ptRegs, false);
            frames.Add(frame);
            if (!_context.TryStep(row, cfa, _memory, out var stepError))
            {
                stopReason = $"cannot unwind past {Describe(frame)}: {stepError}";
                break;
            }
            var next = _context.Registers;
            // DWARF 5 §6.4.4: an undefined return address means there is no caller (the outermost frame).
            if (!next.IsKnown(UnwindRegister.Rip) && row[UnwindRegister.Rip].Kind == RegisterRuleKind.Undefined) break;
            var nextSp = next[UnwindRegister.Rsp] ?? 0;
            var nextPc = next[UnwindRegister.Rip] ?? 0;
            var switchesStack = row.CrossesPtRegs || row.Cfa.Kind == CfaRuleKind.Expression;
            if (!switchesStack && nextSp <= sp)
            {
                stopReason = $"cannot unwind past {Describe(frame)}: the stack goes in the wrong direction (sp {sp:x} -> {nextSp:x})";
                break;
            }
            if (!visited.Add((nextPc, nextSp)))
            {
                stopReason = $"cannot unwind past {Describe(frame)}: the unwind loops (pc {nextPc:x}, sp {nextSp:x} seen before)";
                break;
            }
            interrupted = row.IsSignalFrame || row.CrossesPtRegs;
        }
        return frames;
    }

    string Describe(StackFrameInfo frame) => _describe(frame.Pc, !frame.IsInterrupted);

    /// <summary>The row for a frame: the first source's, an ORC call row completed from a DWARF row with the same CFA, or the frame-pointer rule.</summary>
    UnwindRow? FindRow(ulong address, RegisterSet regs)
    {
        UnwindRow? primary = null;
        var index = 0;
        for (; index < _sources.Count; index++)
        {
            if (_sources[index].TryFindRow(address, out var row))
            {
                primary = row;
                break;
            }
        }
        if (primary is null)
            return UseFramePointerFallback && (FramePointerAllowed?.Invoke(address) ?? true) ? FramePointerRow(address, regs) : null;
        if (primary.Source == UnwindRowSource.Orc && primary.Kind == UnwindRowKind.Call)
        {
            for (var j = index + 1; j < _sources.Count; j++)
            {
                if (!_sources[j].TryFindRow(address, out var other) || other.Source == UnwindRowSource.Orc) continue;
                if (Supplement(primary, other, regs)) break;
            }
        }
        return primary;
    }

    /// <summary>
    /// Fills the callee-saved registers an ORC call row leaves undefined (rbx, r12-r15) from a DWARF
    /// row for the same address, when both rows give the same CFA in this frame; true when it did.
    /// </summary>
    bool Supplement(UnwindRow orc, UnwindRow dwarf, RegisterSet regs)
    {
        if (!_context.TryComputeCfa(orc, _memory, out var a, out _) || !_context.TryComputeCfa(dwarf, _memory, out var b, out _) || a != b)
            return false;
        foreach (var register in (ReadOnlySpan<UnwindRegister>)[UnwindRegister.Rbx, UnwindRegister.R12, UnwindRegister.R13, UnwindRegister.R14, UnwindRegister.R15])
        {
            if (orc[register].Kind != RegisterRuleKind.Undefined) continue;
            var rule = dwarf[register];
            orc[register] = rule.Kind == RegisterRuleKind.Unspecified ? UnwindContext.DefaultRule(register) : rule;
        }
        return true;
    }

    /// <summary>
    /// The kernel's <c>orc_fp_entry</c> (arch/x86/kernel/unwind_orc.c): previous sp = rbp + 16,
    /// return address at rbp + 8, saved rbp at rbp. Only when rbp is known, 8-byte aligned, at or
    /// above sp and less than <see cref="MaxFramePointerDistance"/> above it.
    /// </summary>
    static UnwindRow? FramePointerRow(ulong address, RegisterSet regs)
    {
        if (!regs.TryGet(UnwindRegister.Rbp, out var rbp) || !regs.TryGet(UnwindRegister.Rsp, out var sp)) return null;
        if ((rbp & 7) != 0 || rbp < sp || rbp - sp > MaxFramePointerDistance) return null;
        var row = new UnwindRow
        {
            Start = address, End = address + 1, Source = UnwindRowSource.FramePointer, Kind = UnwindRowKind.Call,
            Cfa = CfaRule.RegisterPlus(UnwindRegister.Rbp, 16),
        };
        for (var r = 0; r < UnwindRegisters.Count; r++)
            row[(UnwindRegister)r] = UnwindRegisters.IsSegment((UnwindRegister)r) ? RegisterRule.SameValue : RegisterRule.Undefined;
        row[UnwindRegister.Rip] = RegisterRule.AtCfa(-8);
        row[UnwindRegister.Rsp] = RegisterRule.ValueAtCfa(0);
        row[UnwindRegister.Rbp] = RegisterRule.AtCfa(-16);
        return row;
    }
}
