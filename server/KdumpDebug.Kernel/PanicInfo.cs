using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel;

/// <summary>
/// Which CPU and task crashed, from the dump itself: the kernel's <c>panic_cpu</c> (set by panic()
/// and crash_kexec() before kdump starts; -1 when nobody panicked), that CPU's
/// <c>runqueues.curr</c>, cross-checked with the PID in its NT_PRSTATUS note (crash_notes). When
/// <c>panic_cpu</c> is unset (a dump taken without a panic) the first CPU note is used.
/// </summary>
public sealed record PanicInfo(int Cpu, ulong TaskAddress, int Pid)
{
    public static PanicInfo Find(KernelTarget target, TaskList tasks)
    {
        var cpu = -1;
        try
        {
            if (target.Objects.TryVariable("panic_cpu", out var panicCpu)) cpu = (int)panicCpu.Member("counter").ReadSigned();
        }
        catch (KdumpDebugException)
        {
        }
        var notes = target.Dump.CpuRegisters;
        if (cpu < 0 && notes.Count > 0) cpu = notes[0].CpuIndex;
        if (cpu < 0) cpu = 0;
        if (tasks.CurrentByCpu.TryGetValue(cpu, out var current) && tasks.FindByAddress(current) is { } task)
            return new PanicInfo(cpu, task.Address, task.Pid);
        // The runqueue could not be read: the PID the crash note recorded.
        var note = notes.FirstOrDefault(n => n.CpuIndex == cpu);
        if (note is not null && tasks.FindByPid(note.Pid).FirstOrDefault(t => note.Pid != 0 || t.Cpu == cpu) is { } byPid)
            return new PanicInfo(cpu, byPid.Address, byPid.Pid);
        throw new KdumpDebugException($"cannot determine the panic task of cpu {cpu}");
    }
}
