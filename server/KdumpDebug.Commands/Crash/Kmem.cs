using System.Globalization;
using KdumpDebug.Commands.Output;
using KdumpDebug.Commands.Parsing;
using KdumpDebug.Core.Errors;
using KdumpDebug.Kernel;
using KdumpDebug.Kernel.Memory;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>kmem</c>: <c>-i</c> (memory.c dump_kmeminfo: the PAGES / TOTAL / PERCENTAGE summary
/// of RAM, page cache, slab, huge pages, swap and overcommit; numbers from <see cref="MemoryInfo"/>)
/// and <c>-p</c> (dump_mem_map: one <see cref="PageLine"/> per <c>struct page</c>, for the frames of
/// the given physical addresses, or every frame below <c>max_pfn</c>). A <c>struct page</c> address
/// without an option shows that page's line, as crash's <c>kmem ADDRESS</c> does for one.
/// </summary>
public sealed class KmemCommand : ICommand
{
    public CommandHelp Help { get; } = new(
        Name: "kmem",
        Aliases: [],
        Summary: "kernel memory",
        Synopsis: "kmem -i | -p [address ...] | page-address",
        Description: """
            -i  display general memory usage information: total, free, used, shared,
                buffer, page-cache and slab pages, huge pages, swap, and the commit
                limit with the committed address space.
            -p  display each page structure: its address, the physical address of its
                page, its mapping, index, reference count and flags. With addresses, only
                the pages holding those physical addresses.
            page-address  a struct page address: display that page structure.
            """,
        Examples: """
              crash> kmem -i
                               PAGES        TOTAL      PERCENTAGE
                  TOTAL MEM    52537     205.2 MB         ----
                       FREE    47237     184.5 MB   89% of TOTAL MEM
                       USED     5300      20.7 MB   10% of TOTAL MEM
            """);

    public void Execute(CommandContext context)
    {
        var parsed = GetOpt.Parse(context.Arguments, "ip");
        var info = parsed.Options.Any(o => o.Name == 'i');
        var pages = parsed.Options.Any(o => o.Name == 'p');
        if (info && !pages && parsed.Operands.Count == 0) WriteInfo(context);
        else if (pages && !info) WritePages(context, parsed.Operands, physical: true);
        else if (!info && !pages && parsed.Operands.Count > 0) WritePages(context, parsed.Operands, physical: false);
        else throw new CommandException("supported: kmem -i, kmem -p [address ...], kmem page-address", showUsage: true);
    }

    /// <summary>
    /// <c>kmem -p</c>: the header once, then a line per page. <paramref name="physical"/>: the
    /// operands are physical addresses; else struct page addresses. No operand: every frame.
    /// </summary>
    static void WritePages(CommandContext context, IReadOnlyList<string> operands, bool physical)
    {
        var target = context.Kernel().Target;
        var map = PageMap.For(target);
        var names = PageFlagNames.For(target);
        var maxPhysical = VtopCommand.MaxPhysical(target);
        var width = PageLine.PhysicalWidth(maxPhysical is ulong m and > 0 ? m - 1 : 0);
        var o = context.Out;
        var headerWritten = false;
        void Line(ulong frame)
        {
            if (!headerWritten) o.Write(PageLine.Header(width) + "\n");
            headerWritten = true;
            try
            {
                o.Write(PageLine.Format(map.Read(frame), names, width) + "\n");
            }
            catch (KdumpDebugException e)
            {
                // crash prints nothing for a frame without a struct page; say why instead.
                o.Write($"kmem: {frame:x}: no page structure (its struct page at {map.PageAddress(frame):x} cannot be read: {e.Message})\n");
            }
        }
        if (operands.Count == 0)
        {
            // crash walks every present memory section whole, so the last one's pages past
            // max_pfn are listed too. SECTION_SIZE_BITS is in VMCOREINFO (27 on x86-64); a section
            // whose struct pages are not mapped is a hole and is skipped, as crash skips invalid ones.
            var end = maxPhysical ?? throw new CommandException("cannot read max_pfn: give physical addresses");
            var sectionBits = target.VmcoreInfo.TryGetNumber("SECTION_SIZE_BITS", out var bits) && bits is > 12 and < 48 ? (int)bits : 27;
            var sectionSize = 1UL << sectionBits;
            for (ulong section = 0; section < end; section += sectionSize)
            {
                try
                {
                    map.Read(section);
                }
                catch (KdumpDebugException)
                {
                    continue;
                }
                for (var frame = section; frame < section + sectionSize; frame += 4096) Line(frame);
            }
            return;
        }
        foreach (var operand in operands)
        {
            if (!CrashNumber.TryParseHex(operand, out var value))
            {
                o.Write($"kmem: invalid address: {operand}\n");
                continue;
            }
            if (physical)
            {
                // Above MAX_PHYSMEM_BITS (52) no frame has a struct page; below, a page past max_pfn in a
                // present section still has one (crash shows it), and an absent one gives a kmem: line.
                if (value >= 1UL << 52) o.Write($"kmem: {value:x}: not a physical address\n");
                else Line(value);
            }
            else if (map.TryPhysicalOf(value, out var frame) && (maxPhysical is not ulong max || frame < max)) Line(frame);
            else o.Write($"kmem: {value:x}: not a page structure address (only kmem -i, -p and page addresses are supported)\n");
        }
    }

    static void WriteInfo(CommandContext context)
    {
        var info = MemoryInfo.Read(context.Kernel().Target);
        var o = context.Out;
        var total = info.TotalRam ?? 0;
        var free = info.Free ?? 0;
        o.Write("                 PAGES        TOTAL      PERCENTAGE\n");
        o.Write(Total("TOTAL MEM", info.TotalRam, info.PageSize));
        o.Write(Part("FREE", info.Free, total, "TOTAL MEM", info.PageSize));
        o.Write(Part("USED", info.TotalRam is null || info.Free is null ? null : total - Math.Min(total, free), total, "TOTAL MEM", info.PageSize));
        o.Write(Part("SHARED", info.Shared, total, "TOTAL MEM", info.PageSize));
        o.Write(Part("BUFFERS", info.Buffers, total, "TOTAL MEM", info.PageSize));
        o.Write(Part("CACHED", info.Cached, total, "TOTAL MEM", info.PageSize));
        o.Write(Part("SLAB", info.Slab, total, "TOTAL MEM", info.PageSize));
        o.Write("\n");
        o.Write(Total("TOTAL HUGE", info.HugeTotal, info.PageSize));
        o.Write(Part("HUGE FREE", info.HugeFree, info.HugeTotal ?? 0, "TOTAL HUGE", info.PageSize));
        o.Write("\n");
        var swapTotal = info.SwapTotal ?? 0;
        o.Write(Total("TOTAL SWAP", info.SwapTotal, info.PageSize));
        o.Write(Part("SWAP USED", info.SwapTotal is null || info.SwapFree is null ? null : swapTotal - Math.Min(swapTotal, info.SwapFree.Value), swapTotal, "TOTAL SWAP", info.PageSize));
        o.Write(Part("SWAP FREE", info.SwapFree, swapTotal, "TOTAL SWAP", info.PageSize));
        o.Write("\n");
        o.Write(Total("COMMIT LIMIT", info.CommitLimit, info.PageSize));
        o.Write(Part("COMMITTED", info.Committed, info.CommitLimit ?? 0, "TOTAL LIMIT", info.PageSize));
        foreach (var p in info.Problems) o.Write($"kmem: {p}\n");
    }

    /// <summary><c>"%13s  %7ld  %11s         ----"</c>.</summary>
    static string Total(string label, ulong? pages, ulong pageSize) =>
        pages is { } p ? $"{label,13}  {p,7}  {PagesToSize(p, pageSize),11}         ----\n" : $"{label,13}  {"?",7}  {"?",11}         ----\n";

    /// <summary><c>"%13s  %7ld  %11s  %3ld%% of WHAT"</c>, the percentage truncated as crash's integer division does.</summary>
    static string Part(string label, ulong? pages, ulong of, string what, ulong pageSize)
    {
        if (pages is not { } p) return $"{label,13}  {"?",7}  {"?",11}    ? of {what}\n";
        var pct = of == 0 ? 0 : p * 100 / of;
        return $"{label,13}  {p,7}  {PagesToSize(p, pageSize),11}  {pct,3}% of {what}\n";
    }

    /// <summary>
    /// crash's pages_to_size: "0", else "%.1f GB" / "%.1f MB" / "%ld KB" by magnitude, with a
    /// trailing ".0" dropped ("31 MB").
    /// </summary>
    public static string PagesToSize(ulong pages, ulong pageSize)
    {
        if (pages == 0) return "0";
        var total = (double)pages * pageSize;
        string text;
        if (total >= 1UL << 30) text = (total / (1UL << 30)).ToString("F1", CultureInfo.InvariantCulture) + " GB";
        else if (total >= 1UL << 20) text = (total / (1UL << 20)).ToString("F1", CultureInfo.InvariantCulture) + " MB";
        else text = ((ulong)(total / 1024)).ToString(CultureInfo.InvariantCulture) + " KB";
        return text.Replace(".0 ", " ", StringComparison.Ordinal);
    }
}
