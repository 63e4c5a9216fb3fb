namespace KdumpDebug.Kernel.Tests.Triage;

/// <summary><see cref="CrashReport.Find"/> on logs built in code: where the last crash report starts and what anchors it.</summary>
public class CrashReportTests
{
    /// <summary>Records one per line; a line "@N" sets the timestamp (seconds) of the following records.</summary>
    static List<PrintkRecord> Log(string text)
    {
        var records = new List<PrintkRecord>();
        ulong ns = 0;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith('@'))
            {
                ns = ulong.Parse(line[1..], System.Globalization.CultureInfo.InvariantCulture) * 1_000_000_000;
                continue;
            }
            records.Add(new PrintkRecord((ulong)records.Count, ns, 0, 0, 0, line));
        }
        return records;
    }

    [Fact]
    public void OopsWithoutPanicLineStartsAtTheBugLine()
    {
        var log = Log("""
            lkdtm: Performing direct entry EXCEPTION
            BUG: kernel NULL pointer dereference, address: 0000000000000000
            #PF: supervisor write access in kernel mode
            #PF: error_code(0x0002) - not-present page
            PGD ba6067 P4D ba6067 PUD ba5067 PMD 0
            Oops: 0002 [#1] SMP NOPTI
            CPU: 0 PID: 71 Comm: sh Kdump: loaded Not tainted 6.1.192-fixture #1
            CR2: 0000000000000000
            """);
        var report = CrashReport.Find(log)!;
        Assert.Equal((1, 5, 8), (report.Start, report.Terminal, report.End));
    }

    [Fact]
    public void PanicAfterSysrqStartsAtTheTrigger()
    {
        var log = Log("boot\nsysrq: Trigger a crash\nKernel panic - not syncing: sysrq triggered crash\nCall Trace:\n ---[ end Kernel panic - not syncing: sysrq triggered crash ]---");
        var report = CrashReport.Find(log)!;
        // The "---[ end Kernel panic" line quotes the panic but is not one.
        Assert.Equal((1, 2, 5), (report.Start, report.Terminal, report.End));
    }

    [Fact]
    public void FatalExceptionPanicReachesBackToTheOopsCauseAndCutHere()
    {
        var log = Log("""
            ------------[ cut here ]------------
            kernel BUG at mm/slub.c:4321!
            invalid opcode: 0000 [#1] SMP
            RIP: 0010:kfree+0x1/0x2
            Call Trace:
             foo+0x1/0x2
            ---[ end trace 0000000000000000 ]---
            Kernel panic - not syncing: Fatal exception
            """);
        var report = CrashReport.Find(log)!;
        Assert.Equal((0, 7), (report.Start, report.Terminal));
    }

    [Fact]
    public void AnOldWarningIsNotPartOfALaterPanic()
    {
        var log = Log("""
            @5
            WARNING: CPU: 0 PID: 1 at foo.c:1 foo+0x1/0x2
            @100
            something
            Kernel panic - not syncing: VFS: Unable to mount root fs
            """);
        var report = CrashReport.Find(log)!;
        Assert.Equal((2, 2), (report.Start, report.Terminal));
    }

    [Fact]
    public void NoReportInAQuietLog()
    {
        Assert.Null(CrashReport.Find(Log("Linux version 6.1\nrandom: crng init done")));
        Assert.Null(CrashReport.Find([]));
    }
}
