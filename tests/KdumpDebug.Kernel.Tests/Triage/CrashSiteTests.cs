using KdumpDebug.Debuginfo.Cfi;
using KdumpDebug.Target;
using KdumpDebug.Target.Unwind;

namespace KdumpDebug.Kernel.Tests.Triage;

/// <summary><see cref="CrashSite.Find"/> on stacks built in code, shaped like the ones <c>bt</c> shows for each kind of crash.</summary>
public class CrashSiteTests
{
    /// <summary>
    /// A stack from names: "name" a return-address frame, "name!" a frame that crossed a pt_regs
    /// (the next frame is the interrupted context), "^name" an interrupted frame (exact pc),
    /// "user" the user-mode end.
    /// </summary>
    static List<StackFrameInfo> Stack(params string[] names)
    {
        var frames = new List<StackFrameInfo>();
        for (var i = 0; i < names.Length; i++)
        {
            var n = names[i];
            var user = n == "user";
            var interrupted = n.StartsWith('^');
            var regs = n.EndsWith('!');
            var name = n.Trim('^', '!');
            var registers = new RegisterSet();
            registers.Set(UnwindRegister.Cs, user ? 0x33UL : 0x10UL);
            frames.Add(new StackFrameInfo(i, 0x1000 + (ulong)i * 0x10, 0x8000 + (ulong)i * 8, null, registers, interrupted || user, null, null,
                regs ? 0x9000UL : null, user)
            {
                Symbol = user ? null : new KernelSymbol(name, 0x1000 + (ulong)i * 0x10, 0x10, 't'),
            });
        }
        return frames;
    }

    [Fact]
    public void PanicCallerIsTheSuspectAndTheTraceStartsAtPanic()
    {
        // sysrq/crash/bt.txt
        var site = CrashSite.Find(Stack("machine_kexec", "__crash_kexec", "panic", "sysrq_handle_crash", "__handle_sysrq.cold",
            "write_sysrq_trigger", "ksys_write", "do_syscall_64", "entry_SYSCALL_64_after_hwframe!", "user"));
        Assert.Equal((3, (int?)null, 2), (site.Suspect, site.ExceptionIndex, site.TraceStart));
    }

    [Fact]
    public void OopsSuspectIsTheExceptionRip()
    {
        // oops-module/crash/bt.txt: kdump from oops_end, [exception RIP: lkdtm_EXCEPTION].
        var site = CrashSite.Find(Stack("machine_kexec", "__crash_kexec", "crash_kexec", "oops_end", "page_fault_oops", "exc_page_fault",
            "asm_exc_page_fault!", "^lkdtm_EXCEPTION", "direct_entry.cold", "full_proxy_write", "user"));
        Assert.Equal((7, (int?)7, 8), (site.Suspect, site.ExceptionIndex, site.TraceStart));
    }

    [Fact]
    public void FramesPanicCalledAreSkipped()
    {
        // A QEMU dump stops the panic CPU inside panic's delay loop.
        var site = CrashSite.Find(Stack("delay_tsc", "panic", "my_driver_fn", "user"));
        Assert.Equal((2, 1), (site.Suspect, site.TraceStart));
    }

    [Fact]
    public void PanicFromAnInterruptHandlerBlamesTheHandlerNotTheInterruptedCode()
    {
        var site = CrashSite.Find(Stack("panic", "my_irq_handler", "__handle_irq_event_percpu", "asm_common_interrupt!", "^default_idle", "do_idle"));
        Assert.Equal((1, (int?)null), (site.Suspect, site.ExceptionIndex));
    }

    [Fact]
    public void LockupBlamesTheStuckCode()
    {
        var frames = Stack("panic", "watchdog_timer_fn", "__hrtimer_run_queues", "hrtimer_interrupt", "my_timer_hook",
            "asm_sysvec_apic_timer_interrupt!", "^spin_forever", "do_thing", "user");
        Assert.Equal(4, CrashSite.Find(frames).Suspect);
        var site = CrashSite.Find(frames, preferInterrupted: true);
        Assert.Equal((6, (int?)6, 7), (site.Suspect, site.ExceptionIndex, site.TraceStart));
    }

    [Fact]
    public void MachineryOnlyHasNoSuspect()
    {
        // A CPU the crash NMI stopped in user mode (sysrq/crash/bt-a.txt, CPU 1).
        var site = CrashSite.Find(Stack("crash_nmi_callback", "default_do_nmi", "exc_nmi", "asm_exc_nmi!", "user"));
        Assert.Equal(-1, site.Suspect);
        Assert.Null(site.ExceptionIndex);
        Assert.True(CrashMachinery.IsMachinery("oops_end.cold"));
        Assert.False(CrashMachinery.IsMachinery("sysrq_handle_crash"));
    }
}
