using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel;

/// <summary>One signal's disposition: <c>sighand-&gt;action[sig - 1].sa</c> and the address of that <c>struct k_sigaction</c>.</summary>
public readonly record struct SignalAction(int Signal, ulong Address, ulong Handler, ulong Flags, ulong Mask);

/// <summary>One queued signal: its <c>struct sigqueue</c>'s <c>info</c> address and <c>info.si_signo</c>.</summary>
public readonly record struct QueuedSignal(int Signal, ulong InfoAddress);

/// <summary>A <c>struct sigpending</c>: the pending set and the queued <c>struct sigqueue</c>s (with a problem line when the list is broken).</summary>
public sealed record PendingSignals(ulong Signal, IReadOnlyList<QueuedSignal> Queue, string? Problem);

/// <summary>
/// What the kernel knows about one task's signals (include/linux/sched/signal.h): the thread
/// group's <c>signal_struct</c> and <c>sighand_struct</c> dispositions, the task's pending flag
/// (TIF_SIGPENDING), blocked set and private queue, and the group's shared queue.
/// <see cref="Actions"/> is empty when the task has no <c>sighand</c> (an exited task).
/// </summary>
public sealed record TaskSignals(
    ulong SignalStruct,
    int NrThreads,
    ulong Sighand,
    IReadOnlyList<SignalAction> Actions,
    bool SigPending,
    ulong Blocked,
    PendingSignals Private,
    PendingSignals? Shared);

/// <summary>
/// Reads a task's signal state the way crash's <c>sig</c> (task.c dump_signal_data) shows it.
/// Every structure is found through the vmlinux's DWARF: <c>task_struct.signal</c>,
/// <c>.sighand</c>, <c>.blocked</c>, <c>.pending</c>; <c>sighand_struct.action</c> (its array length
/// is _NSIG); <c>k_sigaction.sa</c>; <c>sigpending.list/.signal</c>; <c>sigqueue.list/.info</c>.
/// Cost: a few small reads per task plus one per queued signal. Throws the target's
/// FaultException/PageExcludedException when the task or its signal structures cannot be read.
/// </summary>
public static class Signals
{
    /// <summary>Bit of TIF_SIGPENDING in <c>thread_info.flags</c> (arch/x86/include/asm/thread_info.h: a #define, not in DWARF).</summary>
    const int TifSigpending = 2;

    /// <summary>More queued signals than this means a corrupt list (RLIMIT_SIGPENDING is far lower in practice).</summary>
    const int MaxQueued = 1 << 16;

    /// <summary>The signal state of the task at <paramref name="task"/>.</summary>
    public static TaskSignals Read(KernelTarget target, ulong task) => Read(target, target.TypeLayouts, task);

    /// <summary><see cref="Read(KernelTarget, ulong)"/> over any memory and layouts (tests: mock memory, real layouts).</summary>
    public static TaskSignals Read(IKernelTarget target, ITypeLayouts layouts, ulong task)
    {
        var signal = KernelMemory.ReadU64(target, task + KernelMemory.Offset(layouts, "task_struct", "signal"));
        var sighand = KernelMemory.ReadU64(target, task + KernelMemory.Offset(layouts, "task_struct", "sighand"));
        var nrThreads = signal == 0 ? 0 : (int)KernelMemory.ReadU32(target, signal + KernelMemory.Offset(layouts, "signal_struct", "nr_threads"));
        var actions = new List<SignalAction>();
        if (sighand != 0)
        {
            var actionOffset = KernelMemory.Offset(layouts, "sighand_struct", "action");
            var actionSize = KernelMemory.SizeOf(layouts, "k_sigaction");
            var count = (int)Math.Min(KernelMemory.MemberSize(layouts, "sighand_struct", "action") / actionSize, 1024);
            var saOffset = KernelMemory.Offset(layouts, "k_sigaction", "sa");
            var handlerOffset = KernelMemory.Offset(layouts, "sigaction", "sa_handler");
            var flagsOffset = KernelMemory.Offset(layouts, "sigaction", "sa_flags");
            var maskOffset = KernelMemory.Offset(layouts, "sigaction", "sa_mask");
            var bytes = KernelMemory.ReadBytes(target, sighand + actionOffset, (int)(actionSize * (ulong)count));
            for (var i = 0; i < count; i++)
            {
                var sa = (int)((ulong)i * actionSize + saOffset);
                actions.Add(new SignalAction(
                    i + 1,
                    sighand + actionOffset + (ulong)i * actionSize,
                    BitConverter.ToUInt64(bytes, sa + (int)handlerOffset),
                    BitConverter.ToUInt64(bytes, sa + (int)flagsOffset),
                    BitConverter.ToUInt64(bytes, sa + (int)maskOffset)));
            }
        }
        // Since v4.9 (CONFIG_THREAD_INFO_IN_TASK on x86) thread_info is the first member of task_struct.
        var tiFlags = KernelMemory.HasMember(layouts, "task_struct", "thread_info")
            ? KernelMemory.ReadU64(target, task + KernelMemory.Offset(layouts, "task_struct", "thread_info") + KernelMemory.Offset(layouts, "thread_info", "flags"))
            : 0;
        var blocked = KernelMemory.ReadU64(target, task + KernelMemory.Offset(layouts, "task_struct", "blocked"));
        var privatePending = ReadPending(target, layouts, task + KernelMemory.Offset(layouts, "task_struct", "pending"));
        var shared = signal != 0 && KernelMemory.HasMember(layouts, "signal_struct", "shared_pending")
            ? ReadPending(target, layouts, signal + KernelMemory.Offset(layouts, "signal_struct", "shared_pending"))
            : null;
        return new TaskSignals(signal, nrThreads, sighand, actions, (tiFlags & (1UL << TifSigpending)) != 0, blocked, privatePending, shared);
    }

    /// <summary>A <c>struct sigpending</c> at <paramref name="address"/>: the first word of its sigset and its sigqueue list.</summary>
    public static PendingSignals ReadPending(IKernelTarget target, ITypeLayouts layouts, ulong address)
    {
        var set = KernelMemory.ReadU64(target, address + KernelMemory.Offset(layouts, "sigpending", "signal"));
        var head = address + KernelMemory.Offset(layouts, "sigpending", "list");
        var problems = new List<string>();
        var entries = KernelMemory.ListEntries(target, layouts, head, "sigqueue", "list", MaxQueued, $"sigqueue list at {head:x}", problems);
        var infoOffset = KernelMemory.Offset(layouts, "sigqueue", "info");
        var signoOffset = KernelMemory.Offset(layouts, "kernel_siginfo", "si_signo");
        var queue = new List<QueuedSignal>();
        foreach (var entry in entries)
        {
            try
            {
                queue.Add(new QueuedSignal((int)KernelMemory.ReadU32(target, entry + infoOffset + signoOffset), entry + infoOffset));
            }
            catch (KdumpDebugException e)
            {
                problems.Add($"sigqueue {entry:x}: {e.Message}");
                break;
            }
        }
        return new PendingSignals(set, queue, problems.Count > 0 ? problems[0] : null);
    }
}
