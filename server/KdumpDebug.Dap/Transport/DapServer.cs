using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using KdumpDebug.Core.Errors;
using KdumpDebug.Dap.Protocol;

namespace KdumpDebug.Dap.Transport;

/// <summary>
/// A Debug Adapter Protocol endpoint over a pair of streams: reads requests, runs the registered
/// handlers, writes responses and events. It holds no session logic; the session registers one
/// handler per command with <see cref="AddHandler{TArgs,TBody}"/>.
/// </summary>
/// <remarks>
/// Design (the shape of vscode-debugadapter's ProtocolServer, with js-debug's concurrency):
/// <list type="bullet">
/// <item>One read loop parses frames (<see cref="DapMessageReader"/>) and schedules each request;
/// handlers run on the thread pool. A <see cref="DapExecution.Serialized"/> handler waits for every
/// earlier request and blocks later ones; concurrent handlers only wait for the last serialized
/// one, so a slow <c>variables</c> never delays <c>threads</c>.</item>
/// <item><c>cancel</c> is answered by the read loop itself: it cancels the token passed to the
/// target request's handler (or the queued request before it starts); a handler that stops with
/// <see cref="OperationCanceledException"/> gets an error response with message <c>cancelled</c>.
/// A <c>progressId</c> is passed to <see cref="ProgressCancelRequested"/>.</item>
/// <item>Nothing a client sends stops the server except <c>disconnect</c> and end of input:
/// handler exceptions become error responses with a one-line message, unknown commands and
/// invalid arguments too; malformed frames or JSON become an <c>output</c> event.</item>
/// <item><c>disconnect</c> and end of input shut down in order: in-flight requests are cancelled
/// and answered, the <c>disconnect</c> handler (if registered) runs, its response is sent, then
/// <see cref="RunAsync"/> returns. A handler that ignores its token is waited for at most
/// <see cref="ShutdownTimeout"/>; then an <c>output</c> event names it and shutdown goes on, so a
/// stuck handler never leaves the client waiting for the <c>disconnect</c> response. The caller
/// owns and closes the streams.</item>
/// <item>The read loop never runs handler code: cancellation callbacks (and the handler
/// continuations they resume) run on the thread pool, so a handler that keeps working
/// synchronously after its token fires cannot stop the loop from reading the next message.</item>
/// </list>
/// Thread-safe: handlers may send events and register handlers from any thread. Costs one
/// <see cref="JsonDocument"/> per incoming message and one buffer per outgoing one.
/// </remarks>
public sealed class DapServer
{
    /// <summary><c>Message.id</c> of an error a handler reported with <see cref="DapRequestException"/> or another <see cref="KdumpDebugException"/>.</summary>
    public const int ErrorRequestFailed = 1001;
    /// <summary><c>Message.id</c> of an unexpected exception in a handler.</summary>
    public const int ErrorInternal = 1002;
    /// <summary><c>Message.id</c> of a command with no handler.</summary>
    public const int ErrorUnknownCommand = 1003;
    /// <summary><c>Message.id</c> of arguments that do not match the command's schema.</summary>
    public const int ErrorInvalidArguments = 1004;

    // Invoke returns the response body already serialized (null: no body), so a body that fails
    // to serialize becomes an error response instead of a half-written message.
    private sealed record Handler(DapExecution Execution, Func<JsonElement?, DapRequestContext, CancellationToken, Task<byte[]?>> Invoke);

    private readonly DapMessageReader _reader;
    private readonly DapMessageWriter _writer;
    private readonly ConcurrentDictionary<string, Handler> _handlers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, CancellationTokenSource> _inFlight = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly List<Task> _running = [];            // read loop only
    private readonly List<Task> _concurrentSinceSerialized = []; // read loop only
    private Task _lastSerialized = Task.CompletedTask;    // read loop only
    private int _seq;
    private TimeSpan _shutdownTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Creates a server reading <paramref name="input"/> and writing <paramref name="output"/>,
    /// with the built-in <c>initialize</c> handler (replaceable with <see cref="AddHandler{TArgs,TBody}"/>).
    /// </summary>
    public DapServer(Stream input, Stream output, int maxBodyBytes = DapMessageReader.DefaultMaxBodyBytes)
    {
        _reader = new DapMessageReader(input, maxBodyBytes);
        _writer = new DapMessageWriter(output);
        AddHandler(DapCommands.Initialize, DapJsonContext.Default.InitializeRequestArguments, DapJsonContext.Default.Capabilities,
            (args, _, _) =>
            {
                ClientCapabilities = args;
                return Task.FromResult(Capabilities);
            }, DapExecution.Serialized);
    }

