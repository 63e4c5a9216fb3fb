using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace KdumpDebug.Lsp.Host;

/// <summary>
/// LSP's <c>Content-Length</c> framing (StreamJsonRpc's <see cref="HeaderDelimitedMessageHandler"/>)
/// that also counts the requests read and the answers flushed, so the server can exit only after
/// every request received before <c>exit</c> has its answer on the wire. Thread-safe counters.
/// </summary>
public sealed class LspMessageHandler(Stream output, Stream input, IJsonRpcMessageFormatter formatter)
    : HeaderDelimitedMessageHandler(output, input, formatter)
{
    private int _requests;
    private int _written;
    private int _flushed;

    protected override async ValueTask<JsonRpcMessage?> ReadCoreAsync(CancellationToken cancellationToken)
    {
        var message = await base.ReadCoreAsync(cancellationToken);
        if (message is JsonRpcRequest { IsResponseExpected: true }) Interlocked.Increment(ref _requests);
        return message;
    }

    protected override void Write(JsonRpcMessage content, CancellationToken cancellationToken)
    {
        base.Write(content, cancellationToken);
        if (content is JsonRpcResult or JsonRpcError) Interlocked.Increment(ref _written);
    }

    protected override async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        var written = Volatile.Read(ref _written);
        await base.FlushAsync(cancellationToken);
        int flushed;
        while ((flushed = Volatile.Read(ref _flushed)) < written && Interlocked.CompareExchange(ref _flushed, written, flushed) != flushed)
        {
        }
    }

    /// <summary>Waits (polling, at most <paramref name="limit"/>) until every request read so far has its answer flushed.</summary>
    public async Task AnsweredAsync(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (Volatile.Read(ref _flushed) < Volatile.Read(ref _requests) && DateTime.UtcNow < deadline)
            await Task.Delay(10);
    }
}
