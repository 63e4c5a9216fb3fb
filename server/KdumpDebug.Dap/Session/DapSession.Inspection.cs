using KdumpDebug.Dap.Protocol;
using KdumpDebug.Dap.Transport;

namespace KdumpDebug.Dap.Session;

// The inspection requests (ARCHITECTURE.md "DAP mapping": completions, disassemble, readMemory,
// modules, source, writeMemory refused): registered here, one file per request beside this one.
public sealed partial class DapSession
{
    private void RegisterInspectionHandlers(DapServer server)
    {
        var caps = server.Capabilities;
        caps.SupportsDisassembleRequest = true;
        caps.SupportsReadMemoryRequest = true;
        // Advertised so that clients send writeMemory and show the refusal: a dump is read-only.
        caps.SupportsWriteMemoryRequest = true;
        caps.SupportsCompletionsRequest = true;
        caps.CompletionTriggerCharacters = [".", ">"];
        caps.SupportsModulesRequest = true;

        var json = DapJsonContext.Default;
        server.AddHandler(DapCommands.Disassemble, json.DisassembleArguments, json.DisassembleResponseBody,
            (args, _, token) => Task.Run(() => Disassemble(args), token));
        server.AddHandler(DapCommands.ReadMemory, json.ReadMemoryArguments, json.ReadMemoryResponseBody,
            (args, _, token) => Task.Run(() => ReadMemory(args), token));
        server.AddHandler(DapCommands.WriteMemory, json.WriteMemoryArguments, json.WriteMemoryResponseBody,
            (args, _, _) => Task.FromResult(WriteMemory(args)));
        server.AddHandler(DapCommands.Completions, json.CompletionsArguments, json.CompletionsResponseBody,
            (args, context, token) => Task.Run(() => Completions(args, context.Server), token));
        server.AddHandler(DapCommands.Modules, json.ModulesArguments, json.ModulesResponseBody,
            (args, _, token) => Task.Run(() => Modules(args), token));
        server.AddHandler(DapCommands.Source, json.SourceArguments, json.SourceResponseBody,
            (args, _, token) => Task.Run(() => SourceContent(args), token));
    }

    /// <summary>
    /// A DAP memory reference ("0xffffffff81000000", as this adapter hands them out; bare hex and
    /// decimal are accepted too) plus a byte offset, wrapping like the address arithmetic of a
    /// 64-bit CPU.
    /// </summary>
    internal static ulong ParseMemoryReference(string reference, long? offset)
    {
        var text = reference.Trim();
        ulong address;
        var ok = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(text.AsSpan(2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out address)
            : ulong.TryParse(text, out address)
              || ulong.TryParse(text, System.Globalization.NumberStyles.AllowHexSpecifier, null, out address);
        if (!ok || text.Length == 0)
            throw new DapRequestException($"memoryReference '{reference}' is not an address (expected a hexadecimal 0x... value)");
        return unchecked(address + (ulong)(offset ?? 0));
    }
}
