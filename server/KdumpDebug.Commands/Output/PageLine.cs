using KdumpDebug.Kernel.Memory;

namespace KdumpDebug.Commands.Output;

/// <summary>
/// crash's one-line view of a <c>struct page</c> (memory.c dump_mem_map), shared by <c>kmem -p</c>
/// and <c>vtop</c>: PAGE (the struct page), PHYSICAL, MAPPING, INDEX, CNT (_refcount) and FLAGS
/// (the whole <c>page-&gt;flags</c> in hex, then the names of the page-flag bits set).
/// </summary>
public static class PageLine
{
    /// <summary>
    /// The PHYSICAL column's width: crash's MAX(PADDR_PRLEN, strlen("PHYSICAL")), PADDR_PRLEN being
    /// the hex digits of the highest physical address (<c>max_pfn</c> pages).
    /// </summary>
    public static int PhysicalWidth(ulong maxPhysical) => Math.Max(8, maxPhysical.ToString("x").Length);

    /// <summary>"      PAGE       PHYSICAL      MAPPING       INDEX CNT FLAGS".</summary>
    public static string Header(int physicalWidth) =>
        $"{CrashColumns.MkString("PAGE", CrashColumns.VaddrWidth, Justify.Center)} "
        + $"{CrashColumns.MkString("PHYSICAL", physicalWidth, Justify.Right)} "
        + $"{CrashColumns.MkString("MAPPING", CrashColumns.VaddrWidth, Justify.Center | Justify.Right)} "
        + $"{CrashColumns.MkString("INDEX", 8, Justify.Center | Justify.Right)}CNT FLAGS";

    /// <summary>One page: "ffffd46e00171340  5c4d000                0        0  1 1000 reserved".</summary>
    public static string Format(PageDescriptor page, PageFlagNames names, int physicalWidth)
    {
        var flagNames = names.Describe(page.Flags);
        return $"{CrashColumns.MkString(page.Address.ToString("x"), CrashColumns.VaddrWidth, Justify.Left)} "
            + $"{CrashColumns.MkString(page.Physical.ToString("x"), physicalWidth, Justify.Right)} "
            + $"{CrashColumns.MkString(page.Mapping.ToString("x"), CrashColumns.VaddrWidth, Justify.Right)} "
            + $"{page.Index,8:x} {page.RefCount,2} {page.Flags:x}{(flagNames.Length > 0 ? " " + flagNames : "")}";
    }
}
