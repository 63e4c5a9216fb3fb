using System.Text.Json;
using System.Text.Json.Nodes;
using KdumpDebug.Dap.Session;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Dap.Tests;

/// <summary>
/// The DAP session on the sysrq fixture dump, driven in process over a duplex pipe as a client
/// would: launch, the stopped event on the panic task, threads, stack traces against drgn's
/// goldens, the repl against crash's goldens, and bad input that never stops the server.
/// </summary>
public sealed class DapSessionTests
{
    const string PanicMessage = "Kernel panic - not syncing: sysrq triggered crash";

    static object LaunchArguments(string? vmcore = null) => new
    {
        vmcore = vmcore ?? Fixtures.Plain("sysrq/vmcore.kdump-zlib"),
        vmlinux = Fixtures.Path("kernel/vmlinux.xz"),
    };

    static DapTestClient NewClient() =>
        new(s => _ = new DapSession(s, Path.Combine(Fixtures.CacheDirectory, "vmlinux-cache")));

    static JsonObject Body(JsonObject response)
    {
        Assert.True((bool?)response["success"], $"request failed: {response.ToJsonString()}");
        return response["body"]!.AsObject();
    }

    static string? Error(JsonObject response)
    {
        Assert.False((bool?)response["success"], $"request succeeded: {response.ToJsonString()}");
        return (string?)response["message"];
    }

    /// <summary>initialize, launch, configurationDone; returns the stopped event.</summary>
    static async Task<JsonObject> StartAsync(DapTestClient client)
    {
        Body(await client.ResponseAsync(await client.SendAsync("initialize", new { adapterID = "kdump", linesStartAt1 = true })));
        var launch = await client.ResponseAsync(await client.SendAsync("launch", LaunchArguments()));
        Assert.True((bool?)launch["success"], launch.ToJsonString());
        await client.EventAsync("initialized");
        await client.ResponseAsync(await client.SendAsync("configurationDone"));
        return await client.EventAsync("stopped");
    }

    static async Task<JsonArray> ThreadsAsync(DapTestClient client) =>
        Body(await client.ResponseAsync(await client.SendAsync("threads")))["threads"]!.AsArray();

    static async Task<JsonObject> EvaluateAsync(DapTestClient client, string expression, string context = "repl") =>
        await client.ResponseAsync(await client.SendAsync("evaluate", new { expression, context }));

