using KdumpDebug.TestSupport;

namespace KdumpDebug.Commands.Tests.RealDump;

/// <summary>
/// <c>bt -e</c> (search the stack for possible exception frames) against crash 8.0.2's output,
/// recorded into Golden/crash-tasks/SCENARIO by record-crash.sh: crash finds the active tasks only
/// on these kernels, so the goldens cover the task on each CPU.
/// </summary>
public sealed class BtExceptionSearchTests
{
    public static readonly TheoryData<string, string, string> Cases = new()
    {
        { "sysrq", "bt -e", "bt-e.txt" },
        { "sysrq", "bt -e -a", "bt-e-a.txt" },
        { "oops-module", "bt -e", "bt-e.txt" },
        { "oops-module", "bt -e -a", "bt-e-a.txt" },
        { "sysrq-la57", "bt -e -a", "bt-e-a.txt" },
    };

    [FixtureTheory]
    [MemberData(nameof(Cases))]
    public void BtEMatchesCrash(string scenario, string command, string golden)
    {
        var session = new CommandSession(FixtureDumps.Open(scenario));
        var actual = session.ExecuteAndCapture(command);
        GoldenText.AssertMatches(File.ReadAllText(RepoPaths.Golden($"crash-tasks/{scenario}/{golden}")), actual, $"crash-tasks-{scenario}", golden);
    }

    [FixtureFact]
    public void ASleepingTasksSearchFindsItsSyscallEntryFrame()
    {
        // crash 8.0.2 cannot name sleeping tasks on this kernel; the user-mode pt_regs at the top of
        // the stack of a task sleeping in a syscall is what its search would find there.
        var session = new CommandSession(FixtureDumps.Open("sysrq"));
        var text = session.ExecuteAndCapture("bt -e 1");
        Assert.StartsWith("PID: 1        TASK: ", text);
        Assert.Contains("\n  USER-MODE EXCEPTION FRAME AT: ", text);
        Assert.Contains("CS: 0033  SS: 002b", text);
    }
}
