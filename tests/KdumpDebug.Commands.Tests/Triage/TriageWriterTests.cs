using System.Text.Json;
using KdumpDebug.Commands.Triage;
using KdumpDebug.Kernel;

namespace KdumpDebug.Commands.Tests.Triage;

/// <summary>
/// The text and JSON layouts of a triage report built in code (an oops in a module on a 2-CPU
/// machine with a D-state task), so the layout is pinned without the fixture dumps.
/// </summary>
public class TriageWriterTests
{
    static TriageReport Report() => new()
    {
        Release = "6.1.0",
        Version = "#1 SMP",
        Machine = "x86_64",
        NodeName = "box",
        Vmlinux = "vmlinux",
        DumpFile = "vmcore",
        PartialDump = true,
        Date = "Thu Nov 26 09:55:18 UTC 2026",
        Uptime = "00:00:03",
        Cpus = 2,
        OfflineCpus = 1,
        Tasks = 48,
        PanicMessage = "Oops: 0002 [#1] SMP NOPTI",
        Reason = new PanicReason(PanicReason.NullPointerDereference, "kernel NULL pointer dereference, address: 0000000000000000",
            ["#PF: supervisor write access in kernel mode"]),
        Taint = "Tainted: G           O      ",
        TaintedMask = 1UL << 12,
        PanicTask = new TriageTask(71, "sh", 0xffff8faf40a63cc0, 0, "RU", "TASK_RUNNING"),
        ExceptionRip = new TriageLocation("lkdtm_EXCEPTION+0x0/0x10 [lkdtm]", "lkdtm_EXCEPTION", "lkdtm", 0xffffffffc00d6250, "./drivers/misc/lkdtm/bugs.c:95"),
        Suspect = new TriageLocation("lkdtm_EXCEPTION+0x0/0x10 [lkdtm]", "lkdtm_EXCEPTION", "lkdtm", 0xffffffffc00d6250, "./drivers/misc/lkdtm/bugs.c:95"),
        CallTrace =
        [
            new CallTraceEntry(CallTraceEntryKind.Frame, 0xffffffffc00d72e6, "direct_entry.cold", 0x18, 0x24, "lkdtm", 0x10, "direct_entry.cold+0x18/0x24 [lkdtm]"),
            new CallTraceEntry(CallTraceEntryKind.UserRegs, 0x47b7a0, null, 0, 0, null, 0x33, "RIP: 0033:0x47b7a0"),
        ],
        Log = ["[    3.869207] BUG: kernel NULL pointer dereference, address: 0000000000000000"],
        OnCpu =
        [
            new TriageCpu(0, new TriageTask(71, "sh", 0xffff8faf40a63cc0, 0, "RU", "TASK_RUNNING"), "lkdtm_EXCEPTION+0x0/0x10 [lkdtm]", true),
            new TriageCpu(1, null, "task ffff8faf409b6540 is not in the task list", false),
        ],
        UninterruptibleCount = 12,
        Uninterruptible = [new TriageTask(106, "kdd-frozen", 0xff14ea0383c04180, 1, "UN", "TASK_UNINTERRUPTIBLE")],
        ZombieCount = 1,
        Memory = new TriageMemory(215191552, null),
        Problems = ["log: printk record id 7: page excluded"],
    };

    [Fact]
    public void TextIsKeyLinesThenSections()
    {
        var text = new StringWriter();
        TriageTextWriter.Write(text, Report());
        Assert.Equal("""
            RELEASE         6.1.0
            VERSION         #1 SMP
            MACHINE         x86_64
            NODENAME        box
            KERNEL          vmlinux
            DUMPFILE        vmcore  [PARTIAL DUMP]
            DATE            Thu Nov 26 09:55:18 UTC 2026
            UPTIME          00:00:03
            CPUS            2 [OFFLINE: 1]
            TASKS           48
            PANIC           Oops: 0002 [#1] SMP NOPTI
            REASON          null-pointer-dereference: kernel NULL pointer dereference, address: 0000000000000000
            DETAIL          #PF: supervisor write access in kernel mode
            TAINT           Tainted: G           O
            PID             71
            COMM            sh
            TASK            ffff8faf40a63cc0
            CPU             0
            STATE           RU (TASK_RUNNING)
            RIP             lkdtm_EXCEPTION+0x0/0x10 [lkdtm]  ./drivers/misc/lkdtm/bugs.c:95
            SUSPECT         lkdtm_EXCEPTION [lkdtm]  ./drivers/misc/lkdtm/bugs.c:95
            MEMORY          205.2 MB total
            D-STATE         12
            ZOMBIES         1

            CALL TRACE:
              direct_entry.cold+0x18/0x24 [lkdtm]
              RIP: 0033:0x47b7a0

            ON CPU:
              CPU 0   PID 71      "sh"               ffff8faf40a63cc0  lkdtm_EXCEPTION+0x0/0x10 [lkdtm]  [PANIC]
              CPU 1   task ffff8faf409b6540 is not in the task list

            D-STATE TASKS:
              PID 106     "kdd-frozen"       ff14ea0383c04180
              ... and 11 more (ps | grep UN)

            LOG:
              [    3.869207] BUG: kernel NULL pointer dereference, address: 0000000000000000

            PROBLEMS:
              log: printk record id 7: page excluded

            """.ReplaceLineEndings("\n"), text.ToString());
    }

    [Fact]
    public void JsonHasTheSameFactsUnderStableNames()
    {
        var stream = new MemoryStream();
        TriageJsonWriter.Write(stream, Report());
        using var doc = JsonDocument.Parse(stream.ToArray());
        var root = doc.RootElement;
        Assert.Equal(["kernel", "dump", "panic", "task", "exceptionRip", "suspect", "callTrace", "onCpu", "uninterruptible", "zombies", "memory", "log", "problems"],
            root.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("null-pointer-dereference", root.GetProperty("panic").GetProperty("kind").GetString());
        Assert.Equal("1000", root.GetProperty("panic").GetProperty("taintedMask").GetString());
        Assert.Equal("Tainted: G           O      ", root.GetProperty("panic").GetProperty("taint").GetString());
        Assert.Equal("ffff8faf40a63cc0", root.GetProperty("task").GetProperty("task").GetString());
        Assert.Equal("./drivers/misc/lkdtm/bugs.c:95", root.GetProperty("exceptionRip").GetProperty("source").GetString());
        Assert.Equal("lkdtm", root.GetProperty("suspect").GetProperty("module").GetString());
        Assert.Equal(new[] { "frame", "user-regs" }, root.GetProperty("callTrace").EnumerateArray().Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal(JsonValueKind.Null, root.GetProperty("onCpu")[1].GetProperty("task").ValueKind);
        Assert.Equal(12, root.GetProperty("uninterruptible").GetProperty("count").GetInt32());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("memory").GetProperty("freeBytes").ValueKind);
        Assert.Equal(1, root.GetProperty("dump").GetProperty("offlineCpus").GetInt32());
        Assert.Equal("log: printk record id 7: page excluded", root.GetProperty("problems")[0].GetString());
    }
}
