namespace KdumpDebug.Commands.Tests;

/// <summary>One command recorded from crash: the golden file name and the exact command line.</summary>
public sealed record CrashCase(string File, string Command)
{
    public override string ToString() => Command;
}

/// <summary>Reads a commands.tsv (file TAB command, '#' comments, a header line) as written by record-crash.sh and the fixture factory.</summary>
static class CrashRecording
{
    public static IReadOnlyList<CrashCase> Read(string tsvPath) =>
        System.IO.File.ReadLines(tsvPath)
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Skip(1)
            .Select(l => l.Split('\t'))
            .Select(f => new CrashCase(f[0], f[1]))
            .ToArray();
}
