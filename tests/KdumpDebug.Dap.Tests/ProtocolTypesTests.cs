using System.Text.Json;
using KdumpDebug.Dap.Protocol;

namespace KdumpDebug.Dap.Tests;

public class ProtocolTypesTests
{
    [Fact]
    public void StackFrameSerializesWithDapNamesAndOmitsUnsetOptionals()
    {
        var frame = new StackFrame
        {
            Id = 3,
            Name = "sysrq_handle_crash",
            Line = 151,
            Column = 1,
            Source = new Source { Name = "sysrq.c", Path = "/src/linux/drivers/tty/sysrq.c" },
            InstructionPointerReference = "0xffffffff8155e2c6",
            PresentationHint = StackFramePresentationHint.Label,
            ModuleId = "vmlinux",
        };
        Assert.Equal(
            """{"id":3,"name":"sysrq_handle_crash","source":{"name":"sysrq.c","path":"/src/linux/drivers/tty/sysrq.c"},"line":151,"column":1,"instructionPointerReference":"0xffffffff8155e2c6","moduleId":"vmlinux","presentationHint":"label"}""",
            JsonSerializer.Serialize(frame, DapJsonContext.Default.StackFrame));
    }

    [Fact]
    public void VariableRoundTrips()
    {
        const string json = """{"name":"task","value":"0xffff888003a0c000","type":"struct task_struct *","presentationHint":{"kind":"data","attributes":["readOnly"]},"evaluateName":"task","variablesReference":12,"indexedVariables":0,"memoryReference":"0xffff888003a0c000"}""";
        var v = JsonSerializer.Deserialize(json, DapJsonContext.Default.Variable)!;
        Assert.Equal("struct task_struct *", v.Type);
        Assert.Equal(12, v.VariablesReference);
        Assert.Equal(["readOnly"], v.PresentationHint!.Attributes!);
        Assert.Null(v.NamedVariables);
        Assert.Equal(json, JsonSerializer.Serialize(v, DapJsonContext.Default.Variable));
    }

    [Fact]
    public void CapabilitiesUseTheSchemaNames()
    {
        var caps = new Capabilities
        {
            SupportsConfigurationDoneRequest = true,
            SupportsEvaluateForHovers = true,
            SupportsReadMemoryRequest = true,
            SupportsExceptionInfoRequest = true,
            CompletionTriggerCharacters = [".", ">"],
            ExceptionBreakpointFilters = [new ExceptionBreakpointsFilter { Filter = "panic", Label = "Kernel panic", Default = true }],
            SupportedChecksumAlgorithms = [ChecksumAlgorithm.SHA256],
        };
        Assert.Equal(
            """{"supportsConfigurationDoneRequest":true,"supportsEvaluateForHovers":true,"exceptionBreakpointFilters":[{"filter":"panic","label":"Kernel panic","default":true}],"completionTriggerCharacters":[".","\u003E"],"supportedChecksumAlgorithms":["SHA256"],"supportsExceptionInfoRequest":true,"supportsReadMemoryRequest":true}""",
            JsonSerializer.Serialize(caps, DapJsonContext.Default.Capabilities));
    }

    [Fact]
    public void ArgumentsFromVsCodeDeserialize()
    {
        var args = JsonSerializer.Deserialize("""{"threadId":1,"startFrame":0,"levels":20,"format":{"hex":true}}""", DapJsonContext.Default.StackTraceArguments)!;
        Assert.Equal(1, args.ThreadId);
        Assert.Equal(20, args.Levels);
        Assert.True(args.Format!.Hex);

        var evaluate = JsonSerializer.Deserialize("""{"expression":"jiffies","frameId":1000,"context":"watch"}""", DapJsonContext.Default.EvaluateArguments)!;
        Assert.Equal("watch", evaluate.Context); // an open set (_enum) stays a string
    }

    [Fact]
    public void MissingRequiredPropertyIsAJsonError()
    {
        var e = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("""{"levels":20}""", DapJsonContext.Default.StackTraceArguments));
        Assert.Contains("threadId", e.Message);
    }

    [Fact]
    public void ClosedEnumsUseSchemaSpellings()
    {
        Assert.Equal("\"userUnhandled\"", JsonSerializer.Serialize(ExceptionBreakMode.UserUnhandled, DapJsonContext.Default.ExceptionBreakMode));
        var d = JsonSerializer.Deserialize("""{"exceptionId":"panic","breakMode":"always"}""", DapJsonContext.Default.ExceptionInfoResponseBody)!;
        Assert.Equal(ExceptionBreakMode.Always, d.BreakMode);
        Assert.Equal(InvalidatedAreas.Variables, "variables");
    }

    [Fact]
    public void IntegerOrStringKeepsTheJsonKind()
    {
        var m = JsonSerializer.Deserialize("""{"id":7,"name":"ext4"}""", DapJsonContext.Default.Module)!;
        Assert.Equal(7, m.Id.Integer);
        Assert.Equal("""{"id":7,"name":"ext4"}""", JsonSerializer.Serialize(m, DapJsonContext.Default.Module));
        m.Id = "ext4";
        Assert.Equal("""{"id":"ext4","name":"ext4"}""", JsonSerializer.Serialize(m, DapJsonContext.Default.Module));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("""{"id":true,"name":"x"}""", DapJsonContext.Default.Module));
    }

    [Fact]
    public void CustomLaunchArgumentsIncludeTheBaseLaunchFields()
    {
        var a = JsonSerializer.Deserialize(
            """{"type":"kdump","request":"launch","name":"dump","vmcore":"/var/crash/vmcore","sourceFileMap":{"/build/linux":"/src/linux"},"threads":"active","noDebug":false,"__restart":{"x":1}}""",
            DapJsonContext.Default.KdumpLaunchRequestArguments)!;
        Assert.Equal("/var/crash/vmcore", a.Vmcore);
        Assert.Equal("/src/linux", a.SourceFileMap!["/build/linux"]);
        Assert.Equal(KdumpLaunchRequestArgumentsThreads.Active, a.Threads);
        Assert.False(a.NoDebug);
        Assert.Equal(1, a.Restart!.Value.GetProperty("x").GetInt32());
    }
}
