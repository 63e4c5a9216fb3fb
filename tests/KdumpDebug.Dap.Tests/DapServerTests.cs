using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using KdumpDebug.Core.Errors;
using KdumpDebug.Dap.Protocol;
using KdumpDebug.Dap.Transport;

namespace KdumpDebug.Dap.Tests;

public class DapServerTests
{
    private static readonly object VsCodeInitialize = new
    {
        clientID = "vscode", adapterID = "kdump", linesStartAt1 = true, columnsStartAt1 = true,
        pathFormat = "path", supportsVariableType = true, supportsProgressReporting = true,
    };

    private static string? Error(JsonObject response) => (string?)response["message"];

    [Fact]
    public async Task InitializeReturnsCapabilitiesCorrelatedBySeq()
    {
        await using var client = new DapTestClient(s => s.Capabilities.SupportsConfigurationDoneRequest = true);
        var seq = await client.SendAsync("initialize", VsCodeInitialize);
        var response = await client.ResponseAsync(seq);

        Assert.Equal(1, (int?)response["seq"]);
        Assert.Equal("response", (string?)response["type"]);
        Assert.Equal("initialize", (string?)response["command"]);
        Assert.True((bool?)response["success"]);
        Assert.True((bool?)response["body"]!["supportsCancelRequest"]);
        Assert.True((bool?)response["body"]!["supportsConfigurationDoneRequest"]);
        Assert.Null(response["body"]!["supportsStepBack"]); // unset optionals are omitted, not null
        Assert.Equal("vscode", client.Server.ClientCapabilities?.ClientID);
        Assert.True(client.Server.ClientCapabilities?.SupportsProgressReporting);
    }

    [Fact]
    public async Task ServerSeqNumbersCountUpFromOne()
    {
        await using var client = new DapTestClient();
        for (var i = 0; i < 5; i++) await client.ResponseAsync(await client.SendAsync("initialize", VsCodeInitialize));
        Assert.Equal([1, 2, 3, 4, 5], client.Received.Select(m => (int)m["seq"]!));
    }

    [Fact]
    public async Task UnknownAndUnsupportedCommandsGetErrorResponses()
    {
        await using var client = new DapTestClient();
        var unknown = await client.ResponseAsync(await client.SendAsync("frobnicate"));
        Assert.False((bool?)unknown["success"]);
        Assert.Equal("frobnicate", (string?)unknown["command"]);
        Assert.Equal("unknown command 'frobnicate'", Error(unknown));
        Assert.Equal("unknown command 'frobnicate'", (string?)unknown["body"]!["error"]!["format"]);
        Assert.Equal(DapServer.ErrorUnknownCommand, (int?)unknown["body"]!["error"]!["id"]);

        var unsupported = await client.ResponseAsync(await client.SendAsync("stepIn", new { threadId = 1 }));
        Assert.Equal("the 'stepIn' request is not supported by kdumpdebug", Error(unsupported));
    }

    [Fact]
    public async Task HandlerExceptionsBecomeOneLineErrorsAndTheServerKeepsServing()
    {
        await using var client = new DapTestClient(s =>
        {
            s.AddHandler(DapCommands.Threads, DapJsonContext.Default.JsonElement, DapJsonContext.Default.ThreadsResponseBody,
                (_, _, _) => throw new InvalidOperationException("task list is corrupt\nat 0xffff888000000000"));
            s.AddHandler(DapCommands.Modules, DapJsonContext.Default.ModulesArguments, DapJsonContext.Default.ModulesResponseBody,
                (_, _, _) => throw new DapRequestException("no dump is open: send 'launch' first", showUser: true));
            s.AddHandler(DapCommands.Source, DapJsonContext.Default.SourceArguments, DapJsonContext.Default.SourceResponseBody,
                (_, _, _) => throw new FaultException(0xffffffff81000000, AddressSpaceKind.Virtual));
        });

        var threads = await client.ResponseAsync(await client.SendAsync("threads"));
        Assert.False((bool?)threads["success"]);
        Assert.Equal("internal error in 'threads': InvalidOperationException: task list is corrupt", Error(threads));
        Assert.Equal(DapServer.ErrorInternal, (int?)threads["body"]!["error"]!["id"]);

        var modules = await client.ResponseAsync(await client.SendAsync("modules"));
        Assert.Equal("no dump is open: send 'launch' first", Error(modules));
        Assert.True((bool?)modules["body"]!["error"]!["showUser"]);

        var source = await client.ResponseAsync(await client.SendAsync("source", new { sourceReference = 3 }));
        // A KdumpDebugException's one-line message goes to the user unchanged.
        Assert.Equal(new FaultException(0xffffffff81000000, AddressSpaceKind.Virtual).Message, Error(source));
        Assert.Equal(DapServer.ErrorRequestFailed, (int?)source["body"]!["error"]!["id"]);

        var init = await client.ResponseAsync(await client.SendAsync("initialize", VsCodeInitialize));
        Assert.True((bool?)init["success"]);
    }