    /// <summary>Thread names as the contract orders them, from drgn's task list and crash's ps (the '>' tasks are on a CPU).</summary>
    static List<string> ExpectedThreadNames()
    {
        var onCpu = Fixtures.ReadText("sysrq/crash/ps.txt").Split('\n')
            .Where(l => l.StartsWith('>'))
            .Select(l => l[1..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(f => int.Parse(f[0]), f => int.Parse(f[2]));
        var tasks = Fixtures.ReadText("sysrq/drgn/tasks.txt").Split('\n').Skip(1)
            .Where(l => l.Trim().Length > 0)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(f => (Pid: int.Parse(f[0]), Cpu: int.Parse(f[4]), Comm: string.Join(' ', f.Skip(6))))
            .ToList();
        // drgn's list is for_each_task: the idle tasks (PID 0, one per CPU) are not in it.
        tasks.Add((0, 0, "swapper/0"));
        tasks.Add((0, 1, "swapper/1"));
        string Name((int Pid, int Cpu, string Comm) t) => onCpu.ContainsKey(t.Pid) ? $"{t.Pid} {t.Comm} [CPU {t.Cpu}]" : $"{t.Pid} {t.Comm}";
        var panic = tasks.Single(t => t.Pid == 68);
        return [Name(panic),
            .. tasks.Where(t => t.Pid != 68 && onCpu.ContainsKey(t.Pid)).OrderBy(t => t.Cpu).Select(Name),
            .. tasks.Where(t => !onCpu.ContainsKey(t.Pid)).OrderBy(t => t.Pid).ThenBy(t => t.Cpu).Select(Name)];
    }

    [FixtureFact]
    public async Task LaunchAndConfigurationDoneStopOnThePanicTask()
    {
        await using var client = NewClient();
        var stopped = (await StartAsync(client))["body"]!;
        Assert.Equal("exception", (string?)stopped["reason"]);
        Assert.Equal(PanicMessage, (string?)stopped["description"]);
        Assert.True((bool?)stopped["allThreadsStopped"]);

        var threads = await ThreadsAsync(client);
        Assert.Equal(47, threads.Count); // 45 tasks + the 2 idle tasks
        Assert.Equal((int?)stopped["threadId"], (int?)threads[0]!["id"]);
        Assert.Equal("68 sh [CPU 0]", (string?)threads[0]!["name"]);
        Assert.Equal(ExpectedThreadNames(), threads.Select(t => (string)t!["name"]!));
        Assert.Equal(47, threads.Select(t => (int)t!["id"]!).Distinct().Count());

        // Ids are stable for the session: a second threads request gives the same pairs.
        var again = await ThreadsAsync(client);
        Assert.Equal(threads.Select(t => t!.ToJsonString()), again.Select(t => t!.ToJsonString()));

        var info = Body(await client.ResponseAsync(await client.SendAsync("exceptionInfo", new { threadId = (int)stopped["threadId"]! })));
        Assert.Equal("panic", (string?)info["exceptionId"]);
        Assert.Equal(PanicMessage, (string?)info["description"]);
        Assert.Equal("always", (string?)info["breakMode"]);
        var oops = (string)info["details"]!["stackTrace"]!;
        // The crash report as the console printed it: sysrq's trigger line, then the panic.
        Assert.StartsWith("sysrq: Trigger a crash\n" + PanicMessage, oops);
        Assert.Equal(PanicMessage + " (Not tainted)", (string?)info["details"]!["message"]);
        Assert.StartsWith("sysrq triggered crash", (string?)info["details"]!["fullTypeName"]);
        Assert.Contains("Call Trace:", oops);
        Assert.Contains("sysrq_handle_crash", oops);
    }

    [FixtureFact]
    public async Task StackTraceOfThePanicTaskMatchesDrgnWithInlineFramesAndPaging()
    {
        await using var client = NewClient();
        var threadId = (int)(await StartAsync(client))["body"]!["threadId"]!;
        var body = Body(await client.ResponseAsync(await client.SendAsync("stackTrace", new { threadId })));
        var frames = body["stackFrames"]!.AsArray();
        Assert.Equal(frames.Count, (int?)body["totalFrames"]);

        using var drgn = JsonDocument.Parse(Fixtures.ReadText("sysrq/drgn/crashed-thread.json"));
        var expected = drgn.RootElement.GetProperty("frames").EnumerateArray()
            .Where(f => f.GetProperty("function").ValueKind == JsonValueKind.String)
            .Select(f => (Function: f.GetProperty("function").GetString()!, Pc: f.GetProperty("pc").GetString()!,
                Line: f.GetProperty("source").GetProperty("line").GetInt32(), File: f.GetProperty("source").GetProperty("file").GetString()!))
            .ToList();
        Assert.Equal(["crash_setup_regs", "__crash_kexec", "panic", "sysrq_handle_crash"], expected.Take(4).Select(e => e.Function));
        Assert.True(frames.Count >= expected.Count, $"{frames.Count} frames, drgn has {expected.Count} with a function");
        for (var i = 0; i < expected.Count; i++)
        {
            var frame = frames[i]!;
            Assert.Equal(expected[i].Function, (string?)frame["name"]);
            Assert.Equal(expected[i].Pc, (string?)frame["instructionPointerReference"]);
            Assert.Equal(expected[i].Line, (int?)frame["line"]);
            // Relative to the build directory (no kernelSource given); drgn keeps a "./" on some names.
            Assert.Equal(expected[i].File.StartsWith("./") ? expected[i].File[2..] : expected[i].File, (string?)frame["source"]!["path"]);
        }
        Assert.Equal(frames.Count, frames.Select(f => (int)f!["id"]!).Distinct().Count());

        var page = Body(await client.ResponseAsync(await client.SendAsync("stackTrace", new { threadId, startFrame = 2, levels = 3 })));
        Assert.Equal(frames.Count, (int?)page["totalFrames"]);
        Assert.Equal(frames.Skip(2).Take(3).Select(f => f!.ToJsonString()), page["stackFrames"]!.AsArray().Select(f => f!.ToJsonString()));

        var past = Body(await client.ResponseAsync(await client.SendAsync("stackTrace", new { threadId, startFrame = 1000, levels = 20 })));
        Assert.Empty(past["stackFrames"]!.AsArray());

        Assert.Equal("thread 9999 does not exist (send threads for the list)",
            Error(await client.ResponseAsync(await client.SendAsync("stackTrace", new { threadId = 9999 }))));
    }

    [FixtureFact]
    public async Task SourcePathsGoThroughSourceFileMapThenKernelSource()
    {
        await using var client = NewClient();
        Body(await client.ResponseAsync(await client.SendAsync("initialize", new { adapterID = "kdump" })));
        var launch = await client.ResponseAsync(await client.SendAsync("launch", new
        {
            vmcore = Fixtures.Plain("sysrq/vmcore.kdump-zlib"),
            vmlinux = Fixtures.Path("kernel/vmlinux.xz"),
            sourceFileMap = new Dictionary<string, string> { ["arch/x86"] = "/srv/x86" },
            kernelSource = "/usr/src/linux-6.1",
        }));
        Assert.True((bool?)launch["success"], launch.ToJsonString());
        var frames = Body(await client.ResponseAsync(await client.SendAsync("stackTrace", new { threadId = 1, levels = 3 })))["stackFrames"]!.AsArray();
        Assert.Equal("crash_setup_regs", (string?)frames[0]!["name"]);
        Assert.Equal("/srv/x86/include/asm/kexec.h", (string?)frames[0]!["source"]!["path"]);
        Assert.Equal("kexec.h", (string?)frames[0]!["source"]!["name"]);
        Assert.Equal("panic", (string?)frames[2]!["name"]);
        Assert.Equal("/usr/src/linux-6.1/kernel/panic.c", (string?)frames[2]!["source"]!["path"]);
    }

    [FixtureFact]
    public async Task ReplRunsCrashCommandsAndCExpressions()
    {
        await using var client = NewClient();
        await StartAsync(client);

        var bt = Body(await EvaluateAsync(client, "bt"));
        Assert.Equal(Fixtures.ReadText("sysrq/crash/bt.txt").TrimEnd('\n'), (string?)bt["result"]);
        Assert.Equal(0, (int?)bt["variablesReference"]);

        var jiffies = Body(await EvaluateAsync(client, "jiffies"));
        Assert.True(ulong.TryParse((string?)jiffies["result"], out var value) && value > 0, jiffies.ToJsonString());
        Assert.Equal("volatile unsigned long", (string?)jiffies["type"]); // as declared in include/linux/jiffies.h
        Assert.StartsWith("0xffffffff", (string?)jiffies["memoryReference"]);
        // The crash command prints what crash printed, with the same value as the expression.
        var golden = Fixtures.ReadText("sysrq/crash/p-jiffies.txt").TrimEnd('\n');
        Assert.EndsWith($"$1 = {value}", golden);
        Assert.Equal(golden, (string?)Body(await EvaluateAsync(client, "p jiffies"))["result"]);

        // watch/hover are C expressions even when the first word names a command.
        Assert.Equal(value.ToString(), (string?)Body(await EvaluateAsync(client, "jiffies", "watch"))["result"]);

        var bad = Error(await EvaluateAsync(client, "jiffies +"));
        Assert.False(string.IsNullOrEmpty(bad));
        Assert.DoesNotContain('\n', bad);
        Assert.Equal("nothing to evaluate", Error(await EvaluateAsync(client, "   ")));
    }

    [FixtureFact]
    public async Task AFailedLaunchIsReportedAndASecondLaunchWorks()
    {
        await using var client = NewClient();
        var missing = Path.Combine(Path.GetTempPath(), "kdumpdebug-dap-no-such-vmcore");
        var failed = await client.ResponseAsync(await client.SendAsync("launch", LaunchArguments(missing)));
        var message = Error(failed);
        Assert.StartsWith($"{missing}: ", message);
        Assert.Contains("no such file", message);
        Assert.True((bool?)failed["body"]!["error"]!["showUser"]);
        var output = await client.EventAsync("output", e => ((string?)e["body"]!["output"])?.Contains(missing) == true);
        Assert.Equal($"kdumpdebug: {message}\n", (string?)output["body"]!["output"]);

        Assert.Equal(DapSession.NoDumpMessage, Error(await client.ResponseAsync(await client.SendAsync("threads"))));

        var stopped = await StartAsync(client);
        Assert.Equal(PanicMessage, (string?)stopped["body"]!["description"]);
        Assert.Equal(47, (await ThreadsAsync(client)).Count);

        Assert.StartsWith("a dump is already open", Error(await client.ResponseAsync(await client.SendAsync("launch", LaunchArguments()))));
    }

    [Fact]
    public async Task RequestsBeforeLaunchGetTheNoDumpError()
    {
        await using var client = new DapTestClient(s => _ = new DapSession(s));
        var init = Body(await client.ResponseAsync(await client.SendAsync("initialize", new { adapterID = "kdump" })));
        Assert.True((bool?)init["supportsConfigurationDoneRequest"]);
        Assert.True((bool?)init["supportsExceptionInfoRequest"]);
        Assert.True((bool?)init["supportsEvaluateForHovers"]);
        Assert.True((bool?)init["supportsTerminateRequest"]);

        Assert.Equal("no dump is open: send launch first", Error(await client.ResponseAsync(await client.SendAsync("threads"))));
        Assert.Equal("no dump is open: send launch first", Error(await client.ResponseAsync(await client.SendAsync("stackTrace", new { threadId = 1 }))));
        Assert.Equal("no dump is open: send launch first", Error(await client.ResponseAsync(await client.SendAsync("exceptionInfo", new { threadId = 1 }))));
        Assert.Equal("no dump is open: send launch first", Error(await client.ResponseAsync(await client.SendAsync("evaluate", new { expression = "bt", context = "repl" }))));
        // configurationDone before launch is accepted: the stopped event waits for the dump.
        Assert.True((bool?)(await client.ResponseAsync(await client.SendAsync("configurationDone")))["success"]);

        var disconnect = await client.ResponseAsync(await client.SendAsync("disconnect"));
        Assert.True((bool?)disconnect["success"]);
        await client.Run.WaitAsync(DapTestClient.Timeout);
    }

    [FixtureFact]
    public async Task ThousandBadRequestsLeaveThreadsCorrect()
    {
        await using var client = NewClient();
        await StartAsync(client);
        var expected = (await ThreadsAsync(client)).Select(t => t!.ToJsonString()).ToList();

        var random = new Random(5);
        var seqs = new List<int>();
        for (var i = 0; i < 1000; i++)
        {
            switch (i % 8)
            {
                case 0: seqs.Add(await client.SendAsync("stackTrace", new { threadId = random.Next(-5, 100000) })); break;
                case 1: seqs.Add(await client.SendAsync("stackTrace", new { threadId = "one" })); break;
                case 2: seqs.Add(await client.SendAsync("evaluate", new { expression = $"*({random.Next()} +", context = "repl" })); break;
                case 3: seqs.Add(await client.SendAsync("exceptionInfo", new { threadId = random.Next(1000, 2000) })); break;
                case 4: seqs.Add(await client.SendAsync($"nonsense{random.Next()}")); break;
                case 5: seqs.Add(await client.SendAsync("launch", new { vmlinux = 7 })); break;
                case 6: await client.SendRawAsync("{\"seq\":" + random.Next() + ",\"type\":\"request\",\"command\""); break;
                default: seqs.Add(await client.SendAsync("evaluate", new { expression = "no_such_symbol_" + random.Next(), context = "watch" })); break;
            }
        }
        foreach (var seq in seqs) Assert.False((bool?)(await client.ResponseAsync(seq))["success"]);

        Assert.Equal(expected, (await ThreadsAsync(client)).Select(t => t!.ToJsonString()));
    }
}
