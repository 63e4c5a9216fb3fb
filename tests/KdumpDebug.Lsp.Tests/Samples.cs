namespace KdumpDebug.Lsp.Tests;

/// <summary>The repository's samples/ folder (sample files the tests open as documents).</summary>
static class Samples
{
    public static string Root { get; } = FindRoot();

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "KdumpDebug.sln"))) return Path.Combine(dir.FullName, "samples");
        throw new DirectoryNotFoundException("repository root (KdumpDebug.sln) not found above " + AppContext.BaseDirectory);
    }

    public static string Text(string relative) => File.ReadAllText(Path.Combine(Root, relative));

    public static string Uri(string relative) => new Uri(Path.Combine(Root, relative)).AbsoluteUri;
}