    [Fact]
    public async Task InvalidArgumentsAreRejectedBeforeTheHandlerRuns()
    {
        var called = 0;
        await using var client = new DapTestClient(s =>
            s.AddHandler(DapCommands.StackTrace, DapJsonContext.Default.StackTraceArguments, DapJsonContext.Default.StackTraceResponseBody,
                (_, _, _) =>
                {
                    Interlocked.Increment(ref called);
                    return Task.FromResult(new StackTraceResponseBody { StackFrames = [] });
                }));

        var missing = await client.ResponseAsync(await client.SendAsync("stackTrace", new { startFrame = 0 }));
        Assert.False((bool?)missing["success"]);
        Assert.StartsWith("invalid arguments for 'stackTrace': ", Error(missing));
        Assert.Contains("threadId", Error(missing));

        var wrongType = await client.ResponseAsync(await client.SendAsync("stackTrace", new { threadId = "one" }));
        Assert.StartsWith("invalid arguments for 'stackTrace': ", Error(wrongType));
        Assert.Equal(DapServer.ErrorInvalidArguments, (int?)wrongType["body"]!["error"]!["id"]);

        var ok = await client.ResponseAsync(await client.SendAsync("stackTrace", new { threadId = 1, levels = 20 }));
        Assert.True((bool?)ok["success"]);
        Assert.Empty((JsonArray)ok["body"]!["stackFrames"]!);
        Assert.Equal(1, called);
    }

    [Fact]
    public async Task ASlowHandlerDoesNotBlockAFastOne()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var client = new DapTestClient(s =>
        {
            s.AddHandler(DapCommands.Variables, DapJsonContext.Default.VariablesArguments, DapJsonContext.Default.VariablesResponseBody,
                async (_, _, _) =>
                {
                    await release.Task;
                    return new VariablesResponseBody { Variables = [] };
                });
            s.AddHandler(DapCommands.Threads, DapJsonContext.Default.JsonElement, DapJsonContext.Default.ThreadsResponseBody,
                (_, _, _) => Task.FromResult(new ThreadsResponseBody { Threads = [new Protocol.Thread { Id = 1, Name = "1 swapper/0" }] }));
        });

        var slow = await client.SendAsync("variables", new { variablesReference = 7 });
        var fast = await client.SendAsync("threads");
        var threads = await client.ResponseAsync(fast);
        Assert.Equal("1 swapper/0", (string?)threads["body"]!["threads"]![0]!["name"]);
        Assert.DoesNotContain(client.Received, m => (int?)m["request_seq"] == slow);

