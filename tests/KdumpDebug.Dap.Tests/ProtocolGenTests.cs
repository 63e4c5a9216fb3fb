using KdumpDebug.Dap.Protocol;
using KdumpDebug.ProtocolGen;
using KdumpDebug.ProtocolGen.Dap;

namespace KdumpDebug.Dap.Tests;

public class ProtocolGenTests
{
    private static string Schema => Path.Combine(ProtocolPaths.FindProtocolDir(AppContext.BaseDirectory)!, ProtocolPaths.DapSchemaFile);
    private static string Repo => ProtocolPaths.FindRepoRoot(AppContext.BaseDirectory)!;

    [ProtocolFact]
    public void CommittedFilesMatchARegeneration()
    {
        var temp = Directory.CreateTempSubdirectory("kdumpdebug-protocolgen-");
        try
        {
            DapGenerator.WriteFiles(DapGenerator.Generate(Schema, ProtocolPaths.DapCustomFile(Repo)), temp.FullName);
            var committedDir = ProtocolPaths.DapOutputDir(Repo);
            var generated = Directory.GetFiles(temp.FullName, "*.g.cs").Select(Path.GetFileName).Order().ToList();
            var committed = Directory.GetFiles(committedDir, "*.g.cs").Select(Path.GetFileName).Order().ToList();
            Assert.Equal(generated, committed);
            foreach (var name in generated)
            {
                var expected = File.ReadAllText(Path.Combine(temp.FullName, name!));
                var actual = File.ReadAllText(Path.Combine(committedDir, name!));
                Assert.True(expected == actual,
                    $"{name} differs from a regeneration; run `dotnet run --project server/KdumpDebug.ProtocolGen` and commit the result");
            }
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

    [ProtocolFact]
    public void GenerationIsDeterministicAndHeadersEveryFile()
    {
        var a = DapGenerator.Generate(Schema, ProtocolPaths.DapCustomFile(Repo));
        var b = DapGenerator.Generate(Schema, ProtocolPaths.DapCustomFile(Repo));
        Assert.Equal(a, b);
        Assert.Equal(["Commands.g.cs", "Custom.g.cs", "DapJsonContext.g.cs", "Events.g.cs", "Requests.g.cs", "Types.g.cs"], a.Keys);
        Assert.All(a.Values, text => Assert.StartsWith(DapGenerator.Header + "\n", text));
        Assert.All(a.Values, text => Assert.DoesNotContain("\r", text));
    }

    [ProtocolFact]
    public void EveryRequestAndEventOfTheSchemaIsGenerated()
    {
        var model = DapModelBuilder.Build(File.ReadAllText(Schema), null);
        // debugAdapterProtocol.json 1.71: 47 client requests + 2 reverse requests, 19 events.
        Assert.Contains(model.Requests, r => r is { Command: "stackTrace", ArgumentsType: "StackTraceArguments", BodyType: "StackTraceResponseBody" });
        Assert.Contains(model.Requests, r => r is { Command: "initialize", ArgumentsType: "InitializeRequestArguments", BodyType: "Capabilities" });
        Assert.Contains(model.Requests, r => r is { Command: "threads", ArgumentsType: null, BodyType: "ThreadsResponseBody" });
        Assert.Contains(model.Requests, r => r is { Command: "configurationDone", BodyType: null });
        Assert.Contains(model.Events, e => e is { EventName: "stopped", BodyType: "StoppedEventBody" });
        Assert.Contains(model.Events, e => e is { EventName: "initialized", BodyType: null });
        Assert.Equal(model.Requests.Select(r => r.Command), DapCommands.All);
        Assert.Equal(model.Events.Select(e => e.EventName), DapEvents.All);
        Assert.Equal(model.Requests.Count, File.ReadAllText(Schema).Split("\"$ref\": \"#/definitions/Request\"").Length - 1);
    }

    [Fact]
    public void CustomFragmentAddsARequestWithItsTypes()
    {
        const string schema = """
            {"definitions": {
              "ProtocolMessage": {"type": "object", "properties": {"seq": {"type": "integer", "format": "int32"}}},
              "Request": {"allOf": [{"$ref": "#/definitions/ProtocolMessage"}, {"type": "object", "properties": {"command": {"type": "string"}, "arguments": {"type": ["array", "boolean", "integer", "null", "number", "object", "string"]}}}]},
              "Response": {"allOf": [{"$ref": "#/definitions/ProtocolMessage"}, {"type": "object", "properties": {"body": {"type": ["array", "boolean", "integer", "null", "number", "object", "string"]}}}]},
              "Event": {"allOf": [{"$ref": "#/definitions/ProtocolMessage"}, {"type": "object", "properties": {"event": {"type": "string"}}}]},
              "Source": {"type": "object", "description": "A source.", "properties": {"path": {"type": "string"}}}
            }}
            """;
        const string custom = """
            {"definitions": {
              "CrashCommandRequest": {"allOf": [{"$ref": "#/definitions/Request"}, {"type": "object", "description": "Runs a crash command.",
                "properties": {"command": {"type": "string", "enum": ["crashCommand"]}, "arguments": {"$ref": "#/definitions/CrashCommandArguments"}}, "required": ["command", "arguments"]}]},
              "CrashCommandArguments": {"type": "object", "properties": {"line": {"type": "string", "description": "The command line."}, "source": {"$ref": "#/definitions/Source"}}, "required": ["line"]},
              "CrashCommandResponse": {"allOf": [{"$ref": "#/definitions/Response"}, {"type": "object",
                "properties": {"body": {"type": "object", "properties": {"text": {"type": "string"}, "kind": {"type": "string", "enum": ["plain", "table"]}}, "required": ["text"]}}}]}
            }}
            """;
        var model = DapModelBuilder.Build(schema, custom);
        var request = Assert.Single(model.Requests);
        Assert.Equal(new DapRequest("crashCommand", "CrashCommandRequest", "Runs a crash command.", "CrashCommandArguments", "CrashCommandResponseBody", Custom: true), request);
        var files = DapGenerator.Render(model);
        var customFile = files["Custom.g.cs"];
        Assert.Contains("public sealed partial class CrashCommandArguments", customFile);
        Assert.Contains("    [JsonPropertyName(\"line\")]\n    public required string Line { get; set; }", customFile);
        Assert.Contains("public Source? Source { get; set; }", customFile);
        Assert.Contains("public enum CrashCommandResponseBodyKind", customFile);
        Assert.Contains("public const string CrashCommand = \"crashCommand\";", files["Commands.g.cs"]);
        Assert.Contains("[JsonSerializable(typeof(CrashCommandResponseBody))]", files["DapJsonContext.g.cs"]);
        Assert.Contains("public sealed partial class Source", files["Types.g.cs"]);
    }

    [Fact]
    public void CustomFragmentMayNotRedefineAnOfficialName()
    {
        const string schema = """{"definitions": {"Source": {"type": "object", "properties": {}}}}""";
        var e = Assert.Throws<SchemaException>(() => DapModelBuilder.Build(schema, """{"definitions": {"Source": {"type": "object"}}}"""));
        Assert.Equal("custom.json: definitions/Source is already defined by the official schema (custom definitions must add new names)", e.Message);
    }

    [Fact]
    public void UntranslatableSchemaNamesThePath()
    {
        var e = Assert.Throws<SchemaException>(() => DapModelBuilder.Build(
            """{"definitions": {"Odd": {"type": "object", "properties": {"x": {"type": ["boolean", "string"]}}}}}""", null));
        Assert.Equal("debugAdapterProtocol.json: definitions/Odd/properties/x: type list [boolean, string] is not translated", e.Message);
    }

    [Theory]
    [InlineData("function breakpoint", "FunctionBreakpoint")]
    [InlineData("__restart", "Restart")]
    [InlineData("MD5", "MD5")]
    [InlineData("request_seq", "RequestSeq")]
    [InlineData("unixTimestampUTC", "UnixTimestampUTC")]
    public void PascalNames(string json, string cs) => Assert.Equal(cs, DapModelBuilder.Pascal(json));
}
