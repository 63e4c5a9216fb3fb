using KdumpDebug.ProtocolGen;
using KdumpDebug.ProtocolGen.Dap;
using KdumpDebug.ProtocolGen.Lsp;

// Usage: KdumpDebug.ProtocolGen [dap|lsp] [--schema FILE] [--custom FILE] [--methods FILE] [--out DIR]
// No verb: both. dap: debugAdapterProtocol.json (+ custom.json) -> server/KdumpDebug.Dap/Protocol.
// lsp: metaModel.json (+ methods.json) -> server/KdumpDebug.Lsp/Protocol. Defaults: the schema from
// KDUMPDEBUG_PROTOCOL_DIR or ../shared/protocol, the other paths in the repository holding the
// current folder; --schema/--out apply to the one verb given.
string? verb = null, schema = null, custom = null, methods = null, output = null;
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "dap" or "lsp": verb = args[i]; break;
        case "--schema": schema = Next(); break;
        case "--custom": custom = Next(); break;
        case "--methods": methods = Next(); break;
        case "--out": output = Next(); break;
        default:
            Console.Error.WriteLine($"protocolgen: unknown argument '{args[i]}'");
            Console.Error.WriteLine("usage: KdumpDebug.ProtocolGen [dap|lsp] [--schema FILE] [--custom FILE] [--methods FILE] [--out DIR]");
            return 2;
    }
}
if (verb is null && (schema is not null || output is not null))
{
    Console.Error.WriteLine("protocolgen: --schema and --out need a verb (dap or lsp)");
    return 2;
}

var repo = ProtocolPaths.FindRepoRoot(Environment.CurrentDirectory);
var protocolDir = ProtocolPaths.FindProtocolDir(Environment.CurrentDirectory);
if (schema is null && protocolDir is null)
{
    Console.Error.WriteLine($"protocolgen: {ProtocolPaths.DapSchemaFile} not found (set {ProtocolPaths.ProtocolDirVariable} or pass --schema)");
    return 2;
}
if (repo is null && (output is null || (verb == "dap" && custom is null) || (verb == "lsp" && methods is null)))
{
    Console.Error.WriteLine("protocolgen: run inside the repository (KdumpDebug.sln not found) or pass the input and --out paths");
    return 2;
}

try
{
    if (verb is null or "dap")
    {
        var dapCustom = custom ?? ProtocolPaths.DapCustomFile(repo!);
        var files = DapGenerator.Generate(schema ?? Path.Combine(protocolDir!, ProtocolPaths.DapSchemaFile), File.Exists(dapCustom) ? dapCustom : null);
        var dir = output ?? ProtocolPaths.DapOutputDir(repo!);
        DapGenerator.WriteFiles(files, dir);
        Console.WriteLine($"protocolgen: wrote {files.Count} files to {dir}");
    }
    if (verb is null or "lsp")
    {
        var files = LspGenerator.Generate(schema ?? Path.Combine(protocolDir!, ProtocolPaths.LspModelFile), methods ?? ProtocolPaths.LspMethodsFile(repo!));
        var dir = output ?? ProtocolPaths.LspOutputDir(repo!);
        DapGenerator.WriteFiles(files, dir);
        Console.WriteLine($"protocolgen: wrote {files.Count} files to {dir}");
    }
    return 0;
}
catch (SchemaException e)
{
    Console.Error.WriteLine($"protocolgen: {e.Message}");
    return 2;
}