        release.SetResult();
        Assert.True((bool?)(await client.ResponseAsync(slow))["success"]);
    }

    [Fact]
    public async Task SerializedHandlersRunOneAtATimeInArrivalOrder()
    {
        var order = new ConcurrentQueue<int>();
        var running = 0;
        var overlap = false;
        await using var client = new DapTestClient(s =>
            s.AddHandler(DapCommands.Evaluate, DapJsonContext.Default.EvaluateArguments, DapJsonContext.Default.EvaluateResponseBody,
                async (args, _, _) =>
                {
                    if (Interlocked.Increment(ref running) > 1) overlap = true;
                    var n = int.Parse(args.Expression);
                    // Later requests finish faster if they were allowed to overlap.
                    await Task.Delay(40 - 4 * n);
                    order.Enqueue(n);
                    Interlocked.Decrement(ref running);
                    return new EvaluateResponseBody { Result = args.Expression, VariablesReference = 0 };
                }, DapExecution.Serialized));

        var seqs = new List<int>();
        for (var i = 0; i < 8; i++) seqs.Add(await client.SendAsync("evaluate", new { expression = i.ToString() }));
        foreach (var seq in seqs) await client.ResponseAsync(seq);

        Assert.False(overlap);
        Assert.Equal(Enumerable.Range(0, 8), order);
        var responses = client.Received.Where(m => (string?)m["type"] == "response").Select(m => (int)m["request_seq"]!);
        Assert.Equal(seqs, responses);
    }

    [Fact]
    public async Task ASerializedRequestWaitsForEarlierConcurrentOnesAndBlocksLaterOnes()
    {
        var log = new ConcurrentQueue<string>();
        var releaseSlow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var client = new DapTestClient(s =>
        {
            s.AddHandler(DapCommands.Variables, DapJsonContext.Default.VariablesArguments, DapJsonContext.Default.VariablesResponseBody,
                async (_, _, _) =>
                {
                    await releaseSlow.Task;
                    log.Enqueue("variables");
                    return new VariablesResponseBody { Variables = [] };
                });
            s.AddHandler("launch", DapJsonContext.Default.KdumpLaunchRequestArguments,
                (_, _, _) => { log.Enqueue("launch"); return Task.CompletedTask; }, DapExecution.Serialized);
            s.AddHandler(DapCommands.Threads, DapJsonContext.Default.JsonElement, DapJsonContext.Default.ThreadsResponseBody,
                (_, _, _) => { log.Enqueue("threads"); return Task.FromResult(new ThreadsResponseBody { Threads = [] }); });
        });

        var variables = await client.SendAsync("variables", new { variablesReference = 1 });
        var launch = await client.SendAsync("launch", new { vmcore = "/tmp/vmcore" });
        var threads = await client.SendAsync("threads");
        await Task.Delay(200);
        Assert.Empty(log);

        releaseSlow.SetResult();
        await client.ResponseAsync(threads);
        Assert.Equal(["variables", "launch", "threads"], log);
        Assert.True((bool?)(await client.ResponseAsync(launch))["success"]);
        Assert.True((bool?)(await client.ResponseAsync(variables))["success"]);
    }

    [Fact]
    public async Task CancelStopsARunningRequest()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        CancellationToken seen = default;
        await using var client = new DapTestClient(s =>
            s.AddHandler(DapCommands.Variables, DapJsonContext.Default.VariablesArguments, DapJsonContext.Default.VariablesResponseBody,
                async (_, _, token) =>
                {
                    seen = token;
                    started.SetResult();
                    await Task.Delay(Timeout.Infinite, token);
                    return new VariablesResponseBody { Variables = [] };
                }));

        var slow = await client.SendAsync("variables", new { variablesReference = 1 });
        await started.Task.WaitAsync(DapTestClient.Timeout);
        var cancel = await client.SendAsync("cancel", new { requestId = slow });

        var cancelled = await client.ResponseAsync(slow);
        Assert.False((bool?)cancelled["success"]);
        Assert.Equal("cancelled", Error(cancelled));
        Assert.Equal("variables", (string?)cancelled["command"]);
        Assert.True((bool?)(await client.ResponseAsync(cancel))["success"]);
        Assert.True(seen.IsCancellationRequested);
    }

    [Fact]
    public async Task CancelOfAQueuedRequestAnswersWithoutRunningIt()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var evaluated = new ConcurrentQueue<string>();
        await using var client = new DapTestClient(s =>
            s.AddHandler(DapCommands.Evaluate, DapJsonContext.Default.EvaluateArguments, DapJsonContext.Default.EvaluateResponseBody,
                async (args, _, _) =>
                {
                    evaluated.Enqueue(args.Expression);
                    if (args.Expression == "first") await release.Task;
                    return new EvaluateResponseBody { Result = "ok", VariablesReference = 0 };
                }, DapExecution.Serialized));

        var first = await client.SendAsync("evaluate", new { expression = "first" });
        var queued = await client.SendAsync("evaluate", new { expression = "queued" });
        var cancel = await client.SendAsync("cancel", new { requestId = queued });
        await client.ResponseAsync(cancel);
        release.SetResult();

        Assert.Equal("cancelled", Error(await client.ResponseAsync(queued)));
        Assert.True((bool?)(await client.ResponseAsync(first))["success"]);
        Assert.Equal(["first"], evaluated);
    }

    [Fact]
    public async Task CancelOfAProgressIsPassedOn()
    {
        var progress = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var client = new DapTestClient(s => s.ProgressCancelRequested += id => progress.TrySetResult(id));
        var cancel = await client.SendAsync("cancel", new { progressId = "debuginfo-1" });
        Assert.True((bool?)(await client.ResponseAsync(cancel))["success"]);
        Assert.Equal("debuginfo-1", await progress.Task.WaitAsync(DapTestClient.Timeout));
    }

    [Fact]
    public async Task MalformedJsonGivesAnOutputEventAndServingContinues()
    {
        await using var client = new DapTestClient();
        const string truncated = """{"seq":1,"type":"request","command":"initialize",""";
        await client.SendRawAsync(truncated);
        var output = await client.EventAsync("output");
        Assert.Equal("stderr", (string?)output["body"]!["category"]);
        Assert.StartsWith($"kdumpdebug: ignored a malformed DAP message ({truncated.Length} bytes): ", (string?)output["body"]!["output"]);

        await client.SendRawAsync("""{"seq":2,"type":"request","command":"initialize","arguments":{"adapterID":"kdump"}}""");
        Assert.True((bool?)(await client.ResponseAsync(2))["success"]);
    }

    [Fact]
    public async Task BadFramingGivesAnOutputEventAndServingContinues()
    {
        await using var client = new DapTestClient();
        await client.SendBytesAsync("Content-Type: text\r\n\r\n{}"u8.ToArray());
        await client.SendRawAsync("""{"seq":1,"type":"request","command":"initialize","arguments":{"adapterID":"kdump"}}""");
        var output = await client.EventAsync("output");
        Assert.Equal("kdumpdebug: skipped a DAP header at stream offset 0: no Content-Length header\n", (string?)output["body"]!["output"]);
        Assert.True((bool?)(await client.ResponseAsync(1))["success"]);
    }

    [Fact]
    public async Task HugeContentLengthClosesTheConnectionWithAClearError()
    {
        await using var client = new DapTestClient();
        await client.SendBytesAsync("Content-Length: 9999999999\r\n\r\n"u8.ToArray());
        var messages = await client.DrainAfterRunAsync();
        var output = Assert.Single(messages);
        Assert.Equal("kdumpdebug: DAP header at stream offset 0: Content-Length 9999999999 exceeds the limit of 67108864 bytes; closing the connection\n",
            (string?)output["body"]!["output"]);
    }

    [Fact]
    public async Task ThousandMalformedOrRandomMessagesThenAValidRequestIsAnswered()
    {
        await using var client = new DapTestClient(s =>
            s.AddHandler(DapCommands.Threads, DapJsonContext.Default.JsonElement, DapJsonContext.Default.ThreadsResponseBody,
                (_, _, _) => Task.FromResult(new ThreadsResponseBody { Threads = [new Protocol.Thread { Id = 42, Name = "42 kworker/0:1" }] })));
        var random = new Random(20261126);
        string[] commands = ["threads", "initialize", "stackTrace", "variables", "evaluate", "cancel", "", "launch", "x\u0000y"];
        string[] values = ["null", "1", "-1", "1e400", "\"s\"", "[]", "{}", "true", "{\"threadId\":\"a\"}", "{\"requestId\":99999}", "[1,{}]"];
        var mustAnswer = new List<int>();
        for (var i = 0; i < 1000; i++)
        {
            switch (random.Next(8))
            {
                case 0: // random bytes in a valid frame
                    var bytes = new byte[random.Next(0, 200)];
                    random.NextBytes(bytes);
                    await client.SendBytesAsync([.. System.Text.Encoding.ASCII.GetBytes($"Content-Length: {bytes.Length}\r\n\r\n"), .. bytes]);
                    break;
                case 1: // random bytes with no frame at all (no "\r\n\r\n" in the ASCII range used)
                    await client.SendBytesAsync(System.Text.Encoding.ASCII.GetBytes(new string('z', random.Next(1, 50)) + "\r\n\r\n"));
                    break;
                case 2: // JSON that is not an object
                    await client.SendRawAsync(values[random.Next(values.Length)]);
                    break;
                case 3: // request with a bad seq
                    await client.SendRawAsync($$"""{"seq":{{values[random.Next(values.Length)]}},"type":"request","command":"threads"}""");
                    break;
                case 4: // random command and arguments: a well-formed request, so it must get a response
                    mustAnswer.Add(100000 + i);
                    await client.SendRawAsync($$"""{"seq":{{100000 + i}},"type":"request","command":"{{commands[random.Next(commands.Length)].Replace("\u0000", "\\u0000")}}","arguments":""" + values[random.Next(values.Length)] + "}");
                    break;
                case 5: // wrong message type
                    await client.SendRawAsync($$"""{"seq":{{i + 1}},"type":"{{(random.Next(2) == 0 ? "event" : "response")}}","command":"threads"}""");
                    break;
                case 6: // truncated JSON
                    var json = "{\"seq\":" + (i + 1) + ""","type":"request","command":"threads","arguments":{}}""";
                    await client.SendRawAsync(json[..random.Next(1, json.Length - 1)]);
                    break;
                default: // deeply nested arguments
                    await client.SendRawAsync($$"""{"seq":{{200000 + i}},"type":"request","command":"stackTrace","arguments":""" + new string('[', 2000) + "}");
                    break;
            }
        }
        await client.SendRawAsync("""{"seq":999999,"type":"request","command":"threads"}""");
        var threads = await client.ResponseAsync(999999);
        Assert.True((bool?)threads["success"]);
        Assert.Equal(42, (int?)threads["body"]!["threads"]![0]!["id"]);
        Assert.Equal("42 kworker/0:1", (string?)threads["body"]!["threads"]![0]!["name"]);
        Assert.False(client.Run.IsCompleted);
        foreach (var seq in mustAnswer) await client.ResponseAsync(seq);
        Assert.Equal(mustAnswer.Count + 1, client.Received.Count(m => (string?)m["type"] == "response" && (int)m["request_seq"]! >= 100000));
        Assert.NotEmpty(mustAnswer);
    }

    [Fact]
    public async Task DisconnectAnswersInFlightRequestsThenStops()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var disconnected = false;
        await using var client = new DapTestClient(s =>
        {
            s.AddHandler(DapCommands.Variables, DapJsonContext.Default.VariablesArguments, DapJsonContext.Default.VariablesResponseBody,
                async (_, _, token) =>
                {
                    started.SetResult();
                    await Task.Delay(Timeout.Infinite, token);
                    return new VariablesResponseBody { Variables = [] };
                });
            s.AddHandler(DapCommands.Disconnect, DapJsonContext.Default.DisconnectArguments,
                (_, _, _) => { disconnected = true; return Task.CompletedTask; });
        });

        var slow = await client.SendAsync("variables", new { variablesReference = 1 });
        await started.Task.WaitAsync(DapTestClient.Timeout);
        var disconnect = await client.SendAsync("disconnect", new { restart = false });
        var rest = await client.DrainAfterRunAsync();

        Assert.True(disconnected);
        Assert.Equal([slow, disconnect], rest.Select(m => (int)m["request_seq"]!));
        Assert.Equal("cancelled", Error(rest[0]));
        Assert.True((bool?)rest[1]["success"]);
        Assert.Equal("disconnect", (string?)rest[1]["command"]);
    }

    [Fact]
    public async Task EndOfInputCancelsRunningRequestsAndStops()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelledSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var client = new DapTestClient(s =>
            s.AddHandler(DapCommands.Variables, DapJsonContext.Default.VariablesArguments, DapJsonContext.Default.VariablesResponseBody,
                async (_, _, token) =>
                {
                    using var registration = token.Register(() => cancelledSeen.TrySetResult());
                    started.SetResult();
                    await Task.Delay(Timeout.Infinite, token);
                    return new VariablesResponseBody { Variables = [] };
                }));
        await client.SendAsync("variables", new { variablesReference = 1 });
        await started.Task.WaitAsync(DapTestClient.Timeout);
        await client.CompleteAsync();
        await client.Run.WaitAsync(DapTestClient.Timeout);
        Assert.True(cancelledSeen.Task.IsCompleted);
    }

    [Fact]
    public async Task CancelledHandlerCodeNeverRunsOnTheReadLoop()
    {
        // The cancelled handler keeps working synchronously (as a long walk that checks its token
        // only now and then does) until the next request has been answered. Run on the read loop,
        // it would stop the loop from ever reading that request.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var threadsAnswered = new ManualResetEventSlim();
        var sawThreads = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var client = new DapTestClient(s =>
        {
            s.AddHandler(DapCommands.Variables, DapJsonContext.Default.VariablesArguments, DapJsonContext.Default.VariablesResponseBody,
                async (_, _, token) =>
                {
                    started.SetResult();
                    try
                    {
                        // WaitAsync resumes its awaiter inside the cancel callback (Task.Delay does not).
                        await new TaskCompletionSource().Task.WaitAsync(token);
                    }
                    catch (OperationCanceledException)
                    {
                        sawThreads.SetResult(threadsAnswered.Wait(TimeSpan.FromSeconds(5)));
                        throw;
                    }
                    return new VariablesResponseBody { Variables = [] };
                });
            s.AddHandler(DapCommands.Threads, DapJsonContext.Default.JsonElement, DapJsonContext.Default.ThreadsResponseBody,
                (_, _, _) => { threadsAnswered.Set(); return Task.FromResult(new ThreadsResponseBody { Threads = [] }); });
        });

        var slow = await client.SendAsync("variables", new { variablesReference = 1 });
        await DapTestClient.Within(started.Task);
        var cancel = await client.SendAsync("cancel", new { requestId = slow });
        var threads = await client.SendAsync("threads");

        Assert.True((bool?)(await client.ResponseAsync(threads))["success"]);
        Assert.True(await DapTestClient.Within(sawThreads.Task), "the cancelled handler blocked the read loop");
        Assert.Equal("cancelled", Error(await client.ResponseAsync(slow)));
        Assert.True((bool?)(await client.ResponseAsync(cancel))["success"]);
    }

    [Fact]
    public async Task DisconnectIsAnsweredWhenAHandlerIgnoresCancellation()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var client = new DapTestClient(s =>
        {
            s.ShutdownTimeout = TimeSpan.FromMilliseconds(300);
            s.AddHandler(DapCommands.Variables, DapJsonContext.Default.VariablesArguments, DapJsonContext.Default.VariablesResponseBody,
                async (_, _, _) =>
                {
                    started.SetResult();
                    await release.Task; // never looks at its token
                    return new VariablesResponseBody { Variables = [] };
                });
        });
        try
        {
            var slow = await client.SendAsync("variables", new { variablesReference = 1 });
            await DapTestClient.Within(started.Task);
            var disconnect = await client.SendAsync("disconnect");

            var output = await client.EventAsync("output");
            Assert.Equal($"kdumpdebug: disconnecting without waiting for request(s) {slow}: still running 0.3 s after cancellation\n",
                (string?)output["body"]!["output"]);
            Assert.True((bool?)(await client.ResponseAsync(disconnect))["success"]);
            await client.Run.WaitAsync(DapTestClient.Timeout);
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task EndOfInputStopsWhenAHandlerIgnoresCancellation()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var client = new DapTestClient(s =>
        {
            s.ShutdownTimeout = TimeSpan.FromMilliseconds(300);
            s.AddHandler(DapCommands.Variables, DapJsonContext.Default.VariablesArguments, DapJsonContext.Default.VariablesResponseBody,
                async (_, _, _) =>
                {
                    started.SetResult();
                    await release.Task;
                    return new VariablesResponseBody { Variables = [] };
                });
        });
        try
        {
            await client.SendAsync("variables", new { variablesReference = 1 });
            await DapTestClient.Within(started.Task);
            await client.CompleteAsync();
            await client.Run.WaitAsync(DapTestClient.Timeout);
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task EventsCarryTheirBodyWithDapNames()
    {
        await using var client = new DapTestClient();
        await DapTestClient.Within(client.Server.SendEventAsync(DapEvents.Stopped,
            new StoppedEventBody { Reason = "exception", Description = "Kernel panic - not syncing: sysrq triggered crash", ThreadId = 1234, AllThreadsStopped = true },
            DapJsonContext.Default.StoppedEventBody));
        await DapTestClient.Within(client.Server.SendEventAsync(DapEvents.Initialized));
        var stopped = await client.EventAsync("stopped");
        Assert.Equal("""{"reason":"exception","description":"Kernel panic - not syncing: sysrq triggered crash","threadId":1234,"allThreadsStopped":true}""",
            stopped["body"]!.ToJsonString());
        var initialized = await client.EventAsync("initialized");
        Assert.Null(initialized["body"]);
        Assert.Equal(2, (int?)initialized["seq"]);
    }
}
