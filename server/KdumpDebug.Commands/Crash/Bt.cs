using KdumpDebug.Commands.Output;
using KdumpDebug.Commands.Parsing;
using KdumpDebug.Kernel;
using KdumpDebug.Target;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>bt</c>: the kernel stack of the context task (the panic task by default), of the
/// tasks named by PID or task address, or of the task on every CPU (<c>-a</c>); <c>-f</c> adds each
/// frame's stack words, <c>-l</c> each frame's source file and line. Frames come from the
/// unwinder (ORC, DWARF CFI, frame pointers; <see cref="TaskStack"/> for where a task starts);
/// the layout is <see cref="BacktraceWriter"/>'s.
/// </summary>
public sealed class BtCommand : ICommand
{
    public CommandHelp Help { get; } = new(
        Name: "bt",
        Aliases: [],
        Summary: "backtrace",
        Synopsis: "bt [-a|-e|-f|-l] [pid | task]",
        Description: """
            Display a kernel stack backtrace. With no argument, the stack of the current
            context (the panic task unless changed with "set").

                -a  show the stack of the active task on each CPU.
                -e  search the stack for possible kernel and user mode exception frames.
                -f  display all stack data contained in each frame.
                -l  show the file and line number of each stack trace text location.
               pid  a process PID.
              task  a hexadecimal task_struct pointer.

            A stack that cannot be followed to its end stops with one "bt:" line saying why.
            """,
        Examples: """
              crash> bt
              PID: 68       TASK: ffffa0f7c0a9a880  CPU: 0    COMMAND: "sh"
               #0 [ffffa40a401a7c80] machine_kexec at ffffffff81e3d310
               #1 [ffffa40a401a7cd0] __crash_kexec at ffffffff81ec8c62
               #2 [ffffa40a401a7d90] panic at ffffffff82189b5e
               #3 [ffffa40a401a7e10] sysrq_handle_crash at ffffffff8204d94c
               ...
              #10 [ffffa40a401a7f50] entry_SYSCALL_64_after_hwframe at ffffffff82200126
                  RIP: 000000000047b7a0  RSP: 00007ffefeb737d8  RFLAGS: 00000202
                  ...
                  ORIG_RAX: 0000000000000001  CS: 0033  SS: 002b
            """)
    {
        Options = "aefl",
    };

    public void Execute(CommandContext context)
    {
        var parsed = GetOpt.Parse(context.Arguments, Help.Options!);
        var all = false;
        var search = false;
        var options = new BacktraceWriter.Options(false, false);
        foreach (var option in parsed.Options)
        {
            switch (option.Name)
            {
                case 'a': all = true; break;
                case 'e': search = true; break;
                case 'f': options = options with { FrameWords = true }; break;
                case 'l': options = options with { Lines = true }; break;
            }
        }
        var kernel = context.Kernel();
        List<KernelTask> tasks;
        if (all)
            tasks = kernel.Tasks.CurrentByCpu.OrderBy(kv => kv.Key).Select(kv => kernel.Tasks.FindByAddress(kv.Value)).OfType<KernelTask>().ToList();
        else if (parsed.Operands.Count > 0)
            tasks = parsed.Operands.Select(o => context.ResolveTask(o, "bt")).ToList();
        else tasks = [context.CurrentTask()];
        if (search)
        {
            for (var i = 0; i < tasks.Count; i++)
            {
                if (i > 0) context.Out.Write("\n");
                BacktraceWriter.WriteExceptionFrameSearch(context.Out, kernel.Target, kernel, tasks[i]);
            }
            return;
        }
        Write(context, kernel, tasks, options);
    }

    /// <summary>Each task's stack, a blank line between two (crash's bt -a and foreach bt).</summary>
    internal static void Write(CommandContext context, LinuxKernel kernel, IReadOnlyList<KernelTask> tasks, BacktraceWriter.Options options)
    {
        for (var i = 0; i < tasks.Count; i++)
        {
            if (i > 0) context.Out.Write("\n");
            BacktraceWriter.Write(context.Out, kernel.Target, TaskStack.Unwind(kernel, tasks[i]), options);
        }
    }
}
