using System.Buffers.Binary;
using System.Text;
using KdumpDebug.Commands.Parsing;
using KdumpDebug.Core.Errors;
using KdumpDebug.Dump;
using KdumpDebug.Kernel;
using KdumpDebug.Kernel.Memory;
using KdumpDebug.Target;
using KdumpDebug.Target.Arch.X86_64;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>search</c> (memory.c cmd_search): every aligned 64-, 32- or 16-bit word, or every
/// occurrence of a string, equal to what is asked, in kernel virtual memory (every page the
/// kernel's page tables map: the direct map, vmalloc and module space, the kernel image), a task's
/// user memory (its page tables; crash 8.0.2 fails there on 6.1's maple tree) or physical memory.
/// Pages makedumpfile left out are skipped, as crash skips unreadable pages. Lines are
/// "ADDRESS: VALUE " in address order.
/// </summary>
public sealed class SearchCommand : ICommand
{
    // crash shows this many bytes from each string match, non-printing ones as '.'.
    const int StringWindow = 56;
    const int PageSize = 4096;
    // MODULES_VADDR..MODULES_END are the kernel image's 1 GiB and the module space above it (arch/x86/include/asm/pgtable_64_types.h).
    const ulong StartKernelMap = 0xffff_ffff_8000_0000UL;

    public CommandHelp Help { get; } = new(
        Name: "search",
        Aliases: [],
        Summary: "search memory",
        Synopsis: "search [-s start] [-e end | -l length] [-m mask] [-k|-K|-V|-u|-p] [-w|-h|-c] value ...",
        Description: """
            This command searches memory for values: by default 64-bit words (aligned) in
            kernel virtual memory, printing each address where one is found and the word.

              -s start  the start address (hexadecimal, or a symbol); default: the start of
                        the memory searched.
                -e end  the end address.
             -l length  the length in bytes to search from the start.
               -m mask  ignore the bits set in mask when comparing.
                    -k  kernel virtual memory (the default): every page the kernel maps.
                    -K  like -k, but not the vmalloc, module and vmemmap ranges.
                    -V  like -k, but not the direct map of physical memory.
                    -u  the user virtual memory of the current context.
                    -p  physical memory.
                    -w  search for 32-bit values.
                    -h  search for 16-bit values.
                    -c  the values are strings: show each match with the bytes after it.
            """,
        Examples: """
              crash> search ffffa0f7c0a9a880
              ffffa0f7c016bd28: ffffa0f7c0a9a880
              ffffa0f7c0a9ac50: ffffa0f7c0a9a880
              ...
              crash> search -c sysrq_handle_c
              ffffa0f7c67217c1: sysrq_handle_crash+0xc/0x10............ __handle_sysrq.c
            """);

    enum Space { Kernel, KernelNoVmalloc, KernelNoDirectMap, User, Physical }

