using KdumpDebug.Core.Errors;
using KdumpDebug.Target.Objects;
using KdumpDebug.Debuginfo.Cfi;
using KdumpDebug.Target.Unwind;

namespace KdumpDebug.Kernel;

/// <summary>A task's unwound kernel stack; <see cref="StopReason"/> is the one-line reason a walk ended early.</summary>
public sealed record TaskBacktrace(KernelTask Task, IReadOnlyList<StackFrameInfo> Frames, string? StopReason);

/// <summary>
/// Where a task's stack starts and its frames. A task that was on a CPU starts from that CPU's
/// NT_PRSTATUS note (<see cref="KernelUnwinder.UnwindCpu"/>: where kdump stopped it). A sleeping
/// task starts from <c>task-&gt;thread.sp</c>, which points at the <c>struct inactive_task_frame</c>
/// that <c>__switch_to_asm</c> pushed (arch/x86/include/asm/switch_to.h): the callee-saved
/// registers and the return address into <c>__schedule</c>. One unwind per call.
/// </summary>
public static class TaskStack
{
    public static TaskBacktrace Unwind(LinuxKernel kernel, KernelTask task)
    {
        var target = kernel.Target;
        try
        {
            if (task.IsRunningOnCpu)
            {
                var note = target.Dump.CpuRegisters.FirstOrDefault(n => n.CpuIndex == task.Cpu);
                if (note is not null)
                {
                    var frames = kernel.Unwinder.UnwindCpu(note, out var reason);
                    return new TaskBacktrace(task, frames, reason);
                }
            }
            var initial = InactiveTaskFrameRegisters(target, task.Address);
            var sleeping = kernel.Unwinder.Unwind(initial, initialPcIsReturnAddress: true, out var stop);
            return new TaskBacktrace(task, sleeping, stop);
        }
        catch (KdumpDebugException e)
        {
            return new TaskBacktrace(task, [], $"cannot unwind: {e.Message}");
        }
    }

    /// <summary>
    /// The registers a switched-out task saved: rip = <c>inactive_task_frame.ret_addr</c> (a return
    /// address), rsp just above the frame, and the callee-saved registers it holds (members looked
    /// up by name: r15 r14 r13 r12 bx bp, plus si/di/flags on some kernels).
    /// </summary>
    public static RegisterSet InactiveTaskFrameRegisters(Target.KernelTarget target, ulong taskAddress)
    {
        var task = target.Objects.At("struct task_struct", taskAddress);
        var sp = task.Member("thread").Member("sp").ReadUnsigned();
        var frameType = target.Objects.Type("struct inactive_task_frame");
        var frame = TargetObject.AtAddress(target, target.Objects.Types, frameType, sp);
        var set = new RegisterSet();
        set.Set(UnwindRegister.Rip, frame.Member("ret_addr").ReadUnsigned());
        set.Set(UnwindRegister.Rsp, sp + (frameType.Unqualified().Size ?? 56));
        foreach (var (member, register) in new[]
                 {
                     ("r15", UnwindRegister.R15), ("r14", UnwindRegister.R14), ("r13", UnwindRegister.R13), ("r12", UnwindRegister.R12),
                     ("bx", UnwindRegister.Rbx), ("bp", UnwindRegister.Rbp),
                 })
        {
            if (frameType.Unqualified().TryFindMember(member, out _)) set.Set(register, frame.Member(member).ReadUnsigned());
        }
        return set;
    }
}
