using KdumpDebug.Core.Errors;
using KdumpDebug.Kernel;
using KdumpDebug.Target;

namespace KdumpDebug.Commands;

/// <summary>
/// What the task commands (ps, bt, set, foreach, sys, log) need from a session: the Linux helpers
/// of a real <see cref="KernelTarget"/>, and the current context task (crash's <c>set</c>; the
/// panic task until changed).
/// </summary>
static class KernelContext
{
    public static LinuxKernel Kernel(this CommandContext context) =>
        context.Target is KernelTarget target
            ? LinuxKernel.For(target)
            : throw new CommandException("this command needs a kernel dump opened with its vmlinux");

    /// <summary>The context task: the one <c>set</c> chose, else the panic task.</summary>
    public static KernelTask CurrentTask(this CommandContext context)
    {
        var kernel = context.Kernel();
        var address = context.Session.ContextTask ?? kernel.Panic?.TaskAddress
            ?? throw new CommandException("no panic task found in the dump; choose one with set PID");
        return kernel.Tasks.FindByAddress(address) ?? throw new CommandException($"invalid task address: {address:x}");
    }

    /// <summary>
    /// A task named the way crash accepts it (str_to_context): a decimal PID, or a hexadecimal
    /// task_struct address. PID 0 picks CPU 0's idle task (crash: "use the idle task of the current CPU").
    /// </summary>
    public static KernelTask ResolveTask(this CommandContext context, string argument, string command)
    {
        var tasks = context.Kernel().Tasks;
        if (int.TryParse(argument, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid))
        {
            var byPid = tasks.FindByPid(pid).ToList();
            if (byPid.Count > 0)
            {
                if (pid == 0)
                {
                    var current = context.CurrentTask();
                    return byPid.FirstOrDefault(t => t.Cpu == current.Cpu) ?? byPid[0];
                }
                return byPid.FirstOrDefault(t => t.Pid == t.Tgid) ?? byPid[0];
            }
        }
        var hex = argument.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? argument[2..] : argument;
        if (ulong.TryParse(hex, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var address)
            && tasks.FindByAddress(address) is { } task)
            return task;
        throw new CommandException($"invalid task or pid value: {argument}");
    }

    /// <summary>
    /// Every task an operand names, the way crash's per-task commands loop over
    /// <c>pid_to_context()</c>: all tasks with a decimal PID (PID 0: each CPU's idle task), or
    /// the one task at a hexadecimal address. ByPid says which (crash's files/vm print a PID's
    /// tasks slightly differently). Throws crash's "invalid task or pid value" otherwise.
    /// </summary>
    public static (IReadOnlyList<KernelTask> Tasks, bool ByPid) ResolveTasks(CommandContext context, string argument)
    {
        var tasks = context.Kernel().Tasks;
        if (int.TryParse(argument, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid))
        {
            var byPid = tasks.FindByPid(pid).ToList();
            if (byPid.Count > 0) return (byPid, true);
        }
        return ([ResolveTask(context, argument, "")], false);
    }

    /// <summary>crash's task header: <c>PID: 68       TASK: ffff...  CPU: 0    COMMAND: "sh"</c>.</summary>
    public static string TaskHeader(KernelTask task) =>
        $"PID: {task.Pid,-8} TASK: {task.Address:x}  CPU: {task.Cpu,-4} COMMAND: \"{task.Comm}\"";

    /// <summary>crash's <c>set</c>/<c>sys</c> context block (PID, COMMAND, TASK, CPU, STATE), labels right-aligned to <paramref name="width"/>.</summary>
    public static void WriteContext(TextWriter output, KernelTask task, bool isPanicTask, int width)
    {
        output.Write($"{"PID".PadLeft(width)}: {task.Pid}\n");
        output.Write($"{"COMMAND".PadLeft(width)}: \"{task.Comm}\"\n");
        output.Write($"{"TASK".PadLeft(width)}: {task.Address:x}  [THREAD_INFO: {task.Address:x}]\n");
        output.Write($"{"CPU".PadLeft(width)}: {task.Cpu}\n");
        output.Write($"{"STATE".PadLeft(width)}: {TaskState.TaskStateName(task.StateBits)}{(isPanicTask ? " (PANIC)" : "")}\n");
    }
}
