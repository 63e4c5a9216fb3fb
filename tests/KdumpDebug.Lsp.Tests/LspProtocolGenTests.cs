using KdumpDebug.Lsp.Protocol;
using KdumpDebug.ProtocolGen;
using KdumpDebug.ProtocolGen.Lsp;

namespace KdumpDebug.Lsp.Tests;

/// <summary>The LSP types generated from metaModel.json: committed output current, and the mapping rules.</summary>
public class LspProtocolGenTests
{
    static string? ProtocolDir => ProtocolPaths.FindProtocolDir(AppContext.BaseDirectory);
    static string Repo => ProtocolPaths.FindRepoRoot(AppContext.BaseDirectory)!;

    [Fact]
    public void CommittedFilesMatchARegeneration()
    {
        if (ProtocolDir is null) return; // ../shared/protocol absent: nothing to compare with
        var files = LspGenerator.Generate(Path.Combine(ProtocolDir, ProtocolPaths.LspModelFile), ProtocolPaths.LspMethodsFile(Repo));
        Assert.Equal(["Enums.g.cs", "Methods.g.cs", "Types.g.cs"], files.Keys);
        foreach (var (name, text) in files)
        {
            Assert.StartsWith(LspGenerator.Header + "\n", text);
            Assert.True(text == File.ReadAllText(Path.Combine(ProtocolPaths.LspOutputDir(Repo), name)),
                $"{name} differs from a regeneration; run `dotnet run --project server/KdumpDebug.ProtocolGen -- lsp` and commit the result");
        }
    }

    [Fact]
    public void TheMethodsTheServerHandlesAreTheGeneratedOnes()
    {
        var handled = typeof(Host.LspSession).GetMethods()
            .SelectMany(m => m.GetCustomAttributes(typeof(StreamJsonRpc.JsonRpcMethodAttribute), false).Cast<StreamJsonRpc.JsonRpcMethodAttribute>())
            .Select(a => a.Name!).ToHashSet();
        // Every generated method is handled here except what the server sends or StreamJsonRpc handles.
        Assert.Equal(LspMethods.All.Except([LspMethods.TextDocumentPublishDiagnostics, LspMethods.CancelRequest]).Order(), handled.Order());
    }

    [Fact]
    public void MappingRules()
    {
        const string model = """
            {"metaData": {"version": "9.9"},
             "requests": [{"method": "x/get", "typeName": "GetRequest", "messageDirection": "clientToServer",
                           "params": {"kind": "reference", "name": "GetParams"},
                           "result": {"kind": "or", "items": [{"kind": "reference", "name": "Thing"}, {"kind": "base", "name": "null"}]}}],
             "notifications": [],
             "structures": [
               {"name": "Base", "properties": [{"name": "uri", "type": {"kind": "base", "name": "DocumentUri"}}]},
               {"name": "GetParams", "extends": [{"kind": "reference", "name": "Base"}], "properties": [
                 {"name": "count", "type": {"kind": "base", "name": "uinteger"}, "optional": true},
                 {"name": "future", "type": {"kind": "base", "name": "string"}, "proposed": true}]},
               {"name": "Thing", "properties": [
                 {"name": "value", "type": {"kind": "or", "items": [{"kind": "base", "name": "string"}, {"kind": "reference", "name": "Base"}]}},
                 {"name": "kind", "type": {"kind": "reference", "name": "Kind"}},
                 {"name": "label", "type": {"kind": "reference", "name": "Label"}, "optional": true},
                 {"name": "extra", "type": {"kind": "literal", "value": {"properties": [{"name": "n", "type": {"kind": "base", "name": "integer"}}]}}, "optional": true},
                 {"name": "any", "type": {"kind": "reference", "name": "LSPAny"}, "optional": true},
                 {"name": "thing", "type": {"kind": "base", "name": "boolean"}, "optional": true}]},
               {"name": "Unused", "properties": []}],
             "enumerations": [
               {"name": "Kind", "type": {"kind": "base", "name": "uinteger"}, "values": [{"name": "One", "value": 1}, {"name": "Two", "value": 2}]},
               {"name": "Label", "type": {"kind": "base", "name": "string"}, "values": [{"name": "plain", "value": "plain"}]}],
             "typeAliases": [{"name": "LSPAny", "type": {"kind": "base", "name": "string"}}]}
            """;
        var built = LspModelBuilder.Build(model, """{"methods": ["x/get"]}""");
        Assert.Equal(["Base", "GetParams", "Thing", "ThingExtra"], built.Classes.Select(c => c.Name)); // Unused is not reachable
        Assert.Equal(["uri", "count"], built.Classes.Single(c => c.Name == "GetParams").Properties.Select(p => p.JsonName)); // flattened, proposed left out
        var files = LspGenerator.Render(built);
        var types = files["Types.g.cs"];
        Assert.Contains("    public required string Uri { get; set; }", types);
        Assert.Contains("    public int? Count { get; set; }", types);
        Assert.Contains("    /// On the wire: string | Base.\n    /// </summary>\n    [JsonPropertyName(\"value\")]\n    public required object Value { get; set; }", types);
        Assert.Contains("    public required Kind Kind { get; set; }", types);
        Assert.Contains("    public string? Label { get; set; }", types);
        Assert.Contains("    public ThingExtra? Extra { get; set; }", types);
        Assert.Contains("    public JsonElement? Any { get; set; }", types);
        Assert.Contains("    public bool? ThingValue { get; set; }", types); // a property named like its class
        Assert.Contains("public enum Kind\n{", files["Enums.g.cs"]);
        Assert.Contains("    public const string Plain = \"plain\";", files["Enums.g.cs"]);
        Assert.Contains("Request, clientToServer. Params: GetParams; result: Thing.", files["Methods.g.cs"]);
        Assert.Contains("    public const string XGet = \"x/get\";", files["Methods.g.cs"]);
    }

    [Fact]
    public void AnUnknownMethodNamesTheFile()
    {
        var e = Assert.Throws<SchemaException>(() => LspModelBuilder.Build(
            """{"requests": [], "notifications": [], "structures": [], "enumerations": [], "typeAliases": []}""", """{"methods": ["x/nope"]}"""));
        Assert.Equal("methods.json: method 'x/nope' is not in metaModel.json", e.Message);
    }
}
