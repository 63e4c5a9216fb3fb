using System.Globalization;
using KdumpDebug.Commands.Output;
using KdumpDebug.Commands.Parsing;
using KdumpDebug.Core.Errors;
using KdumpDebug.Kernel;
using KdumpDebug.Kernel.Memory;
using KdumpDebug.Target;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>kmem</c>: <c>-i</c> (memory.c dump_kmeminfo: the PAGES / TOTAL / PERCENTAGE summary
/// of RAM, page cache, slab, huge pages, swap and overcommit; numbers from <see cref="MemoryInfo"/>),
/// <c>-p</c> (dump_mem_map: one <see cref="PageLine"/> per <c>struct page</c>, for the frames of
/// the given physical addresses, or every frame below <c>max_pfn</c>), <c>-s</c>/<c>-S</c>
/// (dump_kmem_cache_slub: the SLUB caches, see <see cref="SlubWriter"/>) and, with addresses and no
/// option, kmem_search: what each address is.
/// </summary>
public sealed class KmemCommand : ICommand
{
    public CommandHelp Help { get; } = new(
        Name: "kmem",
        Aliases: [],
        Summary: "kernel memory",
        Synopsis: "kmem -i | -p [address ...] | -s|-S [name|cache|address ...] | address ...",
        Description: """
            -i  display general memory usage information: total, free, used, shared,
                buffer, page-cache and slab pages, huge pages, swap, and the commit
                limit with the committed address space.
            -p  display each page structure: its address, the physical address of its
                page, its mapping, index, reference count and flags. With addresses, only
                the pages holding those physical addresses.
            -s  display each slab cache (SLUB): its kmem_cache address, object size,
                allocated and total objects, slabs and slab size, and its name. With a
                name or a kmem_cache address, only that cache; with another address, the
                cache, slab and object holding it ("list": the cache names).
            -S  as -s, and for each cache every CPU's kmem_cache_cpu, slab and partial
                slabs, and every node's partial (and, with SLAB_STORE_USER, full) slabs:
                each slab's SLAB, MEMORY, NODE, TOTAL, ALLOCATED and FREE, and for CPU
                slabs every object, free or [allocated], "(cpu N cache)" when on that
                CPU's freelist.
            address  a kernel virtual address, a struct page address, or a physical
                address: display the symbol it is in, the task whose stack or
                task_struct holds it, its vmalloc area, the slab cache, slab and object
                holding it, the free block (zone, free list, head page) holding it, and
                the page structure of its frame.
            """,
        Examples: """
              crash> kmem -i
                               PAGES        TOTAL      PERCENTAGE
                  TOTAL MEM    52537     205.2 MB         ----
                       FREE    47237     184.5 MB   89% of TOTAL MEM
                       USED     5300      20.7 MB   10% of TOTAL MEM

            The task_struct cache, and what the panic task's address is:

              crash> kmem -s task_struct
              CACHE             OBJSIZE  ALLOCATED     TOTAL  SLABS  SSIZE  NAME
              ffffa0f7c0161400     5128         49        54      9    32k  task_struct
              crash> kmem ffffa0f7c0a9a880
              CACHE             OBJSIZE  ALLOCATED     TOTAL  SLABS  SSIZE  NAME
              ffffa0f7c0161400     5128         49        54      9    32k  task_struct
                SLAB              MEMORY            NODE  TOTAL  ALLOCATED  FREE
                ffffd46e0002a600  ffffa0f7c0a98000     0      6          4     2
                FREE / [ALLOCATED]
                [ffffa0f7c0a9a880]

                  PID: 68
              COMMAND: "sh"
                 TASK: ffffa0f7c0a9a880  [THREAD_INFO: ffffa0f7c0a9a880]
                  CPU: 0
                STATE: TASK_RUNNING (PANIC)

                    PAGE       PHYSICAL      MAPPING       INDEX CNT FLAGS
              ffffd46e0002a680   a9a000 dead000000000400        0  0 0
            """);

    public void Execute(CommandContext context)
    {
        var parsed = GetOpt.Parse(context.Arguments, "ipsS");
        var flags = parsed.Options.Select(o => o.Name).Distinct().ToList();
        if (flags.Count > 1) throw new CommandException("only one flag allowed!", showUsage: true);
        switch (flags.Count == 0 ? ' ' : flags[0])
        {
            case 'i' when parsed.Operands.Count == 0:
                WriteInfo(context);
                break;
            case 'p':
                WritePages(context, parsed.Operands, physical: true);
                break;
            case 's':
                WriteSlabCaches(context, parsed.Operands, verbose: false);
                break;
            case 'S':
                WriteSlabCaches(context, parsed.Operands, verbose: true);
                break;
            case ' ' when parsed.Operands.Count > 0:
                Search(context, parsed.Operands);
                break;
            default:
                throw new CommandException("supported: kmem -i, kmem -p [address ...], kmem -s|-S [name|address ...], kmem address ...", showUsage: true);
        }
    }

    /// <summary>
    /// <c>kmem -s</c> / <c>-S</c> (memory.c cmd_kmem + dump_kmem_cache_slub): every cache on
    /// <c>slab_caches</c>, one named cache (a name or a kmem_cache address), or for other addresses
    /// the slab object holding each; <paramref name="verbose"/> (-S) adds each cache's per-CPU and
    /// per-node slabs with their objects.
    /// </summary>
    static void WriteSlabCaches(CommandContext context, IReadOnlyList<string> operands, bool verbose)
    {
        var target = context.Kernel().Target;
        var writer = new SlubWriter(target, context.Out);
        var slub = writer.Allocator;
        var o = context.Out;
        foreach (var problem in slub.Problems) o.Write($"kmem: {problem}\n");
        string? name = null;
        var escaped = false;
        ulong? namedCache = null;
        var addresses = new List<ulong>();
        foreach (var operand in operands)
        {
            if (CrashNumber.IsHex(operand) && CrashNumber.TryParseHex(operand, out var value))
            {
                // A physical address is looked up through the direct map, as crash does (PTOV).
                if (value < KernelSpaceStart && PageMap.MaxPhysical(target) is ulong max && value < max)
                    value += PageMap.For(target).DirectMapBase;
                if (slub.CacheAddresses.Contains(value))
                {
                    if (name is not null || namedCache is not null) throw new CommandException("only one kmem_cache reference is allowed");
                    namedCache = value;
                }
                else addresses.Add(value);
                continue;
            }
            if (name is not null || namedCache is not null) throw new CommandException("only one kmem_cache reference is allowed");
            // A leading backslash names a cache literally called "list" (crash's escape), not the list of caches.
            escaped = operand.StartsWith('\\');
            name = escaped ? operand[1..] : operand;
        }
        if (addresses.Count > 0 && (name is not null || namedCache is not null))
            o.Write("kmem: ignoring pre-selected cache for addresses\n");
        var calls = 0;
        foreach (var address in addresses)
        {
            if (calls++ > 0) o.Write("\n");
            WriteAddressInSlab(writer, address, verbose, allowPage: true);
        }
        if (addresses.Count > 0) return;
        if (name == "list" && !escaped)
        {
            foreach (var cache in slub.CacheAddresses) o.Write($"{cache:x} {ReadCache(slub, cache)?.Name ?? "(unknown)"}\n");
            return;
        }
        if (name is null && namedCache is null) o.Write(SlubWriter.CacheHeader);
        var found = false;
        for (var i = 0; i < slub.CacheAddresses.Count; i++)
        {
            var address = slub.CacheAddresses[i];
            var cache = ReadCache(slub, address);
            if (cache is null)
            {
                o.Write($"kmem: kmem_cache {address:x}: cannot be read\n");
                continue;
            }
            if (namedCache is ulong wanted ? address != wanted : name is not null && cache.Name != name) continue;
            found = true;
            if (name is not null || namedCache is not null) o.Write(SlubWriter.CacheHeader);
            var counted = writer.WriteCacheLine(cache);
            if (verbose && counted)
            {
                writer.WriteCacheDetail(cache);
                if (name is null && namedCache is null && i + 1 < slub.CacheAddresses.Count) o.Write(SlubWriter.CacheHeader);
            }
            if (name is not null || namedCache is not null) break;
        }
        // crash 8.0.2 prints nothing for an unknown name; one line says why here.
        if (!found && name is not null) o.Write($"kmem: {name}: no slab cache of that name\n");
    }

    static SlubCache? ReadCache(SlubAllocator slub, ulong address)
    {
        try
        {
            return slub.ReadCache(address);
        }
        catch (KdumpDebugException)
        {
            return null;
        }
    }

    /// <summary>
    /// dump_kmem_cache_slub with an address: the cache header and line, then the slab holding
    /// <paramref name="address"/> with that object (or, for a slab's struct page, or with
    /// <paramref name="verbose"/>, all its objects). False when the address is in no slab.
    /// </summary>
    static bool WriteAddressInSlab(SlubWriter writer, ulong address, bool verbose, bool allowPage)
    {
        var slub = writer.Allocator;
        ulong slab, cacheAddress;
        bool all;
        if (allowPage && slub.TryFindSlabPage(address, out cacheAddress) && slub.CacheAddresses.Contains(cacheAddress))
        {
            slab = address;
            all = true;
        }
        else if (slub.TryFindSlab(address, out slab, out cacheAddress) && slub.CacheAddresses.Contains(cacheAddress)) all = verbose;
        else
        {
            if (allowPage) writer.Write($"kmem: address is not allocated in slab subsystem: {address:x}\n");
            return false;
        }
        var cache = ReadCache(slub, cacheAddress);
        if (cache is null)
        {
            writer.Write($"kmem: kmem_cache {cacheAddress:x}: cannot be read\n");
            return false;
        }
        writer.Write(SlubWriter.CacheHeader);
        if (!writer.WriteCacheLine(cache)) return true;
        writer.WriteSlab(cache, slab, verbose: true, address, all);
        return true;
    }

    /// <summary>
    /// <c>kmem ADDRESS</c> (memory.c kmem_search): everything crash knows of each address, most
    /// specific first: the symbol it is in (kernel image and modules), the task whose stack and the
    /// vmalloc area it is in (vmalloc space), the slab object holding it, the free buddy block
    /// holding its frame (<see cref="FreePageSearch"/>), the task whose
    /// task_struct or stack holds it, and last the struct page of its frame. A hexadecimal number
    /// below the kernel's address space is a physical address (its direct-map address is searched).
    /// </summary>
    static void Search(CommandContext context, IReadOnlyList<string> operands)
    {
        var kernel = context.Kernel();
        var target = kernel.Target;
        var o = context.Out;
        var map = PageMap.For(target);
        var maxPhysical = PageMap.MaxPhysical(target);
        var width = PageLine.PhysicalWidth(maxPhysical is ulong m and > 0 ? m - 1 : 0);
        var calls = 0;
        foreach (var operand in operands)
        {
            if (!CrashNumber.TryParseHex(operand, out var value))
            {
                o.Write($"kmem: invalid address: {operand}\n");
                continue;
            }
            if (calls++ > 0) o.Write("\n");
            SearchOne(context, kernel, map, maxPhysical, width, value);
        }
    }

    // x86-64 layout (Documentation/x86/x86_64/mm.rst): the kernel half of the address space, the
    // kernel image mapping and the module area (MODULES_VADDR..MODULES_END).
    const ulong KernelSpaceStart = 0xff00_0000_0000_0000UL;
    const ulong KernelImageStart = 0xffff_ffff_8000_0000UL;
    const ulong ModulesStart = 0xffff_ffff_c000_0000UL;
    const ulong ModulesEnd = 0xffff_ffff_ff00_0000UL;

    static void SearchOne(CommandContext context, LinuxKernel kernel, PageMap map, ulong? maxPhysical, int width, ulong value)
    {
        var target = kernel.Target;
        var o = context.Out;
        var isVirtual = value >= KernelSpaceStart;
        var directEnd = map.DirectMapBase + (maxPhysical ?? 0);
        ulong? vaddr = isVirtual ? value : maxPhysical is ulong max && value < max ? map.DirectMapBase + value : null;
        ulong? physical = isVirtual ? null : value;

        // The symbol (kernel image [_stext, _end] and modules).
        if (vaddr is ulong v && (InImage(target, v) || (v >= ModulesStart && v < ModulesEnd)) && target.TryFindSymbol(v, out var symbol, out var offset))
        {
            SymCommand.WriteLine(context, symbol, offset);
            o.Write("\n");
        }

        var writer = new Lazy<SlubWriter?>(() =>
        {
            try
            {
                return new SlubWriter(target, o);
            }
            catch (KdumpDebugException)
            {
                return null;
            }
        });
        var inDirectMap = isVirtual && value >= map.DirectMapBase && value < directEnd;
        var inImage = isVirtual && value >= KernelImageStart && value < ModulesStart;
        if (isVirtual && !inDirectMap && !inImage && !map.TryPhysicalOf(value, out _))
        {
            // vmalloc space: a task's stack, then the vmap_area, then the page of its frame.
            if (TaskOfAddress.StackHolding(kernel, value) is { } stackOwner) WriteTask(context, kernel, stackOwner);
            if (target.TryTranslate(value, out var mapped))
            {
                var problems = new List<string>();
                var area = VmapAreas.Find(target, value, problems);
                foreach (var problem in problems) o.Write($"kmem: {problem}\n");
                if (area is not null)
                {
                    o.Write($"{CrashColumns.MkString("VMAP_AREA", CrashColumns.VaddrWidth, Justify.Center | Justify.Left)}  "
                        + $"{CrashColumns.MkString("VM_STRUCT", CrashColumns.VaddrWidth, Justify.Center | Justify.Left)}  "
                        + $"{CrashColumns.MkString("ADDRESS RANGE", CrashColumns.VaddrWidth * 2 + 3, Justify.Center | Justify.Left)}     SIZE\n");
                    o.Write($"{area.Address:x}  {area.VmStruct:x}  {area.Start,16:x} - {area.End,-16:x}  {area.Size,7}\n\n");
                    WritePageOf(o, map, width, mapped);
                    return;
                }
            }
        }

        // The slab object, or the slab of a struct page.
        if (vaddr is ulong sv && writer.Value is { } w)
        {
            if (WriteAddressInSlab(w, sv, verbose: false, allowPage: false)) o.Write("\n");
            if (w.Allocator.TryFindSlabPage(sv, out var pageCache) && w.Allocator.CacheAddresses.Contains(pageCache)
                && WriteAddressInSlab(w, sv, verbose: true, allowPage: true))
                o.Write("\n");
        }

        // The free buddy block holding the address's frame (crash 8.0.2 translates a struct page
        // address too, so it looks for the frame holding that struct page, not the one it describes).
        ulong? searchFrame = isVirtual ? target.TryTranslate(value, out var t) ? t : null : value;
        if (searchFrame is ulong sf)
        {
            var problems = new List<string>();
            var block = FreePageSearch.Find(target, sf, problems);
            foreach (var problem in problems) o.Write($"kmem: {problem}\n");
            if (block is not null) WriteFreeBlock(o, block, value, isVirtual, sf, MemoryNodes.For(target).Nodes.Count > 1);
        }

        // The task whose task_struct, else whose stack, holds the address.
        if (vaddr is ulong tv && (TaskOfAddress.TaskStructHolding(kernel, tv) ?? TaskOfAddress.StackHolding(kernel, tv)) is { } task)
            WriteTask(context, kernel, task);

        // The struct page: the address itself when it is one, else the page of its frame.
        if (isVirtual && map.TryPhysicalOf(value, out var pageFrame) && (maxPhysical is not ulong limit || pageFrame < limit))
            WritePageOf(o, map, width, pageFrame);
        else if (physical is ulong p) WritePageOf(o, map, width, p);
        else if (target.TryTranslate(value, out var frame)) WritePageOf(o, map, width, frame);
        else o.Write($"{value:x}: kernel virtual address not found in mem map\n");
    }

    /// <summary>
    /// dump_free_pages_zones_v2's search result: the zone, the free list and the block's head
    /// page, "(ADDR is Nth of M pages)" for a block of more than one page; then a blank line.
    /// </summary>
    static void WriteFreeBlock(TextWriter o, FreeBlock block, ulong value, bool isVirtual, ulong frame, bool multiNode)
    {
        var zone = block.Zone;
        if (multiNode) o.Write($"NODE\n {zone.Node,2}\n");
        o.Write($"ZONE  NAME        SIZE    FREE  {CrashColumns.MkString("MEM_MAP", CrashColumns.VaddrWidth, Justify.Center | Justify.Left)}  START_PADDR  START_MAPNR\n");
        o.Write($"{zone.Index,3}   {zone.Name,-9} {zone.SpannedPages,6}  {zone.FreePages,6}  "
            + $"{CrashColumns.MkString(zone.MemMap.ToString("x"), CrashColumns.VaddrWidth, Justify.Center)}  "
            + $"{CrashColumns.MkString(zone.StartPhysical.ToString("x"), 11, Justify.Center | Justify.Right)}  "
            + $"{CrashColumns.MkString(zone.StartMapNr.ToString(CultureInfo.InvariantCulture), 11, Justify.Center | Justify.Right)}\n");
        o.Write("AREA    SIZE  FREE_AREA_STRUCT\n");
        o.Write($"{block.Order,3}  {(4UL << block.Order) + "k",7}  {CrashColumns.MkString(block.FreeList.ToString("x"), CrashColumns.VaddrWidth, Justify.Center)}  \n");
        o.Write($"{block.Page:x}  ");
        if (block.Order > 0)
        {
            var nth = (frame - block.Physical) / 4096 + 1;
            var what = isVirtual ? $"{value:x} is " : $"{value:x} is {((value & 0xfff) != 0 ? "in " : "")}";
            o.Write($"({what}{Ordinal(nth)} of {block.Pages} pages)");
        }
        o.Write("\n\n");
    }

    /// <summary>crash's ordinal(): the number with st, nd, rd or th after its last digit.</summary>
    static string Ordinal(ulong n) => n + ((n % 10) switch { 1 => "st", 2 => "nd", 3 => "rd", _ => "th" });

    static bool InImage(KernelTarget target, ulong address) =>
        KernelMemory.SymbolAddress(target, "_stext") is ulong start && KernelMemory.SymbolAddress(target, "_end") is ulong end
        && address >= start && address <= end;

    /// <summary>crash's show_context block for a task, then a blank line.</summary>
    static void WriteTask(CommandContext context, LinuxKernel kernel, KernelTask task)
    {
        KernelContext.WriteContext(context.Out, task, task.Address == kernel.Panic?.TaskAddress, 7);
        context.Out.Write("\n");
    }

    static void WritePageOf(TextWriter o, PageMap map, int width, ulong physical)
    {
        o.Write(PageLine.Header(width) + "\n");
        try
        {
            o.Write(PageLine.Format(map.Read(physical), PageFlagNames.For(map.Target), width) + "\n");
        }
        catch (KdumpDebugException e)
        {
            o.Write($"kmem: page {map.PageAddress(physical):x}: {e.Message}\n");
        }
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
        var maxPhysical = PageMap.MaxPhysical(target);
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
