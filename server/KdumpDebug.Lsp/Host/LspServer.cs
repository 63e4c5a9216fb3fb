using StreamJsonRpc;

namespace KdumpDebug.Lsp.Host;

/// <summary>
/// The language server on a pair of streams (standard input/output for <c>kdumpdebug lsp</c>, an
/// in-memory duplex stream in tests): LSP's <c>Content-Length</c> framing
/// (<see cref="LspMessageHandler"/>), System.Text.Json with <see cref="LspJson"/>,
/// <c>$/cancelRequest</c> cancellation (StreamJsonRpc's default), and an <see cref="LspSession"/>
/// as the target. Messages are dispatched in arrival order, one at a time; a request that waits
/// for the kernel to open yields, so document notifications keep flowing.
/// </summary>
public sealed class LspServer : IDisposable
{
    private readonly JsonRpc _rpc;
    private readonly LspMessageHandler _handler;
    private readonly SerialSynchronizationContext _context = new();

    public LspServer(Stream input, Stream output, TextWriter? log = null)
    {
        var formatter = new SystemTextJsonFormatter { JsonSerializerOptions = LspJson.Options };
        _handler = new LspMessageHandler(output, input, formatter);
        _rpc = new JsonRpc(_handler);
        // StreamJsonRpc's own warnings (a message it could not dispatch) go to the log too.
        if (log is not null)
            _rpc.TraceSource = new System.Diagnostics.TraceSource("kdumpdebug-lsp", System.Diagnostics.SourceLevels.Warning)
            {
                Listeners = { new System.Diagnostics.TextWriterTraceListener(log) },
            };
        Session = new LspSession(log);
        Session.Attach(_rpc);
        _rpc.SynchronizationContext = _context;
        _rpc.AddLocalRpcTarget(Session, new JsonRpcTargetOptions { DisposeOnDisconnect = false });
        _rpc.StartListening();
    }

    public LspSession Session { get; }

    /// <summary>
    /// Runs until the client sends <c>exit</c> or closes the input. Returns the exit code LSP
    /// asks for: 0 after <c>shutdown</c>, 1 without it.
    /// </summary>
    public async Task<int> RunAsync()
    {
        await Task.WhenAny(_rpc.Completion, Session.Exited);
        if (!_rpc.Completion.IsCompleted)
        {
            // exit arrived: let the answers to the messages before it go out first (a client that
            // sends exit without waiting for the shutdown answer still gets it).
            // Diagnostics of documents opened before exit are sent too.
            await Task.WhenAll(_handler.AnsweredAsync(TimeSpan.FromSeconds(5)), Session.IdleAsync(TimeSpan.FromSeconds(5)));
        }
        _rpc.Dispose();
        _context.Complete();
        return Session.ShutdownRequested ? 0 : 1;
    }

    public void Dispose()
    {
        _rpc.Dispose();
        _context.Complete();
        Session.Dispose();
    }
}
