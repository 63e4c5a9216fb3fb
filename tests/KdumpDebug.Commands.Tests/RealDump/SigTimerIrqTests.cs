using KdumpDebug.TestSupport;

namespace KdumpDebug.Commands.Tests.RealDump;

/// <summary>
/// sig, timer and irq on the real dumps against crash 8.0.2: sessions recorded for this project
/// (Golden/crash-sigtimerirq, record.sh: every command of commands-SCENARIO.txt in one crash
/// session). crash 8.0.2 resolves only the 4 active/idle tasks by PID on these kernels (fixtures
/// README), so the other tasks' signal data is checked against drgn 0.0.22 instead
/// (task.sighand.action[i].sa, task.signal.nr_threads, task.blocked, task.pending; values below).
/// </summary>
public sealed class SigTimerIrqTests
{
    [FixtureTheory]
    [InlineData("sysrq")]
    [InlineData("oops-module")]
    [InlineData("sysrq-la57")]
    public void RecordedSessionMatchesCrash(string scenario)
    {
        var cases = RecordedSession.Read($"crash-sigtimerirq/session-{scenario}.txt");
        Assert.True(cases.Count >= 25, $"{cases.Count} commands recorded");
        RecordedSession.AssertReplays(new CommandSession(FixtureDumps.Open(scenario)), cases);
    }

    /// <summary>
    /// fxhold (PID 57 in sysrq), which crash cannot find. drgn: signal 0xffffa0f7c0ab9a40,
    /// nr_threads 4, blocked 0, pending 0, shared pending 0; the only non-default actions are
    /// [2] and [3] SIG_IGN (handler 1, mask 0, flags 0) at ffffa0f7c0a92980/ffffa0f7c0a929a0 and
    /// [33] at ffffa0f7c0a92d60: handler 0x45c3e0, mask 0, flags 0x1c000004
    /// (SA_SIGINFO|SA_RESTORER|SA_ONSTACK|SA_RESTART), glibc's SIGCANCEL handler.
    /// </summary>
    [FixtureFact]
    public void TaskCrashCannotFindMatchesDrgn()
    {
        var session = new CommandSession(FixtureDumps.Open("sysrq"));
        var lines = GoldenText.Normalize(session.ExecuteAndCapture("sig 57")).Split('\n');
        Assert.Equal("PID: 57       TASK: ffffa0f7c0a9e540  CPU: 1    COMMAND: \"fxhold\"", lines[0]);
        Assert.Equal("SIGNAL_STRUCT: ffffa0f7c0ab9a40  NR_THREADS: 4", lines[1]);
        Assert.Equal(" [2] ffffa0f7c0a92980    SIG_IGN 0000000000000000 0", lines[4]);
        Assert.Equal(" [3] ffffa0f7c0a929a0    SIG_IGN 0000000000000000 0", lines[5]);
        Assert.Equal("[33] ffffa0f7c0a92d60     45c3e0 0000000000000000 1c000004 (SA_RESTORER|SA_SIGINFO|SA_ONSTACK|SA_RESTART)", lines[35]);
        Assert.Equal(64, lines.Count(l => l.Length > 4 && l[0] is ' ' or '[' && l.Contains("] ffffa0f7c0a9", StringComparison.Ordinal)));
        Assert.Equal(61, lines.Count(l => l.Contains("SIG_DFL 0000000000000000 0", StringComparison.Ordinal)));
        Assert.Contains("   BLOCKED: 0000000000000000", lines);
        Assert.Equal(2, lines.Count(l => l == "  SIGQUEUE: (empty)"));
        // sig -g: the group's dispositions once, then each of its 4 threads' task-level data.
        var group = session.ExecuteAndCapture("sig -g 60");
        foreach (var thread in new[] { "PID: 57       TASK: ffffa0f7c0a9e540", "PID: 60 ", "PID: 61 ", "PID: 62 " })
            Assert.Contains("\n  " + thread, group);
        Assert.Single(group.Split('\n'), l => l.StartsWith("SIGNAL_STRUCT: ffffa0f7c0ab9a40", StringComparison.Ordinal));
    }

    /// <summary>init (PID 1, sysrq), per drgn: [2] SIGINT and [17] SIGCHLD handled at 0x525892, [3] ignored, all with mask fffffffe7ffbfeff and SA_RESTORER.</summary>
    [FixtureFact]
    public void InitMatchesDrgn()
    {
        var output = new CommandSession(FixtureDumps.Open("sysrq")).ExecuteAndCapture("sig 1");
        Assert.Contains(" [2] ffffa0f7c01a8040     525892 fffffffe7ffbfeff 4000000 (SA_RESTORER)\n", output);
        Assert.Contains(" [3] ffffa0f7c01a8060    SIG_IGN fffffffe7ffbfeff 4000000 (SA_RESTORER)\n", output);
        Assert.Contains("[17] ffffa0f7c01a8220     525892 fffffffe7ffbfeff 4000000 (SA_RESTORER)\n", output);
        Assert.Contains("SIGNAL_STRUCT: ffffa0f7c0198000  NR_THREADS: 1\n", output);
    }

    [FixtureFact]
    public void BadInputGivesOneLineEach()
    {
        var session = new CommandSession(FixtureDumps.Open("sysrq"));
        var sig = session.ExecuteAndCapture("sig xyz 68");
        Assert.StartsWith("sig: invalid task or pid value: xyz\n\nPID: 68 ", sig);
        Assert.Equal("irq: invalid IRQ value: 56  (55 max)\n", session.ExecuteAndCapture("irq 56"));
        Assert.Equal("irq: 1x: \"x\" is not a digit 0 - 9\n", session.ExecuteAndCapture("irq 1x"));
        Assert.Equal("timer: invalid cpu specification: 5\n", session.ExecuteAndCapture("timer -C 5"));
        Assert.Contains("irq: -d is not supported yet", session.ExecuteAndCapture("irq -d"));
    }
}
