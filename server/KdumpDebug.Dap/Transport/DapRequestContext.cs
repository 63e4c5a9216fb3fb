using System.Text.Json;

namespace KdumpDebug.Dap.Transport;

/// <summary>What a request handler knows about the request beside its typed arguments.</summary>
/// <param name="Seq">The request's <c>seq</c> (its response carries it as <c>request_seq</c>).</param>
/// <param name="Command">The request's <c>command</c>.</param>
/// <param name="RawArguments">The <c>arguments</c> as sent (null when absent), for adapter-specific extra fields.</param>
/// <param name="Server">The server, to send events (progress, output) while the request runs.</param>
public sealed record DapRequestContext(int Seq, string Command, JsonElement? RawArguments, DapServer Server);
