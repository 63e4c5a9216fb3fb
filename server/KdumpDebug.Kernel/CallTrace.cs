using KdumpDebug.Debuginfo.Cfi;
using KdumpDebug.Target;
using KdumpDebug.Target.Unwind;

namespace KdumpDebug.Kernel;

/// <summary>What one line of a kernel-style call trace shows.</summary>
public enum CallTraceEntryKind
{
    /// <summary>A return address: <c>function+0xoff/0xsize [module]</c>.</summary>
    Frame,

    /// <summary>Kernel code an interrupt or exception stopped: <c>RIP: 0010:function+0xoff/0xsize</c>.</summary>
    KernelRegs,

    /// <summary>The user-mode context the kernel was entered from: <c>RIP: 0033:0x47b7a0</c>.</summary>
    UserRegs,
}

/// <summary>
/// One line of a <see cref="CallTrace"/>: the frame's pc, its function as kallsyms names it
/// (null when no symbol covers it), the offset into it and kallsyms' size, the module, and the
/// code segment for a <c>RIP:</c> line. <see cref="Text"/> is the line as the kernel prints it.
/// </summary>
public sealed record CallTraceEntry(CallTraceEntryKind Kind, ulong Pc, string? Function, ulong Offset, ulong Size, string? Module, ushort Cs, string Text);

/// <summary>
/// A task's stack as the kernel's own <c>Call Trace:</c> prints it (arch/x86/kernel/dumpstack.c
/// show_trace_log_lvl): one <c>function+0xoff/0xsize [module]</c> line per return address, an
/// interrupted kernel context as a <c>RIP: 0010:...</c> line (the kernel prints regs-&gt;ip only
/// there, never as a frame), and the user-mode context the kernel was entered from as
/// <c>RIP: 0033:0x...</c>. Unreliable <c>? function</c> guesses are not produced: every line is a
/// frame the unwinder (<see cref="TaskStack"/>, as crash's <c>bt</c>) followed. Cost: one
/// symbol-size lookup (a binary search) per frame; the frames are the caller's.
/// </summary>
public static class CallTrace
{
    /// <summary>The trace of <paramref name="frames"/> from index <paramref name="start"/> (<see cref="CrashSite.TraceStart"/>) to the user-mode end.</summary>
    public static IReadOnlyList<CallTraceEntry> Build(IKernelTarget target, IReadOnlyList<StackFrameInfo> frames, int start)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(frames);
        var entries = new List<CallTraceEntry>();
        for (var i = Math.Max(start, 0); i < frames.Count; i++)
        {
            var f = frames[i];
            var cs = (ushort)(f.Registers[UnwindRegister.Cs] ?? 0);
            if (f.IsUserMode)
            {
                entries.Add(new CallTraceEntry(CallTraceEntryKind.UserRegs, f.Pc, null, 0, 0, null, cs, $"RIP: {cs:x4}:0x{f.Pc:x}"));
                break;
            }
            var kind = CrashSite.IsExceptionRip(frames, i) ? CallTraceEntryKind.KernelRegs : CallTraceEntryKind.Frame;
            entries.Add(Entry(target, f, kind, cs));
        }
        return entries;
    }

    /// <summary>One frame as a trace line of <paramref name="kind"/>.</summary>
    public static CallTraceEntry Entry(IKernelTarget target, StackFrameInfo frame, CallTraceEntryKind kind, ushort cs = 0x10)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var symbol = frame.Symbol;
        var text = KallsymsAddress.Format(target, symbol, frame.SymbolOffset, frame.Pc);
        if (kind == CallTraceEntryKind.KernelRegs) text = $"RIP: {(cs == 0 ? (ushort)0x10 : cs):x4}:{text}";
        return new CallTraceEntry(kind, frame.Pc, symbol?.Name, symbol is null ? 0 : frame.SymbolOffset,
            symbol is KernelSymbol s ? KallsymsAddress.Size(target, s) : 0, symbol?.Module, cs, text);
    }
}
