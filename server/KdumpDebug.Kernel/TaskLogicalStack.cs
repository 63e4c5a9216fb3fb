using KdumpDebug.Core.Errors;
using KdumpDebug.Target.Unwind;

namespace KdumpDebug.Kernel;

/// <summary>A task's stack as a source-level debugger shows it; <see cref="StopReason"/> is the one-line reason a walk ended early.</summary>
public sealed record TaskLogicalBacktrace(KernelTask Task, IReadOnlyList<LogicalFrame> Frames, string? StopReason);

/// <summary>
/// The stack a source-level debugger (the DAP, drgn's <c>stack_trace</c>, gdb) shows for a task:
/// physical frames expanded into their inline frames (<see cref="InlineFrameExpander"/>).
/// <para>
/// It differs from <see cref="TaskStack"/> (crash's <c>bt</c>) only for a task that was on a CPU:
/// that walk starts from the registers the dump saved for the CPU (NT_PRSTATUS: the point
/// <c>crash_setup_regs</c> recorded in <c>__crash_kexec</c>, the pt_regs of an oops, the context a
/// crash NMI interrupted), as drgn and gdb do, instead of from where kdump's handler later stopped
/// (<c>machine_kexec</c>, <c>crash_nmi_callback</c>), which crash shows. Sleeping tasks start from
/// their inactive task frame in both. Cost: one unwind plus one DWARF lookup per frame.
/// </para>
/// </summary>
public static class TaskLogicalStack
{
    public static TaskLogicalBacktrace Unwind(LinuxKernel kernel, KernelTask task)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(task);
        var target = kernel.Target;
        try
        {
            IReadOnlyList<StackFrameInfo> frames;
            string? reason;
            var note = task.IsRunningOnCpu ? target.Dump.CpuRegisters.FirstOrDefault(n => n.CpuIndex == task.Cpu) : null;
            if (note is not null)
            {
                frames = kernel.Unwinder.Unwind(RegisterSet.FromPrStatus(note), out reason);
            }
            else
            {
                var bt = TaskStack.Unwind(kernel, task);
                (frames, reason) = (bt.Frames, bt.StopReason);
            }
            return new TaskLogicalBacktrace(task, InlineFrameExpander.Expand(target, frames), reason);
        }
        catch (KdumpDebugException e)
        {
            return new TaskLogicalBacktrace(task, [], $"cannot unwind: {e.Message}");
        }
    }
}
