using KdumpDebug.ProtocolGen;
using KdumpDebug.ProtocolGen.Dap;

// Usage: KdumpDebug.ProtocolGen [dap] [--schema <debugAdapterProtocol.json>] [--custom <custom.json>] [--out <dir>]
// Defaults: the schema from KDUMPDEBUG_PROTOCOL_DIR or ../shared/protocol, the custom fragment and
// the output folder server/KdumpDebug.Dap/Protocol of the repository holding the current folder.
string? schema = null, custom = null, output = null;
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "dap": break;
        case "--schema": schema = Next(); break;
        case "--custom": custom = Next(); break;
        case "--out": output = Next(); break;
        default:
            Console.Error.WriteLine($"protocolgen: unknown argument '{args[i]}'");
            Console.Error.WriteLine("usage: KdumpDebug.ProtocolGen [dap] [--schema FILE] [--custom FILE] [--out DIR]");
            return 2;
    }
}

var repo = ProtocolPaths.FindRepoRoot(Environment.CurrentDirectory);
if (schema is null)
{
    var dir = ProtocolPaths.FindProtocolDir(Environment.CurrentDirectory);
    if (dir is null)
    {
        Console.Error.WriteLine($"protocolgen: {ProtocolPaths.DapSchemaFile} not found (set {ProtocolPaths.ProtocolDirVariable} or pass --schema)");
        return 2;
    }
    schema = Path.Combine(dir, ProtocolPaths.DapSchemaFile);
}
if (repo is null && (custom is null || output is null))
{
    Console.Error.WriteLine("protocolgen: run inside the repository (KdumpDebug.sln not found) or pass --custom and --out");
    return 2;
}
custom ??= ProtocolPaths.DapCustomFile(repo!);
output ??= ProtocolPaths.DapOutputDir(repo!);

try
{
    var files = DapGenerator.Generate(schema, File.Exists(custom) ? custom : null);
    DapGenerator.WriteFiles(files, output);
    Console.WriteLine($"protocolgen: wrote {files.Count} files to {output}");
    return 0;
}
catch (SchemaException e)
{
    Console.Error.WriteLine($"protocolgen: {e.Message}");
    return 2;
}
