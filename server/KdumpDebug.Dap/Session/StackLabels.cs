using KdumpDebug.Target.Unwind;

namespace KdumpDebug.Dap.Session;

/// <summary>One stackTrace entry: an unwinder frame (with its index in the logical frame list) or a label.</summary>
public sealed record PresentedFrame(LogicalFrame? Frame, int Index, string? Label);

/// <summary>
/// Where a stack trace crosses from one stack to another or through an exception frame, as label
/// frames between the unwinder's frames (DAP presentationHint "label"), in the kernel's own oops
/// notation: "&lt;IRQ&gt;" before the first frame on a CPU's IRQ stack and "&lt;/IRQ&gt;" after its
/// last (likewise "&lt;NMI&gt;", "&lt;DB&gt;", "&lt;MCE&gt;", "&lt;DF&gt;" for the exception
/// stacks, arch/x86/kernel/dumpstack.c), and "&lt;exception entry: pt_regs at ADDR&gt;" where the
/// walk continued from a kernel-mode pt_regs on the same stack (crash's [exception RIP: ...]).
/// Pure function of the frames and a stack classifier; no allocation beyond the result.
/// </summary>
public static class StackLabels
{
    /// <param name="frames">Logical frames, innermost first (inline frames share their physical frame).</param>
    /// <param name="stackOf">The name of the CPU stack holding a stack pointer ("IRQ", "NMI"...), null for the task's own stack.</param>
    public static IReadOnlyList<PresentedFrame> Insert(IReadOnlyList<LogicalFrame> frames, Func<ulong, string?> stackOf)
    {
        var result = new List<PresentedFrame>(frames.Count + 2);
        string? current = null;
        for (var i = 0; i < frames.Count; i++)
        {
            var physical = frames[i].Physical;
            var newPhysical = i == 0 || !ReferenceEquals(frames[i - 1].Physical, physical);
            if (newPhysical)
            {
                var stack = physical.IsUserMode ? null : stackOf(physical.Sp);
                if (i > 0 && stack == current && frames[i - 1].Physical is { PtRegsAddress: ulong regs } && !physical.IsUserMode)
                    result.Add(new PresentedFrame(null, -1, $"<exception entry: pt_regs at {regs:x}>"));
                if (stack != current)
                {
                    if (current is not null) result.Add(new PresentedFrame(null, -1, $"</{current}>"));
                    if (stack is not null) result.Add(new PresentedFrame(null, -1, $"<{stack}>"));
                    current = stack;
                }
            }
            result.Add(new PresentedFrame(frames[i], i, null));
        }
        if (current is not null) result.Add(new PresentedFrame(null, -1, $"</{current}>"));
        return result;
    }
}
