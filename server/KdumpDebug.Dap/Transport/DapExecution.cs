namespace KdumpDebug.Dap.Transport;

/// <summary>How <see cref="DapServer"/> schedules a request handler relative to the others.</summary>
public enum DapExecution
{
    /// <summary>
    /// Runs as soon as it arrives, in parallel with other concurrent handlers (read-only queries:
    /// <c>threads</c>, <c>stackTrace</c>, <c>variables</c>...). It still waits for a serialized
    /// request received before it.
    /// </summary>
    Concurrent,

    /// <summary>
    /// Runs alone: after every request received before it has finished, and before any request
    /// received after it starts (<c>initialize</c>, <c>launch</c>, anything that changes session
    /// state). Serialized requests therefore run in arrival order.
    /// </summary>
    Serialized,
}
