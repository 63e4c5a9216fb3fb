namespace KdumpDebug.Core.Errors;

/// <summary>
/// A read hit a page that makedumpfile left out of the dump (its dump level filtered it: zero,
/// cache, user or free page). Never read as zeros. The dump layer knows only the PFN; the target
/// layer adds the virtual address it was translating with <see cref="WithVirtualAddress"/>.
/// </summary>
public sealed class PageExcludedException : KdumpDebugException
{
    public ulong Pfn { get; }
    public int? DumpLevel { get; }
    public ulong? VirtualAddress { get; }

    public PageExcludedException(ulong pfn, int? dumpLevel, ulong? virtualAddress = null)
        : base(Format(pfn, dumpLevel, virtualAddress))
    {
        Pfn = pfn;
        DumpLevel = dumpLevel;
        VirtualAddress = virtualAddress;
    }

    public PageExcludedException WithVirtualAddress(ulong virtualAddress) => new(Pfn, DumpLevel, virtualAddress);

    static string Format(ulong pfn, int? dumpLevel, ulong? va)
    {
        var where = va is ulong v ? $"virtual address {v:x}, " : "";
        var level = dumpLevel is int d ? $" (dump level {d})" : "";
        return $"page excluded: {where}PFN {pfn:x}{level}";
    }
}
