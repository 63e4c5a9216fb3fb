using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Commands.Memory;

/// <summary>
/// A read that failed, with the address of the first byte that could not be read (the start of
/// the failing page piece, as crash's readmem reports it) and the target's error.
/// </summary>
sealed class MemoryReadFailure : Exception
{
    public MemoryReadFailure(ulong address, bool physical, KdumpDebugException cause) : base(cause.Message, cause)
    {
        Address = address;
        Physical = physical;
        Cause = cause;
    }

    public ulong Address { get; }
    public bool Physical { get; }
    public KdumpDebugException Cause { get; }

    /// <summary>
    /// crash's readmem() error text before <c>  type: "..."</c>: "invalid kernel virtual address: X"
    /// (no translation), "seek error: kernel virtual address: X" / "seek error: physical address: X"
    /// (translated, but not in the dump), and for a page makedumpfile filtered our
    /// PageExcludedException message (virtual address, PFN, dump level) instead of crash's terser one.
    /// </summary>
    public string Describe() => Cause switch
    {
        // The target names the page it was reading; name the byte rd wanted, as crash does.
        PageExcludedException { VirtualAddress: not null } excluded when !Physical => excluded.WithVirtualAddress(Address).Message,
        PageExcludedException excluded => excluded.Message,
        FaultException { Space: AddressSpaceKind.Virtual } when !Physical => $"invalid kernel virtual address: {Address:x}",
        FaultException when !Physical => $"seek error: kernel virtual address: {Address:x}",
        FaultException => $"seek error: physical address: {Address:x}",
        _ => $"read error: {(Physical ? "physical" : "kernel virtual")} address: {Address:x}: {Cause.Message}",
    };
}

/// <summary>
/// Reads target memory for the display commands one page at a time and keeps the last page, so
/// rd's item-by-item loop costs one target read per page. A failure is reported at the start of
/// the page piece that failed (a value straddling two pages fails at the second page if only that
/// one is missing). Allocates one page buffer; not thread-safe.
/// </summary>
sealed class PagedMemoryReader
{
    const int PageSize = 4096;

    readonly IKernelTarget _target;
    readonly bool _physical;
    readonly byte[] _page = new byte[PageSize];
    ulong _pageAddress;
    bool _pageValid;

    public PagedMemoryReader(IKernelTarget target, bool physical)
    {
        _target = target;
        _physical = physical;
    }

    /// <summary>Fills <paramref name="destination"/> from <paramref name="address"/>; throws <see cref="MemoryReadFailure"/>.</summary>
    public void Read(ulong address, Span<byte> destination)
    {
        var done = 0;
        while (done < destination.Length)
        {
            var at = address + (ulong)done;
            var page = at & ~(ulong)(PageSize - 1);
            if (!_pageValid || _pageAddress != page) Load(page, at);
            var inPage = (int)(at - page);
            var n = Math.Min(PageSize - inPage, destination.Length - done);
            _page.AsSpan(inPage, n).CopyTo(destination[done..]);
            done += n;
        }
    }

    void Load(ulong page, ulong wanted)
    {
        _pageValid = false;
        try
        {
            if (_physical) _target.ReadPhysical(page, _page);
            else _target.ReadVirtual(page, _page);
        }
        catch (KdumpDebugException e)
        {
            throw new MemoryReadFailure(wanted, _physical, e);
        }
        _pageAddress = page;
        _pageValid = true;
    }
}
