namespace KdumpDebug.Core.Errors;

/// <summary>Which address space a faulting read was in.</summary>
public enum AddressSpaceKind { Physical, Virtual }

/// <summary>
/// A read of an address the dump cannot answer: a physical address outside every dumped range, or a
/// virtual address whose page tables do not map it. (Excluded pages are
/// <see cref="PageExcludedException"/> instead.) The message follows crash's wording:
/// <c>invalid kernel virtual address: ADDR</c> / <c>physical address not in dump: ADDR</c>.
/// </summary>
public sealed class FaultException : KdumpDebugException
{
    public ulong Address { get; }
    public AddressSpaceKind Space { get; }

    public FaultException(ulong address, AddressSpaceKind space, string? reason = null)
        : base(Format(address, space, reason))
    {
        Address = address;
        Space = space;
    }

    static string Format(ulong address, AddressSpaceKind space, string? reason)
    {
        var head = space == AddressSpaceKind.Virtual
            ? $"invalid kernel virtual address: {address:x}"
            : $"physical address not in dump: {address:x}";
        return reason is null ? head : $"{head} ({reason})";
    }
}