    /// <summary>
    /// The body of the built-in <c>initialize</c> response. <c>supportsCancelRequest</c> is set;
    /// the session sets the rest (<c>supportsConfigurationDoneRequest</c>...) before input arrives.
    /// </summary>
    public Capabilities Capabilities { get; } = new() { SupportsCancelRequest = true };

    /// <summary>The client's <c>initialize</c> arguments (line/column base, client name...), once received.</summary>
    public InitializeRequestArguments? ClientCapabilities { get; private set; }

    /// <summary>
    /// How long <c>disconnect</c> and end of input wait for cancelled requests to finish before
    /// going on without them (default 5 s). A handler still running after that is reported in an
    /// <c>output</c> event; its response, if it ever comes, is still sent.
    /// </summary>
    public TimeSpan ShutdownTimeout
    {
        get => _shutdownTimeout;
        set
        {
            if (value != Timeout.InfiniteTimeSpan) ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _shutdownTimeout = value;
        }
    }

    /// <summary>Called (on the read loop) with the <c>progressId</c> of a <c>cancel</c> request.</summary>
    public event Action<string>? ProgressCancelRequested;

    /// <summary>
    /// Registers (or replaces) the handler of <paramref name="command"/>. Absent <c>arguments</c>
    /// are read as <c>{}</c>; arguments that do not deserialize (a missing required property, a
    /// wrong type) get an error response without calling the handler. The returned body is
    /// serialized with <paramref name="bodyType"/>.
    /// </summary>
    public void AddHandler<TArgs, TBody>(string command, JsonTypeInfo<TArgs> argumentsType, JsonTypeInfo<TBody> bodyType,
        Func<TArgs, DapRequestContext, CancellationToken, Task<TBody>> handler, DapExecution execution = DapExecution.Concurrent)
    {
        ArgumentNullException.ThrowIfNull(bodyType);
        ArgumentNullException.ThrowIfNull(handler);
        _handlers[command] = new Handler(execution, async (raw, context, token) =>
        {
            var body = await handler(ReadArguments(command, raw, argumentsType), context, token);
            return body is null ? null : JsonSerializer.SerializeToUtf8Bytes(body, bodyType);
        });
    }

