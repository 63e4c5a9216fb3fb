using KdumpDebug.Core.Errors;

namespace KdumpDebug.Dap.Transport;

/// <summary>
/// An expected failure of a request (bad arguments, an id that does not exist, a request before
/// <c>launch</c>): thrown by a handler, sent as an error response whose message is exactly
/// <see cref="Exception.Message"/> (one line), without the "internal error" prefix that other
/// exceptions get.
/// </summary>
public sealed class DapRequestException : KdumpDebugException
{
    public DapRequestException(string message, bool showUser = false) : base(message) => ShowUser = showUser;

    /// <summary>Asks the client to show the error to the user (DAP <c>Message.showUser</c>).</summary>
    public bool ShowUser { get; }
}
