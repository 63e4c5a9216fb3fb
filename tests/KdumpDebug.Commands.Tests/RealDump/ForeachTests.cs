using System.Text.RegularExpressions;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Commands.Tests.RealDump;

/// <summary>foreach's task selectors and per-task commands on the sysrq dump (crash 8.0.2 sees only 4 of its 47 tasks).</summary>
public sealed class ForeachTests
{
    static CommandSession Session(CommandTable? table = null) => new(FixtureDumps.Open("sysrq"), table);

    static List<string> Headers(string output) =>
        Regex.Matches(output, @"^PID: (\d+) +TASK: [0-9a-f]+ +CPU: \d+ +COMMAND: ""([^""]*)""", RegexOptions.Multiline)
            .Select(m => $"{m.Groups[1].Value} {m.Groups[2].Value}").ToList();

    [FixtureFact]
    public void ARegexSelectsEveryMatchingTaskAndRunsFilesOnEach()
    {
        var output = Session().ExecuteAndCapture("foreach 'fx.*' files");
        Assert.Equal(["57 fxhold", "60 fx-cond", "61 fx-epoll", "62 fx-sockrd"], Headers(output));
        // The threads share the process's file table: fxhold's fds in every block, blocks separated by a blank line.
        Assert.Equal(4, Regex.Matches(output, @" /mnt/data/notes\.txt\n").Count);
        Assert.Equal(3, Regex.Matches(output, @"\n\nPID: ").Count);
    }

    [FixtureFact]
    public void UnknownSelectorsGiveOneLineEachAndSelectNothing()
    {
        var output = Session().ExecuteAndCapture("foreach nosuch 99999 bt");
        Assert.Equal("foreach: no task named \"nosuch\"\nforeach: invalid task or pid value: 99999\n", output);
    }

    [FixtureFact]
    public void AnUnknownSelectorDoesNotStopTheOthers()
    {
        var output = Session().ExecuteAndCapture("foreach nosuch 57 task -R pid");
        Assert.Equal("foreach: no task named \"nosuch\"\nPID: 57       TASK: ffffa0f7c0a9e540  CPU: 1    COMMAND: \"fxhold\"\n  pid = 57,\n\n", output);
    }

    [FixtureFact]
    public void ClassSelectorsFilterTogether()
    {
        var session = Session();
        Assert.Equal(["48 sh", "68 sh"], Headers(session.ExecuteAndCapture("foreach active bt")));
        var kernelIdle = Headers(session.ExecuteAndCapture("foreach kernel IN task -R pid"));
        Assert.Contains("2 kthreadd", kernelIdle);
        Assert.DoesNotContain(kernelIdle, h => h.EndsWith(" sh", StringComparison.Ordinal));
        var leaders = Headers(session.ExecuteAndCapture("foreach gleader task -R pid"));
        Assert.Contains("57 fxhold", leaders);
        Assert.DoesNotContain("60 fx-cond", leaders);
        Assert.DoesNotContain("2 kthreadd", leaders);
        // A name that is also a state or keyword is reached with a backslash.
        Assert.Equal(["57 fxhold"], Headers(session.ExecuteAndCapture("foreach \\fxhold task -R pid")));
    }

    /// <summary>foreach files / vm over every task of every scenario: no internal errors, no problem lines, one block per task.</summary>
    [FixtureTheory]
    [InlineData("sysrq", "files")]
    [InlineData("sysrq", "vm")]
    [InlineData("sysrq-qemu", "files")]
    [InlineData("sysrq-qemu", "vm")]
    [InlineData("oops-module", "files")]
    [InlineData("oops-module", "vm")]
    [InlineData("sysrq-la57", "files")]
    [InlineData("sysrq-la57", "vm")]
    public void ForeachOverEveryTaskIsClean(string scenario, string command)
    {
        var target = FixtureDumps.Open(scenario);
        var output = new CommandSession(target).ExecuteAndCapture($"foreach {command}");
        Assert.DoesNotContain("internal error", output);
        Assert.DoesNotMatch(new Regex($"^{command}:", RegexOptions.Multiline), output);
        Assert.Equal(Kernel.LinuxKernel.For(target).Tasks.Tasks.Count, Headers(output).Count);
    }

    /// <summary>A per-task command added later (here a stand-in for sig) works under foreach without changes to foreach.</summary>
    [FixtureFact]
    public void SigRunsPerTaskWithoutItsTrailingBlankLine()
    {
        // crash's foreach runs do_sig(FOREACH_SIG): each task's sig output, one blank line between
        // tasks, and not the blank line cmd_sig ends each task with.
        var session = Session();
        var one = session.ExecuteAndCapture("sig 57");
        var two = session.ExecuteAndCapture("sig 68");
        Assert.EndsWith("(empty)\n\n", one);
        Assert.Equal(one + two[..^1], session.ExecuteAndCapture("foreach 57 68 sig"));
        Assert.Null(session.ContextTask);
    }

    [FixtureFact]
    public void ForeachNetListsTheSocketsOfEachSelectedTask()
    {
        // fxhold (57) holds the workload's sockets: the TCP listener on 127.0.0.1:7777 among them.
        var output = Session().ExecuteAndCapture("foreach 57 net -s");
        Assert.StartsWith("PID: 57 ", output);
        Assert.Contains("127.0.0.1-7777", output);
    }
}
