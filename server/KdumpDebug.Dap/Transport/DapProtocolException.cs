using KdumpDebug.Core.Errors;

namespace KdumpDebug.Dap.Transport;

/// <summary>
/// The byte stream broke the DAP base protocol beyond repair (for example a Content-Length larger
/// than <see cref="DapMessageReader.MaxBodyBytes"/>): the connection has to be closed. The message
/// is one line naming the stream offset and the header.
/// </summary>
public sealed class DapProtocolException(string message) : KdumpDebugException(message);
