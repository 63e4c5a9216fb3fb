namespace KdumpDebug.Commands.Tests;

/// <summary>
/// Compares command output with a golden text: trailing whitespace on each line and trailing
/// blank lines are ignored (crash's goldens were captured with varying line ends). On a mismatch
/// the actual text and a copy of the golden are written under tests/artifacts/golden/GROUP/ (the
/// fixtures folder is read-only) so they can be diffed, and the test fails showing both.
/// </summary>
static class GoldenText
{
    public static string Normalize(string text)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n').Select(l => l.TrimEnd()).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        return string.Join("\n", lines);
    }

    public static void AssertMatches(string expected, string actual, string group, string name)
    {
        var e = Normalize(expected);
        var a = Normalize(actual);
        if (e == a) return;
        var dir = Path.Combine(RepoPaths.Root, "tests", "artifacts", "golden", group);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, name + ".actual"), actual);
        File.WriteAllText(Path.Combine(dir, name), expected);
        Assert.Equal(e, a);
    }
}

/// <summary>Where the repository and the test's own files are.</summary>
static class RepoPaths
{
    /// <summary>The repository root (the folder holding KdumpDebug.sln), found from the test binary.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>A file copied beside the test binary from the test project's Golden/ folder.</summary>
    public static string Golden(string relative) => Path.Combine(AppContext.BaseDirectory, "Golden", relative);

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KdumpDebug.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("KdumpDebug.sln not found above " + AppContext.BaseDirectory);
    }
}
