using KdumpDebug.Commands.Output;
using KdumpDebug.Commands.Parsing;
using KdumpDebug.Core.Errors;
using KdumpDebug.Kernel;
using KdumpDebug.Kernel.Fs;
using KdumpDebug.Kernel.Mm;
using KdumpDebug.Target;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>vm</c>: the context task's (or each named task's) <c>mm_struct</c>, page directory,
/// RSS and total size, then every VMA with its range, <c>vm_flags</c> and mapped file, read from
/// the maple tree on v6.1+ kernels (crash 8.0.2 fails there) or the older VMA list
/// (<see cref="VmAreas"/>). <c>-p</c> translates each page through the task's page tables
/// (<see cref="UserAddressSpace"/>), marking pages the dump left out as "(excluded)". Broken
/// structures give one <c>vm:</c> line each and the rest is shown.
/// </summary>
public sealed class VmCommand : ICommand
{
    public CommandHelp Help { get; } = new(
        Name: "vm",
        Aliases: [],
        Summary: "virtual memory",
        Synopsis: "vm [-p] [pid | task] ...",
        Description: """
            Display the virtual memory of a context: its mm_struct and page directory, its
            RSS and total virtual memory size, and each vm_area_struct with its start and end
            address, vm_flags and file pathname. With no argument, the current context.

                -p  translate each virtual page to its physical address ("(excluded)" when the
                    dump does not contain the page), or if the page is not mapped, its swap
                    entry, or its file and offset.
               pid  a process PID.
              task  a hexadecimal task_struct pointer.
            """,
        Examples: """
              crash> vm
              PID: 68       TASK: ffffa0f7c0a9a880  CPU: 0    COMMAND: "sh"
                     MM               PGD          RSS    TOTAL_VM
              ffffa0f7c01483c0  ffffa0f7c0b36000   60k     2256k
                    VMA           START       END     FLAGS FILE
              ffffa0f7c0b3c220     400000     401000     71 /bin/busybox
              ffffa0f7c0b3c198     401000     585000     75 /bin/busybox
              ...
            """);

    const int PageSize = 4096;

    public void Execute(CommandContext context)
    {
        var parsed = GetOpt.Parse(context.Arguments, "p");
        var physical = parsed.Options.Any(o => o.Name == 'p');
        var kernel = context.Kernel();
        if (parsed.Operands.Count == 0)
        {
            Write(context.Out, kernel, context.CurrentTask(), physical, subsequent: false);
            return;
        }
        var subsequent = false;
        foreach (var operand in parsed.Operands)
        {
            IReadOnlyList<KernelTask> tasks;
            try
            {
                tasks = KernelContext.ResolveTasks(context, operand).Tasks;
            }
            catch (CommandException e)
            {
                context.Out.Write($"vm: {e.Message}\n");
                continue;
            }
            foreach (var task in tasks)
            {
                Write(context.Out, kernel, task, physical, subsequent);
                subsequent = true;
            }
        }
    }

    /// <summary>crash's vm_area_dump for one task, after its task header.</summary>
    static void Write(TextWriter output, LinuxKernel kernel, KernelTask task, bool physical, bool subsequent)
    {
        var target = kernel.Target;
        if (subsequent) output.Write("\n");
        output.Write(KernelContext.TaskHeader(task) + "\n");
        // crash's get_task_mem_usage: nothing for zombies, exiting tasks and kernel threads.
        var mm = task.Mm;
        var usable = mm != 0 && (task.StateBits & (TaskState.ExitZombie | TaskState.ExitDead)) == 0;
        ulong pgd = 0;
        TaskMemoryUsage usage = default;
        if (usable)
        {
            try
            {
                pgd = KernelMemory.ReadU64(target, mm + KernelMemory.Offset(target, "mm_struct", "pgd"));
                usage = TaskMemory.GetTaskMemUsage(target, task, kernel.Tasks.Tasks, TaskMemory.TotalRamPages(target));
                var totalVm = KernelMemory.ReadU64(target, mm + KernelMemory.Offset(target, "mm_struct", "total_vm"));
                usage = usage with { VszKb = totalVm * PageSize / 1024 };
            }
            catch (KdumpDebugException e)
            {
                output.Write($"vm: mm {mm:x}: {e.Message}\n");
                return;
            }
        }
        else mm = 0;
        output.Write($"{Center16("MM")}  {Center16("PGD")}  {CrashColumns.MkString("RSS", 6, Justify.Center | Justify.Left)}  {CrashColumns.MkString("TOTAL_VM", 8, Justify.Center | Justify.Left)}\n");
        output.Write($"{Center16(mm.ToString("x"))}  {Center16(pgd.ToString("x"))}  {CrashColumns.MkString($"{usage.RssKb}k", 6, Justify.Center | Justify.Left)}  {CrashColumns.MkString($"{usage.VszKb}k", 8, Justify.Center | Justify.Left)}\n");
        if (mm == 0) return;

        var problems = new List<string>();
        List<VmArea> vmas;
        try
        {
            vmas = VmAreas.Read(target, mm, problems);
        }
        catch (KdumpDebugException e)
        {
            output.Write($"vm: mm {mm:x}: {e.Message}\n");
            return;
        }
        UserAddressSpace? space = null;
        if (physical)
        {
            try
            {
                space = UserAddressSpace.ForMm(target, mm);
            }
            catch (KdumpDebugException e)
            {
                problems.Add(e.Message);
            }
        }
        else output.Write(VmaHeader);
        var swapNames = new Dictionary<ulong, string>();
        foreach (var vma in vmas)
        {
            if (physical) output.Write(VmaHeader);
            output.Write(FormatVma(vma) + "\n");
            if (vma.FileError is not null) output.Write($"vm: vma {vma.Address:x}: {vma.FileError}\n");
            if (space is not null) WritePages(output, target, space, vma, swapNames);
        }
        foreach (var problem in problems) output.Write($"vm: {problem}\n");
    }

