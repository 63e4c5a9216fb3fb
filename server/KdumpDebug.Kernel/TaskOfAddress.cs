using KdumpDebug.Core.Errors;

namespace KdumpDebug.Kernel;

/// <summary>
/// Which task an address belongs to, as crash's <c>kmem ADDRESS</c> asks (task.c
/// vaddr_in_task_struct and stkptr_to_task): the task whose <c>task_struct</c> holds it, or the
/// task whose kernel stack (<c>task-&gt;stack</c>, THREAD_SIZE bytes) holds it. Every task of
/// the task list is checked: one read of <c>stack</c> per task.
/// </summary>
public static class TaskOfAddress
{
    /// <summary>
    /// The task whose task_struct contains <paramref name="address"/>, or null. The task_struct's
    /// allocated size is <c>arch_task_struct_size</c> (x86 since v4.2, commit 5aaeb5c01c5b "x86/fpu,
    /// sched: Introduce CONFIG_ARCH_WANTS_DYNAMIC_TASK_STRUCT": the FPU state at its end is sized at
    /// boot), which can be smaller than the DWARF sizeof, else the DWARF size.
    /// </summary>
    public static KernelTask? TaskStructHolding(LinuxKernel kernel, ulong address)
    {
        var size = KernelMemory.SizeOf(kernel.Target, "task_struct");
        if (KernelMemory.SymbolAddress(kernel.Target, "arch_task_struct_size") is ulong variable)
        {
            try
            {
                var allocated = KernelMemory.ReadU32(kernel.Target, variable);
                if (allocated > 0 && allocated < size) size = allocated;
            }
            catch (KdumpDebugException)
            {
            }
        }
        return kernel.Tasks.Tasks.FirstOrDefault(t => address >= t.Address && address - t.Address < size);
    }

    /// <summary>The task whose kernel stack contains <paramref name="address"/>, or null.</summary>
    public static KernelTask? StackHolding(LinuxKernel kernel, ulong address)
    {
        var target = kernel.Target;
        var stackOffset = KernelMemory.Offset(target, "task_struct", "stack");
        var threadSize = ExceptionFrameSearch.ThreadSize(target);
        foreach (var task in kernel.Tasks.Tasks)
        {
            ulong stack;
            try
            {
                stack = KernelMemory.ReadU64(target, task.Address + stackOffset);
            }
            catch (KdumpDebugException)
            {
                continue;
            }
            if (stack != 0 && address >= stack && address - stack < threadSize) return task;
        }
        return null;
    }
}
