using System.Runtime.CompilerServices;

namespace KdumpDebug.Debuginfo.Tests.Types;

/// <summary>
/// The golden files beside this source file (Types/Golden), found through the source path the
/// compiler recorded, so they need no copying into the build output. A mismatch writes
/// <c>NAME.actual</c> beside the golden for a diff.
/// </summary>
internal static class Golden
{
    public static string Directory([CallerFilePath] string source = "") => Path.Combine(Path.GetDirectoryName(source)!, "Golden");

    public static string Read(string relative) => File.ReadAllText(Path.Combine(Directory(), relative));

    public static IEnumerable<string> StructTypes() =>
        File.ReadAllLines(Path.Combine(Directory(), "struct-types.txt")).Where(l => l.Length > 0);

    public static IEnumerable<(string Name, string Command, string Api)> Commands() =>
        File.ReadAllLines(Path.Combine(Directory(), "commands.tsv"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('\t'))
            .Select(f => (f[0], f[1], f[2]));

    /// <summary>Asserts <paramref name="actual"/> equals the golden text; on a difference writes NAME.actual.</summary>
    public static void AssertMatches(string relative, string actual)
    {
        var path = Path.Combine(Directory(), relative);
        var expected = File.ReadAllText(path);
        if (expected != actual) File.WriteAllText(path + ".actual", actual);
        Assert.Equal(expected, actual);
    }
}
