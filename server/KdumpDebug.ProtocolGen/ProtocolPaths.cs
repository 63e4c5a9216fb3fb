namespace KdumpDebug.ProtocolGen;

/// <summary>
/// Finds the inputs and outputs of the generator: the shared protocol folder (environment variable
/// <c>KDUMPDEBUG_PROTOCOL_DIR</c>, else <c>../shared/protocol</c> beside the repository, found by
/// walking up from a start folder) and the repository root (the folder holding KdumpDebug.sln).
/// </summary>
public static class ProtocolPaths
{
    /// <summary>Environment variable naming the folder that holds debugAdapterProtocol.json.</summary>
    public const string ProtocolDirVariable = "KDUMPDEBUG_PROTOCOL_DIR";

    /// <summary>File name of the official DAP JSON schema inside the protocol folder.</summary>
    public const string DapSchemaFile = "debugAdapterProtocol.json";

    /// <summary>
    /// The protocol folder, or null when neither the environment variable nor a
    /// <c>shared/protocol</c> folder next to an ancestor of <paramref name="start"/> has the schema.
    /// </summary>
    public static string? FindProtocolDir(string start)
    {
        var fromEnv = Environment.GetEnvironmentVariable(ProtocolDirVariable);
        if (!string.IsNullOrEmpty(fromEnv))
            return File.Exists(Path.Combine(fromEnv, DapSchemaFile)) ? Path.GetFullPath(fromEnv) : null;
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "protocol");
            if (File.Exists(Path.Combine(candidate, DapSchemaFile))) return candidate;
        }
        return null;
    }

    /// <summary>The nearest ancestor of <paramref name="start"/> holding KdumpDebug.sln, or null.</summary>
    public static string? FindRepoRoot(string start)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "KdumpDebug.sln"))) return dir.FullName;
        return null;
    }

    /// <summary>Where the generated DAP files live, relative to the repository root.</summary>
    public static string DapOutputDir(string repoRoot) =>
        Path.Combine(repoRoot, "server", "KdumpDebug.Dap", "Protocol");

    /// <summary>File name of the LSP meta model inside the protocol folder.</summary>
    public const string LspModelFile = "metaModel.json";

    /// <summary>Where the generated LSP files live, relative to the repository root.</summary>
    public static string LspOutputDir(string repoRoot) =>
        Path.Combine(repoRoot, "server", "KdumpDebug.Lsp", "Protocol");

    /// <summary>The list of LSP methods (and extra types) the generator follows, beside its output.</summary>
    public static string LspMethodsFile(string repoRoot) => Path.Combine(LspOutputDir(repoRoot), "methods.json");

    /// <summary>The adapter-specific definitions merged with the official schema.</summary>
    public static string DapCustomFile(string repoRoot) => Path.Combine(DapOutputDir(repoRoot), "custom.json");
}
