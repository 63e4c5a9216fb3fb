using System.Globalization;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Commands.Tests.RealDump;

/// <summary>
/// <c>ps -t</c> against crash 8.0.2's output (Golden/crash-tasks/SCENARIO/ps-t.txt). crash lists
/// only the 4 tasks it finds on these kernels (the active and idle ones); those blocks must be
/// identical in ours, and ours has one block for every task, oldest first.
/// </summary>
public sealed class PsTimesTests
{
    public static readonly TheoryData<string> Scenarios = new() { "sysrq", "oops-module", "sysrq-la57" };

    /// <summary>The blocks of ps -t output (header line and four lines), in order.</summary>
    static List<string[]> Blocks(string text) =>
        text.Replace("\r\n", "\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(b => b.Trim('\n').Split('\n').Select(l => l.TrimEnd()).ToArray()).ToList();

    [FixtureTheory]
    [MemberData(nameof(Scenarios))]
    public void CrashsTasksHaveTheSameBlocksAndEveryTaskHasOne(string scenario)
    {
        var session = new CommandSession(FixtureDumps.Open(scenario));
        var ours = Blocks(session.ExecuteAndCapture("ps -t"));
        var crash = Blocks(File.ReadAllText(RepoPaths.Golden($"crash-tasks/{scenario}/ps-t.txt")));
        Assert.Equal(4, crash.Count);
        var taskCount = session.ExecuteAndCapture("ps").TrimEnd('\n').Split('\n').Length - 1;
        Assert.Equal(taskCount, ours.Count);

        var positions = new List<int>();
        foreach (var block in crash)
        {
            var index = ours.FindIndex(b => b[0] == block[0]);
            Assert.True(index >= 0, $"no block for {block[0]}");
            Assert.Equal(string.Join("\n", block), string.Join("\n", ours[index]));
            positions.Add(index);
        }
        Assert.Equal(positions.Order().ToList(), positions);

        foreach (var block in ours)
        {
            Assert.Equal(5, block.Length);
            Assert.Matches(@"^    RUN TIME: \d\d:\d\d:\d\d$", block[1]);
        }
        var starts = ours.Select(b => ulong.Parse(b[2]["  START TIME: ".Length..], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(starts.Order().ToList(), starts);
    }
}
