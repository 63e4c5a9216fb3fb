using KdumpDebug.Dap.Protocol;
using KdumpDebug.Dap.Transport;
using KdumpDebug.Target;

namespace KdumpDebug.Dap.Session;

// Progress events while launch opens the dump and loads debug info.
public sealed partial class DapSession
{
    /// <summary>
    /// Opens the dump on the thread pool; when the client announced <c>supportsProgressReporting</c>,
    /// reports it as <c>progressStart</c>, one <c>progressUpdate</c> per step (open, debug info, tasks)
    /// and <c>progressEnd</c> (also when opening fails).
    /// </summary>
    private async Task<OpenDump> OpenWithProgressAsync(KdumpLaunchRequestArguments args, DapRequestContext context, CancellationToken token)
    {
        var server = context.Server;
        if (server.ClientCapabilities?.SupportsProgressReporting != true)
            return await Task.Run(() => OpenDump.Open(args, _cacheDirectory), token);
        var progressId = $"launch-{context.Seq}";
        await server.SendEventAsync(DapEvents.ProgressStart, new ProgressStartEventBody
        {
            ProgressId = progressId,
            Title = $"Opening {Path.GetFileName(args.Vmcore)}",
            RequestId = context.Seq,
            Cancellable = false,
            Percentage = 0,
        }, DapJsonContext.Default.ProgressStartEventBody, token);
        var step = 0;
        string? outcome = null;
        try
        {
            return await Task.Run(() => OpenDump.Open(args, _cacheDirectory, message =>
            {
                // On the pool thread that opens the dump: waiting here keeps the updates in order.
                step++;
                server.SendEventAsync(DapEvents.ProgressUpdate, new ProgressUpdateEventBody
                {
                    ProgressId = progressId,
                    Message = message,
                    Percentage = Math.Min(100, (step - 1) * 33),
                }, DapJsonContext.Default.ProgressUpdateEventBody, CancellationToken.None).GetAwaiter().GetResult();
            }), token);
        }
        catch
        {
            outcome = "failed";
            throw;
        }
        finally
        {
            await server.SendEventAsync(DapEvents.ProgressEnd, new ProgressEndEventBody { ProgressId = progressId, Message = outcome ?? "done" },
                DapJsonContext.Default.ProgressEndEventBody, CancellationToken.None);
        }
    }

    private sealed partial class OpenDump
    {
        /// <summary>
        /// Loads what nearly every request needs, while launch reports progress: the symbol table
        /// and the DWARF name index (the first type lookup builds it).
        /// </summary>
        private static void LoadDebugInfo(KernelTarget target)
        {
            _ = target.SymbolsByAddress;
            var types = target.Vmlinux.Types;
            if (types.HasDebugInfo) _ = types.TryFindType("struct task_struct", out _);
        }
    }
}
