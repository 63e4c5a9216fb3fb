namespace KdumpDebug.Kernel.Tests.Triage;

/// <summary>
/// <see cref="PanicReason.Classify"/> on crash reports as the 6.1 kernel prints them (texts from the
/// printk calls named in each case; the oops-module and sysrq ones are the fixtures' console lines).
/// </summary>
public class PanicReasonTests
{
    static PanicReason Classify(string text) => PanicReason.Classify(text.Split('\n'));

    [Fact]
    public void NullPointerDereferenceKeepsAddressAndPageFaultLines()
    {
        // oops-module/console.log (arch/x86/mm/fault.c show_fault_oops, dumpstack.c __die_header).
        var reason = Classify("""
            BUG: kernel NULL pointer dereference, address: 0000000000000000
            #PF: supervisor write access in kernel mode
            #PF: error_code(0x0002) - not-present page
            PGD ba6067 P4D ba6067 PUD ba5067 PMD 0 
            Oops: 0002 [#1] SMP NOPTI
            CPU: 0 PID: 71 Comm: sh Kdump: loaded Not tainted 6.1.192-fixture #1 
            RIP: 0010:lkdtm_EXCEPTION+0x0/0x10 [lkdtm]
            """);
        Assert.Equal(PanicReason.NullPointerDereference, reason.Kind);
        Assert.Equal("kernel NULL pointer dereference, address: 0000000000000000", reason.Summary);
        Assert.Equal(new[] { "#PF: supervisor write access in kernel mode", "#PF: error_code(0x0002) - not-present page", "Oops: 0002 [#1] SMP NOPTI" }, reason.Details);
        Assert.False(reason.IsLockup);
    }

    [Fact]
    public void PageFaultOnAnotherAddress()
    {
        var reason = Classify("""
            BUG: unable to handle page fault for address: ffffc90000a3f000
            #PF: supervisor read access in kernel mode
            #PF: error_code(0x0000) - not-present page
            Oops: 0000 [#1] PREEMPT SMP PTI
            ---[ end trace 0000000000000000 ]---
            Kernel panic - not syncing: Fatal exception
            """);
        Assert.Equal(PanicReason.PageFault, reason.Kind);
        Assert.Equal("unable to handle page fault for address: ffffc90000a3f000", reason.Summary);
        Assert.Contains("#PF: supervisor read access in kernel mode", reason.Details);
        Assert.Contains("Kernel panic - not syncing: Fatal exception", reason.Details);
    }

    [Fact]
    public void KernelBugNamesFileAndLine()
    {
        var reason = Classify("""
            ------------[ cut here ]------------
            kernel BUG at mm/slub.c:4321!
            invalid opcode: 0000 [#1] PREEMPT SMP NOPTI
            Kernel panic - not syncing: Fatal exception
            """);
        Assert.Equal(PanicReason.Bug, reason.Kind);
        Assert.Equal("kernel BUG at mm/slub.c:4321!", reason.Summary);
        Assert.Contains("invalid opcode: 0000 [#1] PREEMPT SMP NOPTI", reason.Details);
    }

    [Fact]
    public void GeneralProtectionFaultWithoutTheDieCounter()
    {
        var reason = Classify("general protection fault, probably for non-canonical address 0xdead000000000122: 0000 [#1] SMP PTI\nRIP: 0010:list_del+0x10/0x40");
        Assert.Equal(PanicReason.GeneralProtectionFault, reason.Kind);
        Assert.Equal("general protection fault, probably for non-canonical address 0xdead000000000122: 0000", reason.Summary);
    }

    [Fact]
    public void SoftLockupIsALockup()
    {
        var reason = Classify("""
            watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [spin:123]
            RIP: 0010:spin_fn+0x4/0x10
            Kernel panic - not syncing: softlockup: hung tasks
            """);
        Assert.Equal(PanicReason.SoftLockup, reason.Kind);
        Assert.Equal("soft lockup - CPU#1 stuck for 22s! [spin:123]", reason.Summary);
        Assert.True(reason.IsLockup);
    }

    [Fact]
    public void HardLockupFromTheNmiWatchdog()
    {
        var reason = Classify("NMI watchdog: Watchdog detected hard LOCKUP on cpu 1\nKernel panic - not syncing: Hard LOCKUP");
        Assert.Equal(PanicReason.HardLockup, reason.Kind);
        Assert.Equal("Watchdog detected hard LOCKUP on cpu 1", reason.Summary);
        Assert.True(reason.IsLockup);
        // Only the panic line survived (a log that lost the report): the panic message still tells.
        Assert.Equal(PanicReason.HardLockup, Classify("Kernel panic - not syncing: Hard LOCKUP").Kind);
    }

    [Fact]
    public void HungTask()
    {
        var reason = Classify("""
            INFO: task kworker/0:1:42 blocked for more than 120 seconds.
                  Not tainted 6.1.0 #1
            "echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.
            Kernel panic - not syncing: hung_task: blocked tasks
            """);
        Assert.Equal(PanicReason.HungTask, reason.Kind);
        Assert.Equal("hung task: task kworker/0:1:42 blocked for more than 120 seconds.", reason.Summary);
    }

    [Fact]
    public void OutOfMemoryPanic()
    {
        var reason = Classify("""
            stress invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0
            Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is enabled
            """);
        Assert.Equal(PanicReason.OutOfMemory, reason.Kind);
        Assert.Equal("Out of memory: system-wide panic_on_oom is enabled", reason.Summary);
    }

    [Fact]
    public void WarningWithPanicOnWarn()
    {
        var reason = Classify("""
            ------------[ cut here ]------------
            WARNING: CPU: 0 PID: 1 at drivers/foo/bar.c:12 bar_probe+0x20/0x40
            Kernel panic - not syncing: kernel: panic_on_warn set ...
            """);
        Assert.Equal(PanicReason.Warning, reason.Kind);
        Assert.Equal("WARNING: CPU: 0 PID: 1 at drivers/foo/bar.c:12 bar_probe+0x20/0x40 (with panic_on_warn)", reason.Summary);
    }

    [Fact]
    public void SysrqCrash()
    {
        // sysrq/console.log: drivers/tty/sysrq.c sysrq_handle_crash().
        var reason = Classify("sysrq: Trigger a crash\nKernel panic - not syncing: sysrq triggered crash\nCPU: 0 PID: 68 Comm: sh Kdump: loaded Not tainted 6.1.192-fixture #1 ");
        Assert.Equal(PanicReason.Sysrq, reason.Kind);
        Assert.Equal(new[] { "Kernel panic - not syncing: sysrq triggered crash" }, reason.Details);
    }

    [Fact]
    public void PlainPanicAndOtherOopsAndNothing()
    {
        var panic = Classify("Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)");
        Assert.Equal(PanicReason.Panic, panic.Kind);
        Assert.Equal("panic(): VFS: Unable to mount root fs on unknown-block(0,0)", panic.Summary);

        var oops = Classify("double fault: 0000 [#1] SMP\nKernel panic - not syncing: Machine halted.");
        Assert.Equal(PanicReason.Oops, oops.Kind);
        Assert.Equal("double fault: 0000", oops.Summary);

        var none = Classify("just a line");
        Assert.Equal(PanicReason.Unknown, none.Kind);
        Assert.Empty(none.Details);
    }
}