    static string Center16(string text) => CrashColumns.MkString(text, CrashColumns.VaddrWidth, Justify.Center | Justify.Left);

    /// <summary>crash 8's vma_header: VMA centered in 16, START/END right-centered in UVADDR_PRLEN.</summary>
    internal static readonly string VmaHeader =
        $"{Center16("VMA")} {CrashColumns.MkString("START", CrashColumns.UvaddrWidth, Justify.Center | Justify.Right)} {CrashColumns.MkString("END", CrashColumns.UvaddrWidth, Justify.Center | Justify.Right)}  FLAGS FILE\n";

    /// <summary>crash 8's VMA line: "%s %s %s %6llx %s" (the file column empty for anonymous memory, as crash leaves it).</summary>
    internal static string FormatVma(VmArea vma) =>
        $"{vma.Address:x} {CrashColumns.MkString(vma.Start.ToString("x"), CrashColumns.UvaddrWidth, Justify.Right)} {CrashColumns.MkString(vma.End.ToString("x"), CrashColumns.UvaddrWidth, Justify.Right)} {vma.Flags,6:x} {vma.Path}";

    /// <summary>crash's vm_area_page_dump: one line per page of the VMA.</summary>
    static void WritePages(TextWriter output, KernelTarget target, UserAddressSpace space, VmArea vma, Dictionary<ulong, string> swapNames)
    {
        const int physicalWidth = 8; // MAX(PADDR_PRLEN, strlen("PHYSICAL"))
        output.Write($"{CrashColumns.MkString("VIRTUAL", CrashColumns.UvaddrWidth, Justify.Left)}  {CrashColumns.MkString("PHYSICAL", physicalWidth, Justify.Left)}\n");
        // A corrupt VMA must not make us print 2^35 lines: stop after TASK_SIZE worth of pages.
        var pages = Math.Min((vma.End - vma.Start) / PageSize, 1UL << 36);
        for (ulong i = 0; i < pages; i++)
        {
            var address = vma.Start + i * PageSize;
            var page = space.Translate(address);
            var va = CrashColumns.MkString(address.ToString("x"), CrashColumns.UvaddrWidth, Justify.Left);
            var line = page.Kind switch
            {
                UserPageKind.Mapped => $"{va}  {CrashColumns.MkString(page.Physical.ToString("x"), physicalWidth, Justify.Right)}{(page.Excluded ? "  (excluded)" : "")}",
                UserPageKind.Swapped => $"{va}  SWAP: {SwapName(target, page.SwapType, swapNames)}  OFFSET: {page.SwapOffset}",
                UserPageKind.Unreadable => $"{va}  ({page.Error})",
                _ => vma.File != 0 && vma.Path.Length > 0
                    ? $"{va}  FILE: {vma.Path}  OFFSET: {vma.PgOff * PageSize + (address - vma.Start):x}"
                    : $"{va}  (not mapped)",
            };
            output.Write(line + "\n");
        }
    }

    /// <summary>The path of <c>swap_info[type]-&gt;swap_file</c> (crash's get_swapdev), or "type N" when it cannot be read.</summary>
    internal static string SwapName(KernelTarget target, ulong type, Dictionary<ulong, string> cache)
    {
        if (cache.TryGetValue(type, out var name)) return name;
        name = $"type {type}";
        try
        {
            if (target.TryLookupSymbol("swap_info", out var swapInfo) && type < 64)
            {
                var info = KernelMemory.ReadU64(target, swapInfo.Address + type * 8);
                var file = info == 0 ? 0 : KernelMemory.ReadU64(target, info + KernelMemory.Offset(target, "swap_info_struct", "swap_file"));
                if (file != 0)
                {
                    var (mnt, dentry) = OpenFiles.ReadPath(target, file + KernelMemory.Offset(target, "file", "f_path"));
                    name = DPath.Path(target, mnt, dentry);
                }
            }
        }
        catch (KdumpDebugException)
        {
        }
        cache[type] = name;
        return name;
    }
}
