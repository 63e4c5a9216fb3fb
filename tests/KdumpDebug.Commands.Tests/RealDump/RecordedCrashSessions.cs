using System.Text;

namespace KdumpDebug.Commands.Tests.RealDump;

/// <summary>
/// Sessions recorded from crash (a Golden/*/record.sh runs crash once with every command of
/// commands-SCENARIO.txt and writes session-SCENARIO.txt, each output after an <c>@@@ COMMAND</c>
/// line) and their replay: every command must give crash's text (line ends trimmed).
/// </summary>
static class RecordedCrashSessions
{
    /// <summary>
    /// Runs each recorded command in <paramref name="session"/> and fails listing the first three
    /// that differ from crash; at least <paramref name="minCases"/> commands must be recorded.
    /// </summary>
    public static void AssertMatches(CommandSession session, string file, int minCases)
    {
        var failures = new List<string>();
        var cases = Read(file);
        Assert.True(cases.Count >= minCases, $"{file}: {cases.Count} commands recorded");
        foreach (var (command, expected) in cases)
        {
            var e = GoldenText.Normalize(expected);
            var a = GoldenText.Normalize(session.ExecuteAndCapture(command));
            if (e != a) failures.Add($"=== {command}\n--- crash\n{e}\n--- kdumpdebug\n{a}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} commands differ from crash:\n{string.Join("\n", failures.Take(3))}");
    }

    /// <summary>A recorded session split at its <c>@@@ COMMAND</c> markers ('#' lines are its header).</summary>
    public static List<(string Command, string Expected)> Read(string file)
    {
        var result = new List<(string, string)>();
        string? command = null;
        var expected = new StringBuilder();
        foreach (var line in File.ReadAllLines(RepoPaths.Golden(file)).Where(l => !l.StartsWith('#')).Append("@@@ "))
        {
            if (line.StartsWith("@@@ ", StringComparison.Ordinal))
            {
                if (command is not null) result.Add((command, expected.ToString()));
                command = line[4..];
                expected.Clear();
            }
            else expected.Append(line).Append('\n');
        }
        return result;
    }
}
