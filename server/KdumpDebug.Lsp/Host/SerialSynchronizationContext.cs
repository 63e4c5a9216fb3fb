using System.Threading.Channels;

namespace KdumpDebug.Lsp.Host;

/// <summary>
/// Runs posted callbacks one at a time, in the order posted, on a worker task: given to
/// StreamJsonRpc so document notifications are handled in arrival order (a <c>didChange</c>
/// never overtakes its <c>didOpen</c>). A handler that awaits gives the worker back until its
/// continuation is posted. <see cref="Send"/> is not supported (nothing here needs it).
/// </summary>
public sealed class SerialSynchronizationContext : SynchronizationContext
{
    private readonly Channel<(SendOrPostCallback Callback, object? State)> _queue =
        Channel.CreateUnbounded<(SendOrPostCallback, object?)>(new UnboundedChannelOptions { SingleReader = true });

    public SerialSynchronizationContext() => _ = Task.Run(RunAsync);

    public override void Post(SendOrPostCallback d, object? state) => _queue.Writer.TryWrite((d, state));

    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("SerialSynchronizationContext runs callbacks asynchronously only");

    public override SynchronizationContext CreateCopy() => this;

    /// <summary>Stops the worker after the callbacks already posted.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    private async Task RunAsync()
    {
        await foreach (var (callback, state) in _queue.Reader.ReadAllAsync())
        {
            var previous = Current;
            SetSynchronizationContext(this);
            try
            {
                callback(state);
            }
            catch (Exception e)
            {
                // StreamJsonRpc reports handler failures itself; a stray one must not stop the queue.
                Console.Error.WriteLine($"kdumpdebug lsp: {e.GetType().Name}: {e.Message}");
            }
            finally
            {
                SetSynchronizationContext(previous);
            }
        }
    }
}