    public void Execute(CommandContext context)
    {
        var parsed = GetOpt.Parse(context.Arguments, "s:e:l:m:kKVupwhcx:");
        if (parsed.Options.Any(o => o.Name == 'x')) throw new CommandException("-x is not supported");
        var spaces = parsed.Options.Where(o => o.Name is 'k' or 'K' or 'V' or 'u' or 'p').Select(o => o.Name).Distinct().ToList();
        if (spaces.Count > 1) throw new CommandException("only one of -k, -K, -V, -u and -p");
        var widths = parsed.Options.Where(o => o.Name is 'w' or 'h' or 'c').Select(o => o.Name).Distinct().ToList();
        if (widths.Count > 1) throw new CommandException("only one of -w, -h and -c");
        if (parsed.Operands.Count == 0) throw new CommandException("a value to search for is required", showUsage: true);
        var space = spaces.FirstOrDefault() switch
        {
            'K' => Space.KernelNoVmalloc,
            'V' => Space.KernelNoDirectMap,
            'u' => Space.User,
            'p' => Space.Physical,
            _ => Space.Kernel,
        };
        var strings = widths.FirstOrDefault() == 'c';
        var size = widths.FirstOrDefault() switch { 'w' => 4, 'h' => 2, _ => 8 };
        var kernel = context.Kernel();
        var target = kernel.Target;

        ulong Address(char option) =>
            SymbolArgument.TryResolveAddress(context, parsed.Options.Last(o => o.Name == option).Argument!, out var a)
                ? a : throw new CommandException($"invalid address: {parsed.Options.Last(o => o.Name == option).Argument}");
        var start = parsed.Options.Any(o => o.Name == 's') ? Address('s') : 0UL;
        var end = ulong.MaxValue;
        if (parsed.Options.Any(o => o.Name == 'e')) end = Address('e') - 1;
        if (parsed.Options.LastOrDefault(o => o.Name == 'l') is { Name: 'l' } length)
        {
            if (!CrashNumber.TryParseHex(length.Argument!, out var n) || n == 0) throw new CommandException($"invalid length: {length.Argument}");
            end = start + n - 1;
        }
        ulong mask = 0;
        if (parsed.Options.LastOrDefault(o => o.Name == 'm') is { Name: 'm' } m && !CrashNumber.TryParseHex(m.Argument!, out mask))
            throw new CommandException($"invalid mask: {m.Argument}");

        var patterns = new List<byte[]>();
        var values = new List<ulong>();
        foreach (var operand in parsed.Operands)
        {
            if (strings) patterns.Add(Encoding.UTF8.GetBytes(operand));
            else if (CrashNumber.TryParseHex(operand, out var v) || SymbolArgument.TryResolveAddress(context, operand, out v)) values.Add(v);
            else throw new CommandException($"invalid value: {operand}");
        }

        var searcher = new Searcher(target, context.Out, size, mask, values, patterns);
        foreach (var (va, physical, bytes) in Ranges(context, kernel, space, start, end))
            searcher.Scan(va, physical, bytes);
    }

    /// <summary>The mapped memory to search, in address order: (address printed, physical address, length).</summary>
    static IEnumerable<(ulong, ulong, ulong)> Ranges(CommandContext context, LinuxKernel kernel, Space space, ulong start, ulong end)
    {
        var target = kernel.Target;
        if (space == Space.Physical)
        {
            var max = PageMap.MaxPhysical(target) ?? throw new CommandException("cannot read max_pfn");
            if (end >= max) end = max - 1;
            if (start <= end) yield return (start, start, end - start + 1);
            yield break;
        }
        PageTableWalker walker;
        if (space == Space.User)
        {
            var task = context.CurrentTask();
            if (task.Mm == 0) throw new CommandException($"PID {task.Pid} ({task.Comm}) is a kernel thread: it has no user memory");
            var pgd = KernelMemory.ReadU64(target, task.Mm + KernelMemory.Offset(target, "mm_struct", "pgd"));
            if (!target.TryTranslate(pgd, out var root)) throw new CommandException($"the task's pgd {pgd:x} is not mapped");
            walker = new PageTableWalker(target.Dump.Memory, root, target.AddressSpace.PagingLevels);
            end = Math.Min(end, (1UL << (target.AddressSpace.PagingLevels >= 5 ? 56 : 47)) - 1);
        }
        else
        {
            walker = target.AddressSpace.Walker;
            start = Math.Max(start, KernelSymbolBounds.KernelSpaceStartFor(target.AddressSpace.PagingLevels));
        }
        var (directStart, directEnd) = DirectMap(target);
        foreach (var (va, physical, size) in walker.Mappings(start, end))
        {
            var inDirectMap = va >= directStart && va < directEnd;
            if (space == Space.KernelNoDirectMap && inDirectMap) continue;
            // -K keeps the direct map and the kernel image: what is not vmalloc, module or vmemmap memory.
            if (space == Space.KernelNoVmalloc && !inDirectMap && !(va >= StartKernelMap && va < StartKernelMap + target.AddressSpace.KernelImageSize)) continue;
            yield return (va, physical, size);
        }
    }