    /// <summary>Registers (or replaces) the handler of a command whose response has no body.</summary>
    public void AddHandler<TArgs>(string command, JsonTypeInfo<TArgs> argumentsType,
        Func<TArgs, DapRequestContext, CancellationToken, Task> handler, DapExecution execution = DapExecution.Concurrent)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handlers[command] = new Handler(execution, async (raw, context, token) =>
        {
            await handler(ReadArguments(command, raw, argumentsType), context, token);
            return null;
        });
    }

    /// <summary>Sends an event with a body. Never throws for a closed output stream (the client is gone).</summary>
    public Task SendEventAsync<TBody>(string eventName, TBody body, JsonTypeInfo<TBody> bodyType, CancellationToken cancellationToken = default)
    {
        // Serialized before taking a seq, so a body that throws leaves no gap in the numbering.
        var json = JsonSerializer.SerializeToUtf8Bytes(body, bodyType);
        return SendAsync(w =>
        {
            w.WriteString("type", "event");
            w.WriteString("event", eventName);
            w.WritePropertyName("body");
            w.WriteRawValue(json, skipInputValidation: true);
        }, cancellationToken);
    }

    /// <summary>Sends an event without a body (<c>initialized</c>).</summary>
    public Task SendEventAsync(string eventName, CancellationToken cancellationToken = default) =>
        SendAsync(w =>
        {
            w.WriteString("type", "event");
            w.WriteString("event", eventName);
        }, cancellationToken);

    /// <summary>Sends an <c>output</c> event; a newline is appended to <paramref name="text"/>.</summary>
    public Task SendOutputAsync(string text, string category = "console", CancellationToken cancellationToken = default) =>
        SendEventAsync(DapEvents.Output, new OutputEventBody { Output = text + "\n", Category = category },
            DapJsonContext.Default.OutputEventBody, cancellationToken);

    /// <summary>
    /// Serves until <c>disconnect</c>, end of input, a fatal framing error (reported as an
    /// <c>output</c> event) or <paramref name="cancellationToken"/>; then cancels the requests still
    /// running and awaits them for at most <see cref="ShutdownTimeout"/>. Call once.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            while (true)
            {
                DapFrame frame;
                try
                {
                    frame = await _reader.ReadAsync(cancellationToken);
                }
                catch (DapProtocolException e)
                {
                    await SendOutputAsync($"kdumpdebug: {e.Message}; closing the connection", "stderr");
                    break;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                catch (IOException)
                {
                    break; // the client closed the pipe: nobody to report to
                }
                if (frame.Error is not null)
                    await SendOutputAsync($"kdumpdebug: {frame.Error}", "stderr");
                if (frame.Kind == DapFrameKind.EndOfStream) break;
                if (frame.Kind != DapFrameKind.Message) continue;
                try
                {
                    if (await DispatchAsync(frame.Body)) break;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A bug in dispatching one message must not end the session.
                    await SendOutputAsync($"kdumpdebug: internal error handling a DAP message: {e.GetType().Name}: {OneLine(e.Message)}", "stderr");
                }
            }
        }
        finally
        {
            await ShutdownAsync();
        }
    }

    private async Task ShutdownAsync()
    {
        CancelInFlight();
        CancelOffLoop(_shutdown); // queued requests not in _inFlight (a reused seq) too
        await WaitForRunningAsync("shutting down");
    }

    /// <summary>Cancels every request still running or queued, each on the thread pool.</summary>
    private void CancelInFlight()
    {
        foreach (var cts in _inFlight.Values) CancelOffLoop(cts);
    }

    /// <summary>
    /// Requests cancellation without running the callbacks here. CancellationTokenSource.Cancel
    /// runs every registered callback synchronously, and a callback that completes what a handler
    /// awaits (<c>task.WaitAsync(token)</c>, a TaskCompletionSource set from <c>token.Register</c>)
    /// resumes that handler inline: the read loop would then run handler code up to its next
    /// await, and a handler that blocks there (until a later request is answered, say) would stop
    /// the loop for good. CancelAsync sets the token at once and runs the callbacks on the pool.
    /// </summary>
    private void CancelOffLoop(CancellationTokenSource cts)
    {
        Task callbacks;
        try
        {
            callbacks = cts.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            return; // the request finished between the lookup and the cancel: nothing to do
        }
        _ = callbacks.ContinueWith(
            (t, state) => ((DapServer)state!).SendOutputAsync(
                $"kdumpdebug: a cancellation callback failed: {OneLine(t.Exception!.GetBaseException().Message)}", "stderr"),
            this, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>
    /// Waits for the scheduled requests, at most <see cref="ShutdownTimeout"/>: a handler that
    /// ignores its token must not keep the client waiting for ever.
    /// </summary>
    private async Task WaitForRunningAsync(string doing)
    {
        try
        {
            // The requests never fault (Schedule answers every failure), so only the timeout throws.
            await Task.WhenAll(_running).WaitAsync(ShutdownTimeout);
            return;
        }
        catch (TimeoutException)
        {
        }
        var stuck = _inFlight.Keys.Order().ToList();
        await SendOutputAsync(
            $"kdumpdebug: {doing} without waiting for request(s) {(stuck.Count == 0 ? "(unknown)" : string.Join(", ", stuck))}: still running {ShutdownTimeout.TotalSeconds:0.###} s after cancellation",
            "stderr");
    }

    /// <summary>Handles one message body; returns true after <c>disconnect</c>.</summary>
    private async Task<bool> DispatchAsync(ReadOnlyMemory<byte> body)
    {
        int seq;
        string command;
        JsonElement? arguments;
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                await SendOutputAsync($"kdumpdebug: ignored a DAP message that is a JSON {root.ValueKind}, not an object", "stderr");
                return false;
            }
            var type = root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            if (type != "request")
            {
                // No reverse requests are sent, so responses are unexpected too; events only flow to the client.
                await SendOutputAsync($"kdumpdebug: ignored a DAP message of type '{type ?? "(none)"}' (only requests are accepted)", "stderr");
                return false;
            }
            if (!root.TryGetProperty("seq", out var s) || s.ValueKind != JsonValueKind.Number || !s.TryGetInt32(out seq) || seq < 1)
            {
                await SendOutputAsync("kdumpdebug: ignored a DAP request without a positive integer 'seq'", "stderr");
                return false;
            }
            if (!root.TryGetProperty("command", out var c) || c.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(c.GetString()))
            {
                await SendErrorAsync(seq, "", ErrorInvalidArguments, "request without a 'command' string", showUser: false);
                return false;
            }
            command = c.GetString()!;
            arguments = root.TryGetProperty("arguments", out var a) && a.ValueKind != JsonValueKind.Null ? a.Clone() : null;
        }
        catch (JsonException e)
        {
            await SendOutputAsync($"kdumpdebug: ignored a malformed DAP message ({body.Length} bytes): {OneLine(e.Message)}", "stderr");
            return false;
        }

        if (command == DapCommands.Cancel)
        {
            await CancelAsync(seq, arguments);
            return false;
        }
        if (command == DapCommands.Disconnect)
        {
            await DisconnectAsync(seq, arguments);
            return true;
        }
        if (!_handlers.TryGetValue(command, out var handler))
        {
            var why = DapCommands.All.Contains(command)
                ? $"the '{command}' request is not supported by kdumpdebug"
                : $"unknown command '{command}'";
            await SendErrorAsync(seq, command, ErrorUnknownCommand, why, showUser: false);
            return false;
        }
        Schedule(seq, command, arguments, handler);
        return false;
    }

    private void Schedule(int seq, string command, JsonElement? arguments, Handler handler)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
        // A reused seq cannot be cancelled by id; it still runs.
        var cancellable = _inFlight.TryAdd(seq, cts);
        _concurrentSinceSerialized.RemoveAll(t => t.IsCompleted);
        _running.RemoveAll(t => t.IsCompleted);
        Task gate = handler.Execution == DapExecution.Serialized
            ? Task.WhenAll([.. _concurrentSinceSerialized, _lastSerialized])
            : _lastSerialized;
        var context = new DapRequestContext(seq, command, arguments, this);
        var run = Task.Run(async () =>
        {
            try
            {
                await gate;
                await RunHandlerAsync(handler, context, cts.Token);
            }
            catch (Exception e)
            {
                // Only a bug in the server itself gets here (RunHandlerAsync answers every failure);
                // keep serving, and keep later requests' gates from faulting.
                await SendOutputAsync($"kdumpdebug: request {seq} '{command}' failed without a response: {e.GetType().Name}: {OneLine(e.Message)}", "stderr");
            }
            finally
            {
                if (cancellable) _inFlight.TryRemove(seq, out _);
                cts.Dispose();
            }
        });
        if (handler.Execution == DapExecution.Serialized)
        {
            _lastSerialized = run;
            _concurrentSinceSerialized.Clear();
        }
        else _concurrentSinceSerialized.Add(run);
        _running.Add(run);
    }

    private async Task RunHandlerAsync(Handler handler, DapRequestContext context, CancellationToken token)
    {
        byte[]? body;
        try
        {
            token.ThrowIfCancellationRequested();
            body = await handler.Invoke(context.RawArguments, context, token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            await SendAsync(w =>
            {
                WriteResponseHead(w, context.Seq, context.Command, success: false);
                // DAP: a cancelled request answers with success false and message "cancelled".
                w.WriteString("message", "cancelled");
            }, CancellationToken.None);
            return;
        }
        catch (InvalidArgumentsException e)
        {
            await SendErrorAsync(context.Seq, context.Command, ErrorInvalidArguments, e.Message, showUser: false);
            return;
        }
        catch (DapRequestException e)
        {
            await SendErrorAsync(context.Seq, context.Command, ErrorRequestFailed, OneLine(e.Message), e.ShowUser);
            return;
        }
        catch (KdumpDebugException e)
        {
            await SendErrorAsync(context.Seq, context.Command, ErrorRequestFailed, OneLine(e.Message), showUser: false);
            return;
        }
        catch (Exception e)
        {
            await SendErrorAsync(context.Seq, context.Command, ErrorInternal,
                $"internal error in '{context.Command}': {e.GetType().Name}: {OneLine(e.Message)}", showUser: false);
            return;
        }
        await SendAsync(w =>
        {
            WriteResponseHead(w, context.Seq, context.Command, success: true);
            if (body is not null)
            {
                w.WritePropertyName("body");
                w.WriteRawValue(body, skipInputValidation: true);
            }
        }, CancellationToken.None);
    }

    private async Task CancelAsync(int seq, JsonElement? arguments)
    {
        CancelArguments args;
        try
        {
            args = ReadArguments(DapCommands.Cancel, arguments, DapJsonContext.Default.CancelArguments);
        }
        catch (InvalidArgumentsException e)
        {
            await SendErrorAsync(seq, DapCommands.Cancel, ErrorInvalidArguments, e.Message, showUser: false);
            return;
        }
        if (args.RequestId is int id && _inFlight.TryGetValue(id, out var cts))
            CancelOffLoop(cts);
        if (args.ProgressId is { } progress)
        {
            try
            {
                ProgressCancelRequested?.Invoke(progress);
            }
            catch (Exception e)
            {
                await SendOutputAsync($"kdumpdebug: cancelling progress '{progress}' failed: {e.GetType().Name}: {OneLine(e.Message)}", "stderr");
            }
        }
        // DAP: cancel is a hint; the response says it was received, not that anything stopped.
        await SendAsync(w => WriteResponseHead(w, seq, DapCommands.Cancel, success: true), CancellationToken.None);
    }

    private async Task DisconnectAsync(int seq, JsonElement? arguments)
    {
        // Answer everything in flight (as cancelled where the handler honours it) before the disconnect response.
        CancelInFlight();
        await WaitForRunningAsync("disconnecting");
        if (_handlers.TryGetValue(DapCommands.Disconnect, out var handler))
            await RunHandlerAsync(handler, new DapRequestContext(seq, DapCommands.Disconnect, arguments, this), CancellationToken.None);
        else
            await SendAsync(w => WriteResponseHead(w, seq, DapCommands.Disconnect, success: true), CancellationToken.None);
    }

    private static T ReadArguments<T>(string command, JsonElement? raw, JsonTypeInfo<T> type)
    {
        try
        {
            var value = raw is { } element ? element.Deserialize(type) : JsonSerializer.Deserialize("{}"u8, type);
            return value ?? throw new InvalidArgumentsException($"invalid arguments for '{command}': null");
        }
        catch (JsonException e)
        {
            throw new InvalidArgumentsException($"invalid arguments for '{command}': {OneLine(e.Message)}");
        }
    }

    /// <summary>Arguments that do not deserialize; turned into an error response before the handler runs.</summary>
    private sealed class InvalidArgumentsException(string message) : Exception(message);

    private Task SendErrorAsync(int requestSeq, string command, int id, string message, bool showUser) =>
        SendAsync(w =>
        {
            WriteResponseHead(w, requestSeq, command, success: false);
            w.WriteString("message", message);
            // VS Code shows body.error.format (not message) to the user; keep both.
            w.WriteStartObject("body");
            w.WriteStartObject("error");
            w.WriteNumber("id", id);
            w.WriteString("format", message);
            w.WriteBoolean("showUser", showUser);
            w.WriteEndObject();
            w.WriteEndObject();
        }, CancellationToken.None);

    private static void WriteResponseHead(Utf8JsonWriter w, int requestSeq, string command, bool success)
    {
        w.WriteString("type", "response");
        w.WriteNumber("request_seq", requestSeq);
        w.WriteBoolean("success", success);
        w.WriteString("command", command);
    }

    private async Task SendAsync(Action<Utf8JsonWriter> writeFields, CancellationToken cancellationToken)
    {
        // seq is assigned under the lock so the client sees 1, 2, 3... in order (DAP ProtocolMessage.seq).
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            var buffer = new ArrayBufferWriter<byte>(256);
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteNumber("seq", ++_seq);
                writeFields(w);
                w.WriteEndObject();
            }
            await _writer.WriteAsync(buffer.WrittenMemory, cancellationToken);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The client went away; the read loop sees end of input and shuts down.
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>The first line of <paramref name="message"/>, trimmed: error responses are one line.</summary>
    internal static string OneLine(string message)
    {
        var eol = message.AsSpan().IndexOfAny('\r', '\n');
        return (eol < 0 ? message : message[..eol]).Trim();
    }
}
