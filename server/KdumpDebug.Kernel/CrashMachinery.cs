namespace KdumpDebug.Kernel;

/// <summary>
/// The kernel functions that report, stop or dump a crash rather than cause it: panic() and kdump's
/// path into the capture kernel, the oops/die path of an exception, the BUG/WARN reporters, the
/// exception and interrupt entry points, the lockup detectors that call panic from a timer or an
/// NMI, and the crash NMI that stops the other CPUs. A stack's "suspect" is the first frame that
/// is none of these (<see cref="CrashSite"/>), so this list is the one place that decides what
/// counts as machinery: add a function here when it shows up between panic()/an exception frame
/// and the code at fault. Names are matched without a compiler clone suffix (".cold",
/// ".isra.0", ".constprop.0"). Cost: a hash lookup per name.
/// </summary>
public static class CrashMachinery
{
    /// <summary>panic() itself; frames above it on the stack are what panic called (kexec, its delay loop).</summary>
    public static readonly IReadOnlySet<string> PanicFunctions = new HashSet<string>(StringComparer.Ordinal)
    {
        "panic",
        // Since v6.13 panic() is a wrapper of vpanic() (commit 6ccc7fc8a4f2 "panic: add vpanic").
        "vpanic",
        "nmi_panic",
    };

    static readonly HashSet<string> Names = new(StringComparer.Ordinal)
    {
        // kdump: panic()/oops_end() -> crash_kexec() -> machine_kexec() (kernel/kexec_core.c,
        // arch/x86/kernel/machine_kexec_64.c); crash_setup_regs is inlined but named by DWARF.
        "panic", "vpanic", "nmi_panic", "__crash_kexec", "crash_kexec", "machine_kexec", "crash_setup_regs",
        "machine_crash_shutdown", "native_machine_crash_shutdown", "crash_save_cpu", "dump_stack", "dump_stack_lvl",
        // The oops path of an exception (arch/x86/kernel/dumpstack.c, traps.c, arch/x86/mm/fault.c).
        "oops_end", "die", "__die", "__die_body", "die_addr", "do_trap", "do_error_trap", "handle_invalid_op", "math_error",
        "page_fault_oops", "kernelmode_fixup_or_oops", "no_context", "__bad_area_nosemaphore", "bad_area_nosemaphore",
        "bad_area", "do_kern_addr_fault", "do_user_addr_fault", "handle_page_fault", "fixup_exception",
        // BUG()/WARN() reporting (lib/bug.c, kernel/panic.c): a WARN with panic_on_warn panics from here.
        "handle_bug", "report_bug", "__warn", "warn_slowpath_fmt", "check_panic_on_warn", "__report_bug",
        // Lockup detectors that call panic(): the soft-lockup hrtimer (kernel/watchdog.c) and the
        // hard-lockup perf NMI (kernel/watchdog_hld.c), with the timer and perf plumbing between.
        "watchdog_timer_fn", "watchdog_overflow_callback", "__hrtimer_run_queues", "hrtimer_interrupt", "hrtimer_run_queues",
        "__perf_event_overflow", "perf_event_overflow", "handle_pmi_common", "intel_pmu_handle_irq", "amd_pmu_handle_irq",
        "x86_pmu_handle_irq", "perf_event_nmi_handler",
        // Hung-task detector: khungtaskd's main function is named watchdog() (kernel/hung_task.c).
        "check_hung_uninterruptible_tasks", "watchdog",
        // NMI delivery, and the crash NMI that stops the other CPUs for kdump (arch/x86/kernel/reboot.c).
        "nmi_handle", "default_do_nmi", "crash_nmi_callback", "nmi_shootdown_cpus", "smp_stop_nmi_callback", "stop_this_cpu",
        // Interrupt entry glue (arch/x86/kernel/irq.c, apic): the interrupted code is below it.
        "__common_interrupt", "common_interrupt", "asm_common_interrupt", "irq_exit_rcu", "__irq_exit_rcu",
    };

    /// <summary>
    /// Entry points generated per vector (arch/x86/include/asm/idtentry.h): <c>asm_exc_*</c>/<c>exc_*</c>
    /// for exceptions, <c>asm_sysvec_*</c>/<c>sysvec_*</c>/<c>__sysvec_*</c> for system vectors.
    /// </summary>
    static readonly string[] Prefixes = ["asm_exc_", "exc_", "asm_sysvec_", "sysvec_", "__sysvec_"];

    /// <summary>True when <paramref name="function"/> is crash-reporting machinery, not a suspect.</summary>
    public static bool IsMachinery(string? function)
    {
        if (function is null) return false;
        var name = BaseName(function);
        if (Names.Contains(name)) return true;
        foreach (var prefix in Prefixes)
            if (name.StartsWith(prefix, StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>True for panic() (and its variants), the frame a panic stack is read from.</summary>
    public static bool IsPanic(string? function) => function is not null && PanicFunctions.Contains(BaseName(function));

    /// <summary>The name without a compiler clone suffix: "__handle_sysrq.cold" -> "__handle_sysrq".</summary>
    public static string BaseName(string function)
    {
        var dot = function.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 ? function[..dot] : function;
    }
}
