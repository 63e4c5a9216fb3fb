using KdumpDebug.TestSupport;

namespace KdumpDebug.Commands.Tests.RealDump;

/// <summary>
/// p, eval, whatis, ptype, struct, union and * on the real dumps against crash 8.0.2: the
/// fixtures' own goldens of every scenario (whatis struct list_head, p jiffies, p init_task.comm,
/// struct task_struct.pid,comm,__state TASK; run in one session in the fixture's order, so the
/// value-history numbers match), and a session recorded for this project on the sysrq dump
/// (Golden/crash-sysrq-values/session.txt: values of every kind, formats, casts, pointer
/// arithmetic, struct at addresses with members and counts, errors).
/// </summary>
public sealed class ValueCommandGoldenTests
{
    static readonly string[] ValueCommands = ["p ", "p/", "whatis ", "ptype ", "struct ", "union ", "eval ", "* "];

    public static IEnumerable<object[]> Scenarios() =>
        Fixtures.Available ? Fixtures.Scenarios.Select(s => new object[] { s }) : [new object[] { "none" }];

    [FixtureTheory]
    [MemberData(nameof(Scenarios))]
    public void FixtureGoldensMatch(string scenario)
    {
        var cases = File.ReadLines(Fixtures.Path($"{scenario}/crash/commands.tsv"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Skip(1)
            .Select(l => l.Split('\t'))
            .Where(f => f[3] == "ok" && ValueCommands.Any(c => f[1].StartsWith(c, StringComparison.Ordinal)))
            .ToList();
        Assert.NotEmpty(cases);
        var session = new CommandSession(FixtureDumps.Open(scenario));
        foreach (var f in cases)
        {
            var actual = session.ExecuteAndCapture(f[1]);
            GoldenText.AssertMatches(Fixtures.ReadText($"{scenario}/crash/{f[0]}"), actual, $"fixtures-{scenario}", f[0]);
        }
    }

    /// <summary>The recorded session split at crash's <c>@@@ COMMAND</c> markers.</summary>
    static IReadOnlyList<(string Command, string Expected)> RecordedSession(string file)
    {
        var lines = File.ReadAllLines(RepoPaths.Golden("crash-sysrq-values/" + file)).Where(l => !l.StartsWith('#')).ToList();
        var result = new List<(string, string)>();
        string? command = null;
        var expected = new List<string>();
        foreach (var line in lines.Append("@@@ "))
        {
            if (line.StartsWith("@@@ ", StringComparison.Ordinal))
            {
                if (command is not null) result.Add((command, string.Join("\n", expected) + "\n"));
                command = line[4..];
                expected.Clear();
            }
            else expected.Add(line);
        }
        return result;
    }

    /// <summary>session.txt: values of every kind; aggregates.txt: whole kernel structures (init_task, init_mm...); whole-structs.txt: struct and -x over a task and an mm.</summary>
    [FixtureTheory]
    [InlineData("session.txt")]
    [InlineData("aggregates.txt")]
    [InlineData("whole-structs.txt")]
    public void RecordedSessionMatchesCrash(string file)
    {
        var session = new CommandSession(FixtureDumps.Open("sysrq"));
        var failures = new List<string>();
        foreach (var (command, expected) in RecordedSession(file))
        {
            var actual = session.ExecuteAndCapture(command);
            var e = GoldenText.Normalize(expected);
            var a = GoldenText.Normalize(actual);
            // crash hides gdb's reason for a failed request; we print it on the line before crash's.
            if (e.Contains("gdb request failed", StringComparison.Ordinal) && a.EndsWith(e, StringComparison.Ordinal)) continue;
            if (e != a) failures.Add($"=== {command}\n--- crash\n{e}\n--- kdumpdebug\n{a}");
        }
        if (failures.Count > 0)
        {
            var dir = Path.Combine(RepoPaths.Root, "tests", "artifacts", "golden", "crash-sysrq-values");
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, file + ".diff"), string.Join("\n", failures));
        }
        Assert.True(failures.Count == 0, $"{failures.Count} commands differ from crash:\n{string.Join("\n", failures.Take(5))}");
    }
}
