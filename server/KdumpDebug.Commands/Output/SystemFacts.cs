using KdumpDebug.Core.Errors;
using KdumpDebug.Kernel;
using KdumpDebug.Target;

namespace KdumpDebug.Commands.Output;

/// <summary>
/// The <c>sys</c> facts that need the kernel's own data (each read best-effort; Date is the kernel's clock, for dumps whose header has none: an unreadable one
/// stays null and its line is left out): UPTIME, LOAD AVERAGE, TASKS, the CPU clock, offline CPUs,
/// MEMORY, and the PANIC message from the log. <see cref="Read"/> walks the task list and the
/// log buffer once per target (both are cached by <see cref="LinuxKernel"/>).
/// </summary>
public sealed record SystemFacts(DateTimeOffset? Date, string? Uptime, string? LoadAverage, int? Tasks, ulong? CpuMhz, int? OfflineCpus, ulong? MemoryBytes, string? PanicMessage)
{
    public static SystemFacts Read(IKernelTarget target)
    {
        if (target is not KernelTarget kernelTarget) return new SystemFacts(null, null, null, null, null, null, null, null);
        var kernel = LinuxKernel.For(kernelTarget);
        T? Try<T>(Func<T> read)
        {
            try
            {
                return read();
            }
            catch (KdumpDebugException)
            {
                return default;
            }
        }
        return new SystemFacts(
            SystemInfo.WallClock(kernelTarget),
            Try(() => SystemInfo.FormatUptime(SystemInfo.Uptime(kernelTarget))),
            Try(() => SystemInfo.LoadAverage(kernelTarget)),
            Try(() => (int?)kernel.Tasks.Tasks.Count),
            SystemInfo.CpuMhz(kernelTarget),
            Try(() => (int?)(PerCpu.ForEachPossibleCpu(kernelTarget).Count - PerCpu.ForEachOnlineCpu(kernelTarget).Count)),
            SystemInfo.PresentPages(kernelTarget) * 4096,
            Try(() => SystemInfo.PanicMessage(kernel.LogRecords)));
    }
}
