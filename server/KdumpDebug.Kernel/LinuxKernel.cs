using System.Runtime.CompilerServices;
using KdumpDebug.Core.Errors;
using KdumpDebug.Target;
using KdumpDebug.Target.Unwind;

namespace KdumpDebug.Kernel;

/// <summary>
/// The Linux helpers of one target, computed on first use and cached for the target's lifetime:
/// the task list, the panic task, the unwinder with every module's unwind tables, the log. One
/// instance per <see cref="KernelTarget"/> (<see cref="For"/>); thread-safe.
/// </summary>
public sealed class LinuxKernel
{
    static readonly ConditionalWeakTable<KernelTarget, LinuxKernel> Instances = new();

    readonly Lazy<TaskList> _tasks;
    readonly Lazy<PanicInfo?> _panic;
    readonly Lazy<KernelUnwinder> _unwinder;
    readonly Lazy<(IReadOnlyList<PrintkRecord> Records, IReadOnlyList<string> Problems)> _log;
    readonly Lazy<PerCpuVariables> _perCpuVariables;

    LinuxKernel(KernelTarget target)
    {
        Target = target;
        _tasks = new(() => new TaskList(target));
        _panic = new(() =>
        {
            try
            {
                return PanicInfo.Find(target, Tasks);
            }
            catch (KdumpDebugException)
            {
                return null;
            }
        });
        _unwinder = new(() =>
        {
            var unwinder = new KernelUnwinder(target, target.TypeLayouts);
            foreach (var module in target.Modules.Modules) unwinder.AddModule(module, target.TypeLayouts);
            return unwinder;
        });
        _log = new(() =>
        {
            var problems = new List<string>();
            var records = Printk.ReadRecords(target, problems);
            return (records, problems);
        });
        _perCpuVariables = new(() => PerCpuVariables.Find(target));
    }

    /// <summary>The helpers of <paramref name="target"/> (created once).</summary>
    public static LinuxKernel For(KernelTarget target) => Instances.GetValue(target, t => new LinuxKernel(t));

    public KernelTarget Target { get; }

    public TaskList Tasks => _tasks.Value;

    /// <summary>The crashed CPU and task, or null when the dump does not say.</summary>
    public PanicInfo? Panic => _panic.Value;

    /// <summary>An unwinder with the vmlinux's and every loaded module's unwind tables.</summary>
    public KernelUnwinder Unwinder => _unwinder.Value;

    public IReadOnlyList<PrintkRecord> LogRecords => _log.Value.Records;

    public IReadOnlyList<string> LogProblems => _log.Value.Problems;

    /// <summary>The vmlinux's per-CPU variables by name (the list built on first use; values read on demand).</summary>
    public PerCpuVariables PerCpuVariables => _perCpuVariables.Value;
}
