using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using KdumpDebug.Dap.Transport;
using Nerdbank.Streams;

namespace KdumpDebug.Dap.Tests;

/// <summary>
/// The client end of an in-memory duplex pipe to a <see cref="DapServer"/>: sends requests (or raw
/// bytes) and reads back responses and events, with a timeout so a hung server fails the test
/// instead of hanging it.
/// </summary>
internal sealed class DapTestClient : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly Stream _client;
    private readonly Stream _serverEnd;
    private readonly DapMessageReader _reader;
    private readonly List<JsonObject> _pending = [];
    private readonly Channel<JsonObject> _incoming = Channel.CreateUnbounded<JsonObject>();
    private readonly Task _pump;
    private int _seq;

    public DapTestClient(Action<DapServer>? configure = null)
    {
        // No synchronization context capture: like an OS pipe, pipe completions resume on the
        // thread pool, never on xunit's two-thread test context (which a blocked test would starve).
        var (client, server) = FullDuplexStream.CreatePair(new PipeOptions(useSynchronizationContext: false));
        _client = client;
        _serverEnd = server;
        _reader = new DapMessageReader(client);
        Server = new DapServer(server, server);
        configure?.Invoke(Server);
        Run = Task.Run(() => Server.RunAsync());
        _pump = Task.Run(PumpAsync);
    }

    public DapServer Server { get; }

    /// <summary>The server's <see cref="DapServer.RunAsync"/>.</summary>
    public Task Run { get; }

    /// <summary>Awaits <paramref name="task"/>, failing with <see cref="TimeoutException"/> after <see cref="Timeout"/>.</summary>
    public static Task Within(Task task) => task.WaitAsync(Timeout);

    /// <summary>Awaits <paramref name="task"/>, failing with <see cref="TimeoutException"/> after <see cref="Timeout"/>.</summary>
    public static Task<T> Within<T>(Task<T> task) => task.WaitAsync(Timeout);

    /// <summary>Every message received so far, in order.</summary>
    public List<JsonObject> Received { get; } = [];

    /// <summary>Sends a request; returns its seq.</summary>
    public async Task<int> SendAsync(string command, object? arguments = null)
    {
        var seq = ++_seq;
        var message = new JsonObject { ["seq"] = seq, ["type"] = "request", ["command"] = command };
        if (arguments is not null) message["arguments"] = arguments as JsonNode ?? JsonNode.Parse(JsonSerializer.Serialize(arguments));
        await SendRawAsync(message.ToJsonString());
        return seq;
    }

    /// <summary>Sends one well-framed body.</summary>
    public Task SendRawAsync(string json) => SendBytesAsync(Frame(json));

    public static byte[] Frame(string json) =>
        Encoding.UTF8.GetBytes($"Content-Length: {Encoding.UTF8.GetByteCount(json)}\r\n\r\n{json}");

    public async Task SendBytesAsync(byte[] bytes)
    {
        // A server that stopped reading would block the pipe: fail instead of hanging.
        using var timeout = new CancellationTokenSource(Timeout);
        await _client.WriteAsync(bytes, timeout.Token);
        await _client.FlushAsync(timeout.Token);
    }

    /// <summary>Closes the client's write side: the server sees end of input.</summary>
    public Task CompleteAsync()
    {
        _client.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Reads until a message matching <paramref name="match"/> arrives (earlier other ones are kept for later calls).</summary>
    public async Task<JsonObject> WaitForAsync(Func<JsonObject, bool> match, string what)
    {
        var index = _pending.FindIndex(m => match(m));
        if (index >= 0)
        {
            var found = _pending[index];
            _pending.RemoveAt(index);
            return found;
        }
        using var timeout = new CancellationTokenSource(Timeout);
        while (true)
        {
            JsonObject? message;
            try
            {
                message = await _incoming.Reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no {what} within {Timeout.TotalSeconds} s; received: {string.Join(" | ", Received.Select(m => m.ToJsonString()))}");
            }
            catch (ChannelClosedException)
            {
                throw new EndOfStreamException($"server closed before {what}");
            }
            Received.Add(message);
            if (match(message)) return message;
            _pending.Add(message);
        }
    }

    // Reads the server's output all the time, as a real client does: a client that stops reading
    // would make the server block on a full pipe (back-pressure) and the test deadlock.
    private async Task PumpAsync()
    {
        try
        {
            while (true)
            {
                var frame = await _reader.ReadAsync();
                if (frame.Kind == DapFrameKind.EndOfStream) break;
                if (frame.Kind != DapFrameKind.Message) throw new InvalidDataException($"server sent a bad frame: {frame.Error}");
                _incoming.Writer.TryWrite(JsonNode.Parse(frame.Body.Span)!.AsObject());
            }
            _incoming.Writer.TryComplete();
        }
        catch (Exception e)
        {
            _incoming.Writer.TryComplete(e is ObjectDisposedException or IOException ? null : e);
        }
    }

    public Task<JsonObject> ResponseAsync(int requestSeq) =>
        WaitForAsync(m => (string?)m["type"] == "response" && (int?)m["request_seq"] == requestSeq, $"response to request {requestSeq}");

    public Task<JsonObject> EventAsync(string name, Func<JsonObject, bool>? match = null) =>
        WaitForAsync(m => (string?)m["type"] == "event" && (string?)m["event"] == name && (match?.Invoke(m) ?? true), $"'{name}' event");

    /// <summary>
    /// Waits for <see cref="DapServer.RunAsync"/> to return, closes the server's end (as the
    /// executable does on exit) and returns every message not yet consumed.
    /// </summary>
    public async Task<List<JsonObject>> DrainAfterRunAsync()
    {
        await Run.WaitAsync(Timeout);
        _serverEnd.Dispose();
        var all = new List<JsonObject>(_pending);
        _pending.Clear();
        using var timeout = new CancellationTokenSource(Timeout);
        await foreach (var message in _incoming.Reader.ReadAllAsync(timeout.Token))
        {
            Received.Add(message);
            all.Add(message);
        }
        return all;
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await Run.WaitAsync(Timeout);
        _serverEnd.Dispose();
        await _pump.WaitAsync(Timeout);
    }
}
