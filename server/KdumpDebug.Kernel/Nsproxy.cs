using KdumpDebug.Target;

namespace KdumpDebug.Kernel;

/// <summary>
/// A task's namespaces through <c>task-&gt;nsproxy</c> (include/linux/nsproxy.h: one pointer per
/// namespace kind, <c>mnt_ns</c>, <c>net_ns</c>, ...). Two 8-byte reads; offsets from DWARF.
/// </summary>
public static class Nsproxy
{
    /// <summary>
    /// <c>task-&gt;nsproxy-&gt;<paramref name="member"/></c>, or 0 for a task without an nsproxy (an
    /// exited task: exit_task_namespaces clears it). Throws FaultException / PageExcludedException
    /// for memory the dump lacks.
    /// </summary>
    public static ulong TaskNamespace(KernelTarget target, ulong task, string member)
    {
        var nsproxy = KernelMemory.ReadU64(target, task + KernelMemory.Offset(target, "task_struct", "nsproxy"));
        return nsproxy == 0 ? 0 : KernelMemory.ReadU64(target, nsproxy + KernelMemory.Offset(target, "nsproxy", member));
    }
}
