using KdumpDebug.Core.Errors;
using KdumpDebug.Dap.Protocol;
using KdumpDebug.Dap.Transport;

namespace KdumpDebug.Dap.Session;

// readMemory and writeMemory.
public sealed partial class DapSession
{
    /// <summary>Most bytes one readMemory answers (VS Code's hex view asks for a few KiB at a time).</summary>
    public const int MaxReadMemoryBytes = 1 << 20;

    /// <summary>The message every writeMemory gets.</summary>
    public const string ReadOnlyMemoryMessage = "a vmcore is read-only: memory cannot be written";

    /// <summary>
    /// DAP readMemory: the readable bytes from the address on, then <c>unreadableBytes</c> for the
    /// run of bytes that cannot be read after them (a page makedumpfile excluded, an unmapped
    /// address), so the client skips them; never zeros in their place. Reads page by page.
    /// </summary>
    private ReadMemoryResponseBody ReadMemory(ReadMemoryArguments args)
    {
        var dump = Dump;
        var address = ParseMemoryReference(args.MemoryReference, args.Offset);
        if (args.Count < 0) throw new DapRequestException($"readMemory: count {args.Count} is negative");
        var count = (int)Math.Min(args.Count, MaxReadMemoryBytes);
        // Never read past the top of the address space.
        if (count > 0 && address + (ulong)count - 1 < address) count = (int)(ulong.MaxValue - address + 1);
        var data = new byte[count];
        var readable = 0;
        var unreadable = 0;
        const int page = 4096;
        while (readable + unreadable < count)
        {
            var at = address + (ulong)(readable + unreadable);
            var chunk = (int)Math.Min((ulong)(count - readable - unreadable), page - at % page);
            var ok = true;
            try
            {
                dump.Target.ReadVirtual(at, data.AsSpan(readable, chunk));
            }
            catch (KdumpDebugException)
            {
                ok = false;
            }
            if (ok && unreadable == 0) readable += chunk;
            else if (!ok) unreadable += chunk;
            else break; // readable again after a hole: the client asks again from there
        }
        return new ReadMemoryResponseBody
        {
            Address = $"0x{address:x}",
            Data = Convert.ToBase64String(data, 0, readable),
            UnreadableBytes = unreadable > 0 ? unreadable : null,
        };
    }

    private static WriteMemoryResponseBody WriteMemory(WriteMemoryArguments args) =>
        throw new DapRequestException(ReadOnlyMemoryMessage, showUser: true);
}
