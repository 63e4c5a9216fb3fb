using KdumpDebug.Commands.Output;
using KdumpDebug.Commands.Parsing;
using KdumpDebug.Core.Errors;
using KdumpDebug.Kernel;
using KdumpDebug.Kernel.Memory;
using KdumpDebug.Kernel.Mm;
using KdumpDebug.Target;
using KdumpDebug.Target.Arch.X86_64;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>vtop</c> (memory.c do_vtop, x86_64.c x86_64_kvtop/x86_64_uvtop_level4 and
/// x86_64_translate_pte): an address's physical address, every page-table entry the walk reads,
/// the final entry's flags and the <c>struct page</c> of the frame. Kernel addresses walk
/// <c>init_top_pgt</c>; user addresses the context task's <c>mm-&gt;pgd</c>, and also show the VMA
/// holding them (read from the maple tree on v6.1+, where crash 8.0.2 fails with "invalid structure
/// member offset: mm_struct_mmap"). Unlike crash, a direct-map or vmalloc address is always walked,
/// so an address the page tables do not map is "(not mapped)", never a physical address computed
/// from the direct-map offset.
/// </summary>
public sealed class VtopCommand : ICommand
{
    const ulong Present = 1UL << 0, Rw = 1UL << 1, User = 1UL << 2, Pwt = 1UL << 3, Pcd = 1UL << 4, Accessed = 1UL << 5,
        Dirty = 1UL << 6, Pse = 1UL << 7, Global = 1UL << 8, ProtNone = Global, Nx = 1UL << 63;
    // PTE_PFN_MASK for 52 physical address bits: where a page or the next table is.
    const ulong PhysicalMask = 0x000f_ffff_ffff_f000UL;

    public CommandHelp Help { get; } = new(
        Name: "vtop",
        Aliases: [],
        Summary: "virtual to physical",
        Synopsis: "vtop [-c [pid | taskp]] [-u|-k] address ...",
        Description: """
            This command translates a user or kernel virtual address to its physical
            address, and shows every page-table entry the translation reads, the flags
            of the last one, and the page structure of the physical page. For a user
            address it also shows the VMA holding it, or if the page is not mapped, its
            swap location or file offset.

               -u  the address is a user virtual address.
               -k  the address is a kernel virtual address.
               -c  translate a user address in the context of this task or PID instead of
                   the current context.
              address  a hexadecimal virtual address.
            """,
        Examples: """
              crash> vtop ffffa0f7c0a9a880
              VIRTUAL           PHYSICAL
              ffffa0f7c0a9a880  a9a880

              PGD DIRECTORY: ffffffff8280a000
              PAGE DIRECTORY: 6800067
                 PUD: 6800ef8 => 6801067
                 PMD: 6801028 => 8000000000a001e3
                PAGE: a00000  (2MB)

                    PTE         PHYSICAL  FLAGS
              8000000000a001e3   a00000   (PRESENT|RW|ACCESSED|DIRTY|PSE|GLOBAL|NX)

                    PAGE       PHYSICAL      MAPPING       INDEX CNT FLAGS
              ffffd46e0002a680   a9a000 dead000000000400        0  0 0
            """);

    public void Execute(CommandContext context)
    {
        var parsed = GetOpt.Parse(context.Arguments, "c:uk");
        var forceUser = parsed.Options.Any(o => o.Name == 'u');
        var forceKernel = parsed.Options.Any(o => o.Name == 'k');
        if (forceUser && forceKernel) throw new CommandException("-u and -k options are mutually exclusive");
        if (parsed.Operands.Count == 0) throw new CommandException("an address is required", showUsage: true);
        var kernel = context.Kernel();
        var contextOption = parsed.Options.Where(o => o.Name == 'c').Select(o => o.Argument).LastOrDefault();
        var task = contextOption is not null ? context.ResolveTask(contextOption, "vtop") : context.CurrentTask();
        var state = new State(kernel.Target);
        var first = true;
        foreach (var operand in parsed.Operands)
        {
            if (!SymbolArgument.TryResolveAddress(context, operand, out var address))
            {
                context.Out.Write($"vtop: invalid address: {operand}\n");
                continue;
            }
            if (!first) context.Out.Write("\n");
            first = false;
            var user = forceUser || (!forceKernel && address < UserSpaceTop(kernel.Target));
            try
            {
                if (user) WriteUser(context.Out, kernel, task, address, state);
                else WriteKernel(context.Out, kernel.Target, address, state);
            }
            catch (KdumpDebugException e)
            {
                context.Out.Write($"vtop: {address:x}: {e.Message}\n");
            }
        }
    }

    /// <summary>What stays the same over the addresses of one command: crash prints the page header once.</summary>
    sealed class State(KernelTarget target)
    {
        public bool PageHeaderWritten { get; set; }
        public Dictionary<ulong, string> SwapNames { get; } = [];
        /// <summary>max_pfn's end, read once per command.</summary>
        public ulong? MaxPhysical { get; } = PageMap.MaxPhysical(target);
        public int PhysicalWidth => PageLine.PhysicalWidth(MaxPhysical is ulong max and > 0 ? max - 1 : 0);
    }

    /// <summary>TASK_SIZE_MAX + 1: the end of the lower canonical half (47 or 56 address bits).</summary>
    static ulong UserSpaceTop(KernelTarget target) => target.AddressSpace.PagingLevels >= 5 ? 1UL << 56 : 1UL << 47;

    static void WriteKernel(TextWriter output, KernelTarget target, ulong address, State state)
    {
        output.Write($"{Vaddr("VIRTUAL")}  {Vaddr("PHYSICAL")}\n");
        if (address < KernelSymbolBounds.KernelSpaceStartFor(target.AddressSpace.PagingLevels))
        {
            output.Write($"{address,-8:x}  (not a kernel virtual address)\n\n");
            return;
        }
        var steps = target.AddressSpace.Walker.Walk(address);
        var mapped = TryResolve(steps, target.AddressSpace.PagingLevels, address, out var physical);
        output.Write(mapped ? $"{Vaddr(address.ToString("x"))}  {Physical(target, physical)}\n\n" : $"{address,-8:x}  (not mapped)\n\n");
        output.Write($"PGD DIRECTORY: {target.AddressSpace.RootTableVirtualAddress:x}\n");
        WriteSteps(output, steps, kernelTop: true);
        WriteLeaf(output, target, steps, mapped, physical, state);
        output.Write("\n");
        if (mapped) WritePage(output, target, physical, state);
    }

    static void WriteUser(TextWriter output, LinuxKernel kernel, KernelTask task, ulong address, State state)
    {
        var target = kernel.Target;
        output.Write($"{Uvaddr("VIRTUAL")}  {Vaddr("PHYSICAL")}\n");
        if (task.Mm == 0)
            throw new KdumpDebugException($"PID {task.Pid} ({task.Comm}) is a kernel thread: it has no user address space (use -c or set)");
        var problems = new List<string>();
        var vma = VmAreas.Read(target, task.Mm, problems).FirstOrDefault(v => address >= v.Start && address < v.End);
        if (vma is null)
        {
            output.Write($"{Uvaddr(address.ToString("x"))}  (not accessible)\n\n");
            return;
        }
        var space = UserAddressSpace.ForMm(target, task.Mm);
        var steps = space.Walk(address);
        var mapped = TryResolve(steps, target.AddressSpace.PagingLevels, address, out var physical);
        output.Write(mapped ? $"{Uvaddr(address.ToString("x"))}  {Physical(target, physical)}\n\n" : $"{Uvaddr(address.ToString("x"))}  (not mapped)\n\n");
        WriteSteps(output, steps, kernelTop: false);
        WriteLeaf(output, target, steps, mapped, physical, state);
        output.Write("\n");
        output.Write(VmCommand.VmaHeader);
        output.Write(VmCommand.FormatVma(vma) + "\n");
        if (!mapped)
        {
            var page = space.Translate(address);
            if (page.Kind == UserPageKind.Swapped)
                output.Write($"\nSWAP: {VmCommand.SwapName(target, page.SwapType, state.SwapNames)}  OFFSET: {page.SwapOffset}\n");
            else if (vma.File != 0 && vma.Path.Length > 0)
                output.Write($"\nFILE: {vma.Path}  OFFSET: {vma.PgOff * 4096 + (address - vma.Start):x}\n");
        }
        output.Write("\n");
        if (mapped) WritePage(output, target, physical, state);
    }

    /// <summary>The physical address the walk ends at, when every level was present.</summary>
    static bool TryResolve(IReadOnlyList<PageTableStep> steps, int levels, ulong address, out ulong physical)
    {
        physical = 0;
        if (steps.Count == 0) return false;
        var last = steps[^1];
        if ((last.Entry & Present) == 0) return false;
        var pageSize = PageSizeOf(steps.Count, levels, last);
        if (pageSize == 0) return false;
        physical = (last.Entry & PhysicalMask & ~(pageSize - 1)) | (address & (pageSize - 1));
        return true;
    }

    /// <summary>The page a present final entry maps: 4 KiB at the PTE level, 2 MiB or 1 GiB for a PSE entry in a PMD or PUD; 0 when the walk stopped early.</summary>
    static ulong PageSizeOf(int stepCount, int levels, PageTableStep last)
    {
        var level = levels - stepCount + 1; // 1 = PTE, 2 = PMD, 3 = PUD
        if (level == 1) return 4096;
        if ((last.Entry & Pse) != 0 && level is 2 or 3) return level == 2 ? 1UL << 21 : 1UL << 30;
        return 0;
    }

    /// <summary>
    /// The entries: for the kernel walk "PAGE DIRECTORY: value" for the top entry (x86_64_kpgd_offset),
    /// for a user walk "   PGD: address => value" (x86_64_upgd_offset); the lower levels "   PUD: address => value".
    /// </summary>
    static void WriteSteps(TextWriter output, IReadOnlyList<PageTableStep> steps, bool kernelTop)
    {
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            if (i == 0 && kernelTop) output.Write($"PAGE DIRECTORY: {step.Entry:x}\n");
            else output.Write($"   {step.Level}: {step.EntryPhysicalAddress:x} => {step.Entry:x}\n");
        }
    }

    /// <summary>"  PAGE: base  (2MB)" and the entry's translation, or for a final PTE that is not present but not empty, its swap location.</summary>
    static void WriteLeaf(TextWriter output, KernelTarget target, IReadOnlyList<PageTableStep> steps, bool mapped, ulong physical, State state)
    {
        if (steps.Count == 0) return;
        var last = steps[^1];
        if (mapped)
        {
            var pageSize = PageSizeOf(steps.Count, target.AddressSpace.PagingLevels, last);
            var size = pageSize switch { 1UL << 21 => "  (2MB)", 1UL << 30 => "  (1GB)", _ => "" };
            output.Write($"  PAGE: {physical & ~(pageSize - 1):x}{size}\n\n");
            WriteTranslation(output, last.Entry);
        }
        else if (steps.Count == target.AddressSpace.PagingLevels && last.Entry != 0)
        {
            output.Write("\n");
            WriteSwapEntry(output, target, last.Entry, state);
        }
    }

    /// <summary>x86_64_translate_pte for a present entry: PTE, PHYSICAL, then the flag names.</summary>
    static void WriteTranslation(TextWriter output, ulong pte)
    {
        var pteText = pte.ToString("x");
        var physicalText = (pte & PhysicalMask).ToString("x");
        var pteWidth = Math.Max(pteText.Length, 3);
        var physicalWidth = Math.Max(physicalText.Length, 8);
        output.Write($"{CrashColumns.MkString("PTE", pteWidth, Justify.Center | Justify.Left)}  {CrashColumns.MkString("PHYSICAL", physicalWidth, Justify.Center | Justify.Left)}  FLAGS\n");
        output.Write($"{CrashColumns.MkString(pteText, pteWidth, Justify.Center | Justify.Right)}  {CrashColumns.MkString(physicalText, physicalWidth, Justify.Center | Justify.Right)}  ({FlagNames(pte)})\n");
    }

    static string FlagNames(ulong pte)
    {
        if (pte == 0) return "no mapping";
        var names = new List<string>();
        if ((pte & Present) != 0) names.Add("PRESENT");
        if ((pte & Rw) != 0) names.Add("RW");
        if ((pte & User) != 0) names.Add("USER");
        if ((pte & Pwt) != 0) names.Add("PWT");
        if ((pte & Pcd) != 0) names.Add("PCD");
        if ((pte & Accessed) != 0) names.Add("ACCESSED");
        if ((pte & Dirty) != 0) names.Add("DIRTY");
        if ((pte & Pse) != 0 && (pte & Present) != 0) names.Add("PSE");
        if ((pte & ProtNone) != 0 && (pte & Present) == 0) names.Add("PROTNONE");
        if ((pte & Global) != 0) names.Add("GLOBAL");
        if ((pte & Nx) != 0) names.Add("NX");
        return string.Join('|', names);
    }

    /// <summary>x86_64_translate_pte for a swap entry: PTE, SWAP (the swap file), OFFSET.</summary>
    static void WriteSwapEntry(TextWriter output, KernelTarget target, ulong pte, State state)
    {
        var (type, offset) = UserAddressSpace.SwapEntry(pte);
        var pteText = pte.ToString("x");
        var device = VmCommand.SwapName(target, type, state.SwapNames);
        var offsetText = offset.ToString();
        int w1 = Math.Max(pteText.Length, 3), w2 = Math.Max(device.Length, 4), w3 = Math.Max(offsetText.Length, 6);
        output.Write($"{CrashColumns.MkString("PTE", w1, Justify.Center | Justify.Left)}  {CrashColumns.MkString("SWAP", w2, Justify.Center | Justify.Left)}  {CrashColumns.MkString("OFFSET", w3, Justify.Center | Justify.Left)}\n");
        output.Write($"{CrashColumns.MkString(pteText, w1, Justify.Center | Justify.Right)}  {CrashColumns.MkString(device, w2, Justify.Center | Justify.Right)}  {CrashColumns.MkString(offsetText, w3, Justify.Center | Justify.Right)}\n");
    }

    /// <summary>The frame's struct page (crash: only below high_memory, whose pages the map describes).</summary>
    static void WritePage(TextWriter output, KernelTarget target, ulong physical, State state)
    {
        if (state.MaxPhysical is ulong max && physical >= max) return;
        var page = PageMap.For(target).Read(physical);
        if (!state.PageHeaderWritten) output.Write(PageLine.Header(state.PhysicalWidth) + "\n");
        state.PageHeaderWritten = true;
        output.Write(PageLine.Format(page, PageFlagNames.For(target), state.PhysicalWidth) + "\n");
    }

    /// <summary>The PHYSICAL column; "(excluded)" after it when makedumpfile left the page out of the dump (crash says nothing).</summary>
    static string Physical(KernelTarget target, ulong physical) =>
        target.Dump.Memory.GetPageStatus(physical >> 12) == KdumpDebug.Dump.PageStatus.Present
            ? Vaddr(physical.ToString("x"))
            : $"{physical:x}  (excluded)";

    static string Vaddr(string text) => CrashColumns.MkString(text, CrashColumns.VaddrWidth, Justify.Left);

    static string Uvaddr(string text) => CrashColumns.MkString(text, CrashColumns.UvaddrWidth, Justify.Left);
}
