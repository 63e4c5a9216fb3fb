using System.Text;

namespace KdumpDebug.Commands.Tests.RealDump;

/// <summary>
/// A crash session recorded by Golden/record-session.sh: the commands of one crash run, each
/// output after its <c>@@@ COMMAND</c> line, replayed here command by command.
/// </summary>
static class RecordedSession
{
    /// <summary>The session in <paramref name="file"/> (under Golden/) split at its <c>@@@ COMMAND</c> markers ('#' lines are its header).</summary>
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

    /// <summary>Runs each command in <paramref name="session"/> and fails listing the first three whose output differs from crash's.</summary>
    public static void AssertReplays(CommandSession session, IEnumerable<(string Command, string Expected)> cases)
    {
        var failures = new List<string>();
        foreach (var (command, expected) in cases)
        {
            var e = GoldenText.Normalize(expected);
            var a = GoldenText.Normalize(session.ExecuteAndCapture(command));
            if (e != a) failures.Add($"=== {command}\n--- crash\n{e}\n--- kdumpdebug\n{a}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} commands differ from crash:\n{string.Join("\n", failures.Take(3))}");
    }
}
