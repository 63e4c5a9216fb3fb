using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using KdumpDebug.Lsp.Host;
using Nerdbank.Streams;
using StreamJsonRpc;

namespace KdumpDebug.Lsp.Tests;

/// <summary>
/// Drives an in-process <see cref="LspServer"/> the way an editor does: a StreamJsonRpc client
/// with LSP framing over an in-memory duplex stream (Nerdbank.Streams), requests built as plain
/// JSON objects, answers read as raw JSON (what the editor sees), and <c>publishDiagnostics</c>
/// notifications collected per document. Every wait is time-limited, so a hung server fails the
/// test instead of the run.
/// </summary>
public sealed class LspTestClient : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly LspServer _server;
    private readonly JsonRpc _rpc;
    private readonly ConcurrentDictionary<string, BlockingCollection<JsonElement>> _diagnostics = new();
    private readonly Task<int> _run;
    private int _version;

    public StringWriter Log { get; } = new();

    /// <summary>The raw duplex end of the client, for tests that write bytes the JSON-RPC client would not.</summary>
    public Stream RawClientStream { get; }

    private LspTestClient()
    {
        var (client, server) = FullDuplexStream.CreatePair();
        RawClientStream = client;
        _server = new LspServer(server, server, TextWriter.Synchronized(Log));
        _run = _server.RunAsync();
        var formatter = new SystemTextJsonFormatter
        {
            JsonSerializerOptions = new JsonSerializerOptions
            {
                PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
                DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            },
        };
        _rpc = new JsonRpc(new HeaderDelimitedMessageHandler(client, client, formatter));
        _rpc.AddLocalRpcMethod(typeof(LspTestClient).GetMethod(nameof(OnDiagnostics), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!,
            this, new JsonRpcMethodAttribute("textDocument/publishDiagnostics") { UseSingleObjectParameterDeserialization = true });
        _rpc.StartListening();
    }

    private void OnDiagnostics(JsonElement parameters)
    {
        var uri = parameters.GetProperty("uri").GetString()!;
        _diagnostics.GetOrAdd(uri, _ => new BlockingCollection<JsonElement>()).Add(parameters.Clone());
    }

    /// <summary>Starts a server and completes initialize/initialized; <paramref name="initializationOptions"/> as VS Code would pass them.</summary>
    public static async Task<LspTestClient> StartAsync(object? initializationOptions = null, string? rootUri = null)
    {
        var client = new LspTestClient();
        client.InitializeResult = await client.RequestAsync("initialize", new { processId = (int?)null, rootUri, capabilities = new { }, initializationOptions });
        await client._rpc.NotifyWithParameterObjectAsync("initialized", new { });
        return client;
    }

    public JsonElement InitializeResult { get; private set; }

    public async Task<JsonElement> RequestAsync(string method, object? parameters, CancellationToken cancellation = default) =>
        await _rpc.InvokeWithParameterObjectAsync<JsonElement>(method, parameters, cancellation).WaitAsync(Timeout);

    public Task NotifyAsync(string method, object? parameters) => _rpc.NotifyWithParameterObjectAsync(method, parameters).WaitAsync(Timeout);

    /// <summary>Opens a document and returns the diagnostics the server publishes for it.</summary>
    public async Task<JsonElement> OpenAsync(string uri, string languageId, string text)
    {
        var version = Interlocked.Increment(ref _version);
        await NotifyAsync("textDocument/didOpen", new { textDocument = new { uri, languageId, version, text } });
        return NextDiagnostics(uri, version);
    }

    /// <summary>Replaces a document's text (full sync) and returns the diagnostics published for the new version.</summary>
    public async Task<JsonElement> ChangeAsync(string uri, string text)
    {
        var version = Interlocked.Increment(ref _version);
        await NotifyAsync("textDocument/didChange", new { textDocument = new { uri, version }, contentChanges = new[] { new { text } } });
        return NextDiagnostics(uri, version);
    }

    /// <summary>The next diagnostics published for <paramref name="uri"/> with at least this version.</summary>
    public JsonElement NextDiagnostics(string uri, int version)
    {
        var queue = _diagnostics.GetOrAdd(uri, _ => new BlockingCollection<JsonElement>());
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !queue.TryTake(out var p, left))
                throw new TimeoutException($"no diagnostics for {uri} version {version}; server log: {Log}");
            if (!p.TryGetProperty("version", out var v) || v.GetInt32() >= version) return p.GetProperty("diagnostics");
        }
    }

    /// <summary>The hover's Markdown text, or null when the server answers null.</summary>
    public async Task<string?> HoverAsync(string uri, int line, int character)
    {
        var result = await RequestAsync("textDocument/hover", new { textDocument = new { uri }, position = new { line, character } });
        return result.ValueKind == JsonValueKind.Null ? null : result.GetProperty("contents").GetProperty("value").GetString();
    }

    /// <summary>The completion items as (label, detail); empty when the server answers null.</summary>
    public async Task<List<(string Label, string? Detail)>> CompletionAsync(string uri, int line, int character)
    {
        var result = await RequestAsync("textDocument/completion", new { textDocument = new { uri }, position = new { line, character } });
        if (result.ValueKind == JsonValueKind.Null) return [];
        return result.GetProperty("items").EnumerateArray()
            .Select(i => (i.GetProperty("label").GetString()!, i.TryGetProperty("detail", out var d) ? d.GetString() : null)).ToList();
    }

    /// <summary>Diagnostics as "line:start-end severity message" strings (0-based lines and columns), in published order.</summary>
    public static List<string> Describe(JsonElement diagnostics) => diagnostics.EnumerateArray().Select(d =>
    {
        var r = d.GetProperty("range");
        var s = r.GetProperty("start");
        var e = r.GetProperty("end");
        var severity = d.GetProperty("severity").GetInt32() switch { 1 => "error", 2 => "warning", 3 => "info", _ => "hint" };
        return $"{s.GetProperty("line").GetInt32()}:{s.GetProperty("character").GetInt32()}-{e.GetProperty("character").GetInt32()} {severity} {d.GetProperty("message").GetString()}";
    }).ToList();

    public async Task<int> ShutdownAsync()
    {
        await RequestAsync("shutdown", null);
        await NotifyAsync("exit", null);
        return await _run.WaitAsync(Timeout);
    }

    public async ValueTask DisposeAsync()
    {
        _rpc.Dispose();
        RawClientStream.Dispose();
        try { await _run.WaitAsync(Timeout); } catch (Exception) { /* the test already failed or finished */ }
        _server.Dispose();
    }
}
