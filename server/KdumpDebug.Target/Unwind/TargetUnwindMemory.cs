using System.Buffers.Binary;
using KdumpDebug.Core.Errors;

namespace KdumpDebug.Target.Unwind;

/// <summary>
/// <see cref="IUnwindMemory"/> over a target's kernel virtual memory (<see cref="IKernelTarget.ReadVirtual"/>),
/// turning its <see cref="KdumpDebugException"/>s (FaultException, PageExcludedException) into reasons.
/// Keeps the last 4 KiB page read, since consecutive reads of an unwind mostly hit the same stack
/// page. Not thread-safe (one per walk or per thread).
/// </summary>
public sealed class TargetUnwindMemory : IUnwindMemory
{
    const ulong PageSize = 4096;
    readonly IKernelTarget _target;
    readonly byte[] _page = new byte[PageSize];
    ulong _pageAddress = ulong.MaxValue;

    public TargetUnwindMemory(IKernelTarget target) => _target = target ?? throw new ArgumentNullException(nameof(target));

    public bool TryReadUInt64(ulong address, out ulong value, out string? error)
    {
        var page = address & ~(PageSize - 1);
        var offset = (int)(address - page);
        if (offset <= (int)PageSize - 8)
        {
            if (page == _pageAddress || TryLoadPage(page))
            {
                value = BinaryPrimitives.ReadUInt64LittleEndian(_page.AsSpan(offset));
                error = null;
                return true;
            }
        }
        // A value across a page boundary, or a page that cannot be read whole: read just the 8
        // bytes, so that an error names the address that was wanted.
        try
        {
            Span<byte> b = stackalloc byte[8];
            _target.ReadVirtual(address, b);
            value = BinaryPrimitives.ReadUInt64LittleEndian(b);
            error = null;
            return true;
        }
        catch (KdumpDebugException e)
        {
            value = 0;
            error = e.Message;
            return false;
        }
    }

    bool TryLoadPage(ulong page)
    {
        _pageAddress = ulong.MaxValue;
        try
        {
            _target.ReadVirtual(page, _page);
        }
        catch (KdumpDebugException)
        {
            return false;
        }
        _pageAddress = page;
        return true;
    }
}
