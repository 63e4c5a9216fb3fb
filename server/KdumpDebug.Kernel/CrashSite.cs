using KdumpDebug.Target.Unwind;

namespace KdumpDebug.Kernel;

/// <summary>
/// Where on a crashed stack the fault is, the way a kernel engineer reads an oops: the
/// <see cref="Suspect"/> is the function most likely at fault, the <see cref="ExceptionIndex"/>
/// the code an exception interrupted (the oops's <c>RIP:</c> line, crash's
/// <c>[exception RIP: ...]</c>) when the crash came through an exception frame, and
/// <see cref="TraceStart"/> the first frame the kernel's own <c>Call Trace:</c> would print.
/// Indices are into the frames given to <see cref="Find"/>; -1/null when absent. Pure: no reads.
/// </summary>
public sealed record CrashSite(int Suspect, int? ExceptionIndex, int TraceStart)
{
    /// <summary>
    /// Reads a stack (innermost first, as <see cref="TaskStack"/> unwinds it):
    /// <list type="number">
    /// <item>Frames above the first panic() frame are what panic called (kdump's kexec, the delay loop
    /// a QEMU dump catches it in): the search starts at panic.</item>
    /// <item>Then every <see cref="CrashMachinery"/> frame is skipped. A frame the unwinder reached
    /// through a kernel-mode pt_regs (an exception or interrupt frame) is the exception RIP: the
    /// suspect, and the kernel's trace starts at its caller (show_trace_log_lvl skips regs-&gt;ip
    /// and prints it as <c>RIP:</c>). Otherwise the first non-machinery frame is the suspect and
    /// the trace starts at panic (as dump_stack() in panic() shows it), or at the suspect.</item>
    /// <item>With <paramref name="preferInterrupted"/> (a lockup: the detector panics from a timer or
    /// an NMI on top of the stuck code), the first exception RIP anywhere wins.</item>
    /// </list>
    /// The walk ends at a user-mode frame: a stack of machinery only has no suspect.
    /// </summary>
    public static CrashSite Find(IReadOnlyList<StackFrameInfo> frames, bool preferInterrupted = false)
    {
        ArgumentNullException.ThrowIfNull(frames);
        var panic = -1;
        for (var i = 0; i < frames.Count && !frames[i].IsUserMode; i++)
        {
            if (CrashMachinery.IsPanic(frames[i].Symbol?.Name))
            {
                panic = i;
                break;
            }
        }
        if (preferInterrupted)
        {
            for (var i = Math.Max(panic, 0); i < frames.Count && !frames[i].IsUserMode; i++)
                if (IsExceptionRip(frames, i)) return new CrashSite(i, i, i + 1);
        }
        for (var i = Math.Max(panic, 0); i < frames.Count; i++)
        {
            var frame = frames[i];
            if (frame.IsUserMode) break;
            if (IsExceptionRip(frames, i)) return new CrashSite(i, i, i + 1);
            if (CrashMachinery.IsMachinery(frame.Symbol?.Name)) continue;
            return new CrashSite(i, null, panic >= 0 ? panic : i);
        }
        return new CrashSite(-1, null, Math.Max(panic, 0));
    }

    /// <summary>
    /// True when frame <paramref name="index"/> is kernel code that an exception or interrupt
    /// stopped: the unwinder crossed a pt_regs (the frame before it has one) into a kernel-mode
    /// context, so the pc is exact.
    /// </summary>
    public static bool IsExceptionRip(IReadOnlyList<StackFrameInfo> frames, int index)
    {
        ArgumentNullException.ThrowIfNull(frames);
        return index > 0 && index < frames.Count && frames[index - 1].PtRegsAddress is not null
            && !frames[index].IsUserMode && frames[index].IsInterrupted;
    }
}
