using System.Globalization;
using KdumpDebug.Commands.Parsing;
using KdumpDebug.Kernel;
using KdumpDebug.Kernel.Memory;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>kmem</c>; only <c>-i</c> (memory.c dump_kmeminfo: the PAGES / TOTAL / PERCENTAGE
/// summary of RAM, page cache, slab, huge pages, swap and overcommit) is supported so far.
/// Numbers come from <see cref="MemoryInfo"/>.
/// </summary>
public sealed class KmemCommand : ICommand
{
    public CommandHelp Help { get; } = new(
        Name: "kmem",
        Aliases: [],
        Summary: "kernel memory",
        Synopsis: "kmem -i",
        Description: """
            -i  display general memory usage information: total, free, used, shared,
                buffer, page-cache and slab pages, huge pages, swap, and the commit
                limit with the committed address space.
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
        var parsed = GetOpt.Parse(context.Arguments, "i");
        if (!parsed.Options.Any(o => o.Name == 'i') || parsed.Operands.Count > 0)
            throw new CommandException("only kmem -i is supported", showUsage: true);
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