    /// <summary>The direct map of physical memory: <see cref="PageMap.DirectMapBase"/> up to max_pfn.</summary>
    static (ulong Start, ulong End) DirectMap(KernelTarget target)
    {
        var start = PageMap.For(target).DirectMapBase;
        return (start, start + (PageMap.MaxPhysical(target) ?? 0));
    }

    /// <summary>Scans ranges page by page, through the dump's physical memory.</summary>
    sealed class Searcher(KernelTarget target, TextWriter output, int size, ulong mask, List<ulong> values, List<byte[]> patterns)
    {
        readonly byte[] _page = new byte[PageSize];
        readonly IPhysicalMemory _memory = target.Dump.Memory;

        public void Scan(ulong va, ulong physical, ulong length)
        {
            var offset = 0UL;
            while (offset < length)
            {
                var pa = physical + offset;
                var inPage = (int)(pa & (PageSize - 1));
                var chunk = (int)Math.Min((ulong)(PageSize - inPage), length - offset);
                if (_memory.GetPageStatus(pa / PageSize) == PageStatus.Present)
                {
                    try
                    {
                        _memory.Read(pa - (ulong)inPage, _page);
                        if (patterns.Count > 0) ScanStrings(va + offset, pa, inPage, chunk);
                        else ScanValues(va + offset, inPage, chunk);
                    }
                    catch (KdumpDebugException)
                    {
                        // A page the dump cannot give: nothing to find there.
                    }
                }
                offset += (ulong)chunk;
            }
        }

        void ScanValues(ulong va, int from, int count)
        {
            var first = (from + size - 1) / size * size;
            for (var i = first; i + size <= from + count; i += size)
            {
                var word = size switch
                {
                    8 => BinaryPrimitives.ReadUInt64LittleEndian(_page.AsSpan(i)),
                    4 => BinaryPrimitives.ReadUInt32LittleEndian(_page.AsSpan(i)),
                    _ => BinaryPrimitives.ReadUInt16LittleEndian(_page.AsSpan(i)),
                };
                foreach (var v in values)
                {
                    if ((word & ~mask) != (v & ~mask)) continue;
                    output.Write($"{va + (ulong)(i - from):x}: {word:x} \n");
                    break;
                }
            }
        }

        void ScanStrings(ulong va, ulong pa, int from, int count)
        {
            foreach (var pattern in patterns)
            {
                for (var i = from; i < from + count; i++)
                {
                    if (_page[i] != pattern[0]) continue;
                    var match = pa - (ulong)from + (ulong)i;
                    var window = ReadPhysical(match, Math.Max(StringWindow, pattern.Length));
                    if (window.Length < pattern.Length || !window.AsSpan(0, pattern.Length).SequenceEqual(pattern)) continue;
                    var text = new StringBuilder();
                    foreach (var b in window.AsSpan(0, Math.Min(StringWindow, window.Length))) text.Append(b is >= 0x20 and < 0x7f ? (char)b : '.');
                    output.Write($"{va + (ulong)(i - from):x}: {text}\n");
                }
            }
        }

        /// <summary>
        /// Up to <paramref name="count"/> bytes from <paramref name="pa"/>, stopping at a page the dump
        /// does not have. Physically contiguous: right for the direct map and the kernel image; a
        /// match near the end of a vmalloc page shows the next physical page's bytes after it.
        /// </summary>
        byte[] ReadPhysical(ulong pa, int count)
        {
            // The rest of the page in hand, then the bytes that follow it in physical memory.
            var inPage = (int)(pa & (PageSize - 1));
            var here = Math.Min(count, PageSize - inPage);
            var result = new byte[count];
            _page.AsSpan(inPage, here).CopyTo(result);
            if (here == count) return result;
            var next = pa + (ulong)here;
            if (_memory.GetPageStatus(next / PageSize) != PageStatus.Present) return result[..here];
            try
            {
                _memory.Read(next, result.AsSpan(here));
            }
            catch (KdumpDebugException)
            {
                return result[..here];
            }
            return result;
        }
    }
}
