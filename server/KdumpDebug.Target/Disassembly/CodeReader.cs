using KdumpDebug.Core.Errors;

namespace KdumpDebug.Target.Disassembly;

/// <summary>
/// Reads kernel code for the disassembler: from the dump first (what the CPU ran, with the
/// alternatives, jump labels and static calls the kernel patched at boot), and for a page the
/// dump lacks (makedumpfile excluded it, or it is not mapped) from the vmlinux's own sections at
/// the link-time address, when the target is a <see cref="KernelTarget"/> and the address is in
/// the kernel image (<see cref="KernelTarget.TryReadImageCode"/>: absolute addresses in such code
/// are link-time ones). Reads page by page, so one bad page does not hide its neighbours. Allocates
/// the result arrays; thread-safe when the target is.
/// </summary>
public static class CodeReader
{
    const int PageSize = 4096;

    /// <summary>
    /// Reads <paramref name="length"/> bytes at <paramref name="address"/>; <paramref name="readable"/>
    /// says, byte by byte, which were read (unreadable bytes are left 0).
    /// </summary>
    public static byte[] Read(IKernelTarget target, ulong address, int length, out bool[] readable)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var bytes = new byte[length];
        readable = new bool[length];
        var done = 0;
        while (done < length)
        {
            var at = address + (ulong)done;
            // Stop at the end of the address space instead of wrapping to 0.
            if (at < address) break;
            var inPage = (int)Math.Min((ulong)(length - done), PageSize - (at % PageSize));
            var span = bytes.AsSpan(done, inPage);
            if (TryReadOne(target, at, span))
                Array.Fill(readable, true, done, inPage);
            done += inPage;
        }
        return bytes;
    }

    static bool TryReadOne(IKernelTarget target, ulong address, Span<byte> buffer)
    {
        try
        {
            target.ReadVirtual(address, buffer);
            return true;
        }
        catch (KdumpDebugException)
        {
            // Kernel text is rarely excluded, but a dump taken with a filter that drops it, or a
            // page of init text freed after boot, still disassembles from the file.
            return target is KernelTarget kernel && kernel.TryReadImageCode(address, buffer);
        }
    }
}
