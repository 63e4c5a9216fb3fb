using KdumpDebug.ProtocolGen;

namespace KdumpDebug.Dap.Tests;

/// <summary>
/// A fact that needs ../shared/protocol/debugAdapterProtocol.json (or KDUMPDEBUG_PROTOCOL_DIR) and
/// the repository sources; skipped cleanly when either is absent.
/// </summary>
public sealed class ProtocolFactAttribute : FactAttribute
{
    public ProtocolFactAttribute()
    {
        if (ProtocolPaths.FindProtocolDir(AppContext.BaseDirectory) is null)
            Skip = $"{ProtocolPaths.DapSchemaFile} not found (set {ProtocolPaths.ProtocolDirVariable})";
        else if (ProtocolPaths.FindRepoRoot(AppContext.BaseDirectory) is null)
            Skip = "repository sources (KdumpDebug.sln) not found";
    }
}
