using System.Text.Json.Nodes;
using KdumpDebug.Dap.Session;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Dap.Tests;

/// <summary>
/// ARCHITECTURE.md / issue 5 "Bad input": 1000 malformed or random messages through the real
/// DapServer and DapSession over streams (requests before launch, unknown commands, arguments of
/// the wrong JSON shape or type, missing required arguments, ids and memory references that do
/// not exist, a second launch, broken JSON bodies). Every request gets an error response with a
/// one-line message that says what was wrong (never an "internal error"), every broken body an
/// output event, and afterwards <c>threads</c> still answers exactly as before.
/// </summary>
public sealed class DapRobustnessTests
{
    /// <summary>A request, and what its error message must contain.</summary>
    sealed record BadRequest(string Command, JsonNode? Arguments, string Expect);

    static JsonNode? J(object value) => JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(value));

    static BadRequest BeforeLaunch(Random random) => random.Next(9) switch
    {
        0 => new("threads", null, DapSession.NoDumpMessage),
        1 => new("stackTrace", J(new { threadId = 1 }), DapSession.NoDumpMessage),
        2 => new("disassemble", J(new { memoryReference = "0xffffffff81000000", instructionCount = 10 }), DapSession.NoDumpMessage),
        3 => new("readMemory", J(new { memoryReference = "0xffffffff81000000", count = 16 }), DapSession.NoDumpMessage),
        4 => new("completions", J(new { text = "fo", column = 3 }), DapSession.NoDumpMessage),
        5 => new("modules", null, DapSession.NoDumpMessage),
        6 => new("source", J(new { source = new { path = "kernel/panic.c" }, sourceReference = 0 }), DapSession.NoDumpMessage),
        7 => new("exceptionInfo", J(new { threadId = 1 }), DapSession.NoDumpMessage),
        _ => new("evaluate", J(new { expression = "bt", context = "repl" }), DapSession.NoDumpMessage),
    };

    static BadRequest AfterLaunch(Random random)
    {
        var n = random.Next(1, int.MaxValue);
        return random.Next(22) switch
        {
            0 => new($"nonsense{n}", J(new { x = n }), $"unknown command 'nonsense{n}'"),
            1 => new("stackTrace", J(new[] { 1, 2 }), "invalid arguments for 'stackTrace'"),
            2 => new("stackTrace", J(new { threadId = "one" }), "invalid arguments for 'stackTrace'"),
            3 => new("stackTrace", J(new { threadId = 100000 + random.Next(1000000) }), "does not exist"),
            4 => new("exceptionInfo", J(new { threadId = -random.Next(1000) }), "does not exist"),
            5 => new("disassemble", J(new { instructionCount = 5 }), "invalid arguments for 'disassemble'"),
            6 => new("disassemble", J(new { memoryReference = "0xffffffff81000000", instructionCount = "many" }), "invalid arguments for 'disassemble'"),
            7 => new("disassemble", J(new { memoryReference = $"zz{n}", instructionCount = 3 }), "is not an address"),
            8 => new("disassemble", J(new { memoryReference = "0xffffffff81000000", instructionCount = -n }), "is negative"),
            9 => new("readMemory", J(new { memoryReference = "0xZZ", count = 4 }), "is not an address"),
            10 => new("readMemory", J(new { memoryReference = "0xffffffff81000000", count = -n }), "is negative"),
            11 => new("readMemory", J(new { memoryReference = 12345, count = 4 }), "invalid arguments for 'readMemory'"),
            12 => new("writeMemory", J(new { memoryReference = "0xffffffff81000000", data = "AAAA" }), DapSession.ReadOnlyMemoryMessage),
            13 => new("completions", J(new { column = 3 }), "invalid arguments for 'completions'"),
            14 => new("completions", J(new { text = 5, column = "a" }), "invalid arguments for 'completions'"),
            15 => new("modules", J(new { startModule = "first" }), "invalid arguments for 'modules'"),
            16 => new("source", J(new { sourceReference = 1 + random.Next(1000) }), "does not exist"),
            17 => new("source", J("a string"), "invalid arguments for 'source'"),
            18 => new("evaluate", J(new { expression = $"*(({n} +", context = "watch" }), ""),
            19 => new("evaluate", J(new { expression = 42 }), "invalid arguments for 'evaluate'"),
            20 => new("launch", J(new { vmcore = "/nowhere" }), "a dump is already open"),
            _ => new("launch", J(new { vmlinux = 7 }), "invalid arguments for 'launch'"),
        };
    }

    /// <summary>Bodies that are not requests at all: each must be reported in an output event.</summary>
    static string BrokenBody(Random random) => random.Next(6) switch
    {
        0 => "{\"seq\":" + random.Next() + ",\"type\":\"request\",\"command\"",
        1 => "[1,2,3]",
        2 => "\"just a string\"",
        3 => "{\"type\":\"request\",\"command\":\"threads\"}",
        4 => "{\"seq\":5,\"type\":\"response\",\"command\":\"threads\",\"success\":true}",
        _ => "{\"seq\":6}",
    };

    static void AssertClearError(JsonObject response, BadRequest request)
    {
        Assert.False((bool?)response["success"], $"{request.Command} succeeded: {response.ToJsonString()}");
        var message = (string?)response["message"];
        Assert.False(string.IsNullOrWhiteSpace(message), response.ToJsonString());
        Assert.DoesNotContain('\n', message);
        Assert.DoesNotContain("internal error", message);
        Assert.Contains(request.Expect, message);
        Assert.Equal(request.Command, (string?)response["command"]);
    }

    [FixtureFact]
    public async Task A_thousand_bad_messages_get_clear_errors_and_threads_still_answers()
    {
        await using var client = new DapTestClient(s => _ = new DapSession(s, Path.Combine(Fixtures.CacheDirectory, "vmlinux-cache")));
        var random = new Random(20261126);
        Assert.True((bool?)(await client.ResponseAsync(await client.SendAsync("initialize", new { adapterID = "kdump" })))["success"]);

        var sent = new List<(int Seq, BadRequest Request)>();
        var broken = 0;
        async Task SendAsync(BadRequest request)
        {
            var seq = await client.SendAsync(request.Command, request.Arguments);
            sent.Add((seq, request));
        }

        // Requests before launch.
        for (var i = 0; i < 100; i++) await SendAsync(BeforeLaunch(random));
        foreach (var (seq, request) in sent) AssertClearError(await client.ResponseAsync(seq), request);

        var launch = await client.ResponseAsync(await client.SendAsync("launch", new
        {
            vmcore = Fixtures.Plain("sysrq/vmcore.kdump-zlib"),
            vmlinux = Fixtures.Path("kernel/vmlinux.xz"),
        }));
        Assert.True((bool?)launch["success"], launch.ToJsonString());
        var threadsBefore = await client.ResponseAsync(await client.SendAsync("threads"));
        var expected = threadsBefore["body"]!["threads"]!.AsArray().Select(t => t!.ToJsonString()).ToList();
        Assert.Equal(47, expected.Count);

        sent.Clear();
        for (var i = 100; i < 1000; i++)
        {
            if (random.Next(10) == 0)
            {
                await client.SendRawAsync(BrokenBody(random));
                broken++;
            }
            else await SendAsync(AfterLaunch(random));
        }
        foreach (var (seq, request) in sent) AssertClearError(await client.ResponseAsync(seq), request);
        for (var i = 0; i < broken; i++)
            await client.EventAsync("output", e => ((string?)e["body"]!["output"])?.StartsWith("kdumpdebug: ignored") == true);

        var threadsAfter = await client.ResponseAsync(await client.SendAsync("threads"));
        Assert.True((bool?)threadsAfter["success"]);
        Assert.Equal(expected, threadsAfter["body"]!["threads"]!.AsArray().Select(t => t!.ToJsonString()));
        var frames = await client.ResponseAsync(await client.SendAsync("stackTrace", new { threadId = 1, levels = 4 }));
        Assert.Equal("crash_setup_regs", (string?)frames["body"]!["stackFrames"]![0]!["name"]);
        Assert.True(sent.Count > 700 && broken > 50, $"{sent.Count} requests, {broken} broken bodies");
    }
}
