using KdumpDebug.Debuginfo.Cfi;
using KdumpDebug.Dump;

namespace KdumpDebug.Target.Unwind;

// The CPUs that were running when a kdump was taken: where their stacks really start.
public sealed partial class KernelUnwinder
{
    /// <summary>
    /// Functions in which kdump leaves a CPU while the dump is written: the panic CPU jumps from
    /// <c>machine_kexec</c> into the capture kernel (arch/x86/kernel/machine_kexec_64.c) and the
    /// other CPUs halt in the crash NMI handler <c>crash_nmi_callback</c> (arch/x86/kernel/reboot.c,
    /// called through nmi_shootdown_cpus). crash looks for the same names
    /// (x86_64_get_dumpfile_stack_frame).
    /// </summary>
    static readonly string[] DumpPointFunctions = ["machine_kexec", "crash_nmi_callback"];

    /// <summary>Kernel stacks are THREAD_SIZE-aligned; 16 KiB on x86-64 without KASAN (THREAD_SIZE_ORDER 2).</summary>
    const ulong DefaultThreadSize = 16 * 1024;

    /// <summary>
    /// Unwinds a CPU that was running when the dump was taken, from its NT_PRSTATUS note, as crash
    /// does: when the note holds the context a handler interrupted (an oops passes its pt_regs to
    /// crash_kexec; the crash NMI saves the registers it interrupted, user-mode ones for a CPU in user
    /// space), or a point the CPU later called on from (<c>crash_setup_regs</c> in __crash_kexec),
    /// the walk starts where the CPU really stopped, found by <see cref="TryFindDumpPoint"/>, and
    /// crosses the handler's pt_regs into the saved context. Otherwise (a QEMU dump, whose notes are
    /// the vCPU state itself) it starts at the note's registers. The first frame of a found start has
    /// <see cref="StackFrameInfo.FoundByStackSearch"/> set.
    /// </summary>
    public IReadOnlyList<StackFrameInfo> UnwindCpu(CpuRegisters cpu, out string? stopReason, int maxFrames = DefaultMaxFrames)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        var saved = RegisterSet.FromPrStatus(cpu);
        if (TryFindDumpPoint(cpu.CpuIndex, saved, out var start, out _))
        {
            var frames = Unwind(start, initialPcIsReturnAddress: true, out stopReason, maxFrames);
            if (frames.Count == 0) return frames;
            var list = frames.ToArray();
            list[0] = list[0] with { FoundByStackSearch = true };
            return list;
        }
        return Unwind(saved, out stopReason, maxFrames);
    }

    /// <summary>
    /// Searches the stack of CPU <paramref name="cpu"/> (<see cref="TryGetStackToSearch"/>) from its
    /// lowest address up for a return address into a <see cref="DumpPointFunctions"/> function from
    /// which the unwind reaches the saved registers: it crosses a pt_regs equal to them (rip and
    /// rsp), or passes a frame of the saved rip's function at the saved rsp. The first such slot is
    /// the start: <paramref name="start"/> has rip = the return address, rsp = the slot + 8, and
    /// nothing else known. Cost: one read per stack slot (one page at a time) and a short unwind per
    /// candidate (candidates are rare: return addresses into two functions).
    /// </summary>
    public bool TryFindDumpPoint(int cpu, RegisterSet saved, out RegisterSet start, out ulong slotAddress)
    {
        ArgumentNullException.ThrowIfNull(saved);
        start = null!;
        slotAddress = 0;
        if (!saved.TryGet(UnwindRegister.Rip, out var savedRip) || !saved.TryGet(UnwindRegister.Rsp, out var savedSp)) return false;
        if (!TryGetStackToSearch(cpu, saved, out var low, out var high)) return false;
        var savedFunction = !saved.IsUserMode && TryFindSymbol(savedRip, out var sf) ? sf.Name : null;
        var memory = new TargetUnwindMemory(_target);
        for (var slot = low; slot + 8 <= high; slot += 8)
        {
            if (!memory.TryReadUInt64(slot, out var value, out _) || !IsKernelText(value)) continue;
            if (!TryFindSymbol(value - 1, out var symbol) || Array.IndexOf(DumpPointFunctions, symbol.Name) < 0) continue;
            var candidate = new RegisterSet();
            candidate.Set(UnwindRegister.Rip, value);
            candidate.Set(UnwindRegister.Rsp, slot + 8);
            var frames = Unwind(candidate, initialPcIsReturnAddress: true, out _, maxFrames: 64);
            if (!ReachesSavedContext(frames, savedRip, savedSp, savedFunction)) continue;
            start = candidate;
            slotAddress = slot;
            return true;
        }
        return false;
    }

    static bool ReachesSavedContext(IReadOnlyList<StackFrameInfo> frames, ulong savedRip, ulong savedSp, string? savedFunction)
    {
        for (var i = 1; i < frames.Count; i++)
        {
            var f = frames[i];
            if (frames[i - 1].PtRegsAddress is not null && f.Pc == savedRip && f.Sp == savedSp) return true;
            if (savedFunction is not null && !f.IsInterrupted && f.Sp == savedSp && f.Symbol?.Name == savedFunction) return true;
        }
        return false;
    }

    /// <summary>
    /// The stack to search for a CPU's dump point: for saved user-mode registers, the kernel stack
    /// of the task that was running (an NMI from user mode runs on it: entry_64.S asm_exc_nmi
    /// switches to cpu_current_top_of_stack), ending at <see cref="TryGetTaskStackTop"/>; for
    /// kernel-mode registers, the THREAD_SIZE-aligned block holding the saved rsp. THREAD_SIZE is
    /// <c>__end_init_task - __start_init_task</c> (include/asm-generic/vmlinux.lds.h places one
    /// THREAD_SIZE between them), else 16 KiB. An NMI that interrupted kernel code runs on the NMI
    /// IST stack in cpu_entry_area, whose layout needs DWARF: not searched.
    /// </summary>
    public bool TryGetStackToSearch(int cpu, RegisterSet saved, out ulong low, out ulong high)
    {
        ArgumentNullException.ThrowIfNull(saved);
        low = high = 0;
        var threadSize = ThreadSize;
        if (saved.IsUserMode)
        {
            if (!TryGetTaskStackTop(cpu, out var top) || top < threadSize) return false;
            low = top - threadSize;
            high = top;
            return true;
        }
        if (!saved.TryGet(UnwindRegister.Rsp, out var sp) || sp < 0x8000_0000_0000_0000UL) return false;
        low = sp & ~(threadSize - 1);
        high = low + threadSize;
        return true;
    }

    ulong ThreadSize
    {
        get
        {
            if (_target.TryLookupSymbol("__start_init_task", out var s) && _target.TryLookupSymbol("__end_init_task", out var e)
                && e.Address > s.Address && ulong.IsPow2(e.Address - s.Address) && e.Address - s.Address <= 1 << 20)
                return e.Address - s.Address;
            return DefaultThreadSize;
        }
    }

    /// <summary>
    /// The top of the kernel stack of the task running on <paramref name="cpu"/> (where its user-mode
    /// pt_regs ends): the per-CPU <c>cpu_current_top_of_stack</c> (v4.1-v6.1), or
    /// <c>pcpu_hot.top_of_stack</c> since v6.2 (the pcpu_hot series, "x86/percpu: Move
    /// current_top_of_stack next to current_task"), whose offset needs DWARF (the layouts given to
    /// the constructor). Per-CPU addresses are the symbol plus <c>__per_cpu_offset[cpu]</c>.
    /// </summary>
    public bool TryGetTaskStackTop(int cpu, out ulong top)
    {
        top = 0;
        if (cpu < 0 || cpu >= Core.DataLimits.MaxCpus || !_target.TryLookupSymbol("__per_cpu_offset", out var offsets)) return false;
        ulong address;
        if (_target.TryLookupSymbol("cpu_current_top_of_stack", out var symbol)) address = symbol.Address;
        else if (_target.TryLookupSymbol("pcpu_hot", out var hot) && _layouts is not null
                 && _layouts.TryGetMemberOffset("pcpu_hot", "top_of_stack", out var member)) address = hot.Address + member;
        else return false;
        var memory = new TargetUnwindMemory(_target);
        if (!memory.TryReadUInt64(offsets.Address + (ulong)cpu * 8, out var perCpu, out _)) return false;
        if (!memory.TryReadUInt64(unchecked(address + perCpu), out top, out _)) return false;
        return top != 0;
    }
}
