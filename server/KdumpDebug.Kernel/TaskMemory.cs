using KdumpDebug.Core.Errors;
using KdumpDebug.Target;
using KdumpDebug.Target.Objects;

namespace KdumpDebug.Kernel;

/// <summary>A task's memory use as crash's <c>ps</c> prints it: RSS and VSZ in KiB and %MEM of RAM.</summary>
public readonly record struct TaskMemoryUsage(ulong RssKb, ulong VszKb, double PercentOfRam);

/// <summary>
/// Memory counters of an <c>mm_struct</c> (crash's task.c get_task_mem_usage): VSZ is
/// <c>mm-&gt;total_vm</c> pages, RSS is the file + anon counters (crash leaves shmem out) of <c>mm-&gt;rss_stat</c>
/// plus, with SPLIT_RSS_COUNTING, each thread's not yet flushed <c>task-&gt;rss_stat</c>; %MEM is
/// RSS over <c>totalram_pages</c>. A few reads per task.
/// </summary>
public static class TaskMemory
{
    const ulong PageSize = 4096;

    // enum { MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES } (include/linux/mm_types_task.h).
    // crash 8.0.2 counts file + anon pages only (procfs' VmRSS adds MM_SHMEMPAGES); we print crash's number.
    static readonly int[] RssCounters = [0, 1];

    /// <summary>The usage of <paramref name="task"/>; zero for kernel threads (no mm).</summary>
    public static TaskMemoryUsage GetTaskMemUsage(KernelTarget target, KernelTask task, IEnumerable<KernelTask> allTasks, ulong totalRamPages)
    {
        if (task.Mm == 0 || task.IsKernelThread) return default;
        var mm = target.Objects.At("struct mm_struct", task.Mm);
        var vszPages = mm.Member("total_vm").ReadUnsigned();
        long rss = 0;
        var stat = mm.Member("rss_stat");
        foreach (var i in RssCounters) rss += MmCounter(target, stat, i);
        // SPLIT_RSS_COUNTING (before v6.2): threads cache counts in task->rss_stat.count[].
        var taskType = target.Objects.Type("struct task_struct").Unqualified();
        if (taskType.TryFindMember("rss_stat", out _))
        {
            foreach (var thread in allTasks.Where(t => t.Tgid == task.Tgid && t.Mm == task.Mm))
            {
                var counts = target.Objects.At("struct task_struct", thread.Address).Member("rss_stat").Member("count");
                foreach (var i in RssCounters) rss += counts.Index(i).ReadSigned();
            }
        }
        if (rss < 0) rss = 0;
        var percent = totalRamPages == 0 ? 0 : rss * 100.0 / totalRamPages;
        return new TaskMemoryUsage((ulong)rss * PageSize / 1024, vszPages * PageSize / 1024, percent);
    }

    /// <summary>
    /// <c>get_mm_counter()</c>: <c>mm-&gt;rss_stat.count[i]</c> (an atomic_long_t) before v6.2; since
    /// v6.2 (commit f1a7941243c1 "mm: convert mm's rss stats into percpu_counter") rss_stat is an
    /// array of percpu_counter: the global count plus every CPU's delta.
    /// </summary>
    static long MmCounter(KernelTarget target, TargetObject rssStat, int index)
    {
        var type = rssStat.UnderlyingType;
        if (type.Kind == Debuginfo.Types.CTypeKind.Array)
        {
            var counter = rssStat.Index(index);
            var sum = counter.Member("count").ReadSigned();
            var counters = counter.Member("counters").ReadUnsigned();
            if (counters != 0)
                foreach (var cpu in PerCpu.ForEachPossibleCpu(target))
                {
                    var buffer = new byte[4];
                    target.ReadVirtual(unchecked(counters + PerCpu.PerCpuOffset(target, cpu)), buffer);
                    sum += BitConverter.ToInt32(buffer);
                }
            return sum;
        }
        return rssStat.Member("count").Index(index).Member("counter").ReadSigned();
    }

    /// <summary>
    /// <c>totalram_pages()</c>: <c>_totalram_pages</c> (an atomic_long_t since v5.0, commit
    /// ca79b0c211af "mm: convert totalram_pages and totalhigh_pages variables to atomic"), else the
    /// older <c>totalram_pages</c> variable. 0 when neither can be read.
    /// </summary>
    public static ulong TotalRamPages(KernelTarget target)
    {
        try
        {
            if (target.Objects.TryVariable("_totalram_pages", out var atomic)) return atomic.Member("counter").ReadUnsigned();
            if (target.Objects.TryVariable("totalram_pages", out var plain)) return plain.ReadUnsigned();
        }
        catch (KdumpDebugException)
        {
        }
        return 0;
    }
}
