using System.Text;
using KdumpDebug.Commands.Output;
using KdumpDebug.Commands.Parsing;
using KdumpDebug.Core.Errors;
using KdumpDebug.Kernel;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>sig</c> (task.c cmd_sig/dump_signal_data): for the context task, or each task named
/// by PID or address, the thread group's signal_struct, its 64 signal dispositions (handler, mask,
/// SA_* flags), whether a signal is pending, the blocked set, and the private and shared pending
/// sets with their queued signals. <c>-g</c> shows a whole thread group, <c>-l</c> lists the signal
/// names, <c>-s sigset</c> translates a hexadecimal set into names. A task whose signal structures
/// cannot be read gets one line; the next task follows.
/// </summary>
public sealed class SigCommand : ICommand
{
    // SA_* flags, x86 uapi values (arch/x86/include/uapi/asm/signal.h, include/uapi/asm-generic/signal-defs.h),
    // in the order crash prints them.
    static readonly (ulong Bit, string Name)[] SaFlags =
    [
        (0x00000001, "SA_NOCLDSTOP"),
        (0x04000000, "SA_RESTORER"),
        (0x00000002, "SA_NOCLDWAIT"),
        (0x00000004, "SA_SIGINFO"),
        (0x08000000, "SA_ONSTACK"),
        (0x10000000, "SA_RESTART"),
        (0x40000000, "SA_NODEFER"),
        (0x80000000, "SA_RESETHAND"),
    ];

    /// <summary>Signal names 1..31 with crash's alternative names (task.c signame[]).</summary>
    static readonly string?[] Names =
    [
        null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT/SIGIOT", "SIGBUS", "SIGFPE", "SIGKILL",
        "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD/SIGCLD", "SIGCONT",
        "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF",
        "SIGWINCH", "SIGIO/SIGPOLL", "SIGPWR", "SIGSYS/SIGUNUSED",
    ];

    /// <summary>_NSIG and SIGRTMIN as crash defines them for Linux.</summary>
    const int NSig = 64, SigRtMin = 32;

    public CommandHelp Help { get; } = new(
        Name: "sig",
        Aliases: [],
        Summary: "task signal handling",
        Synopsis: "sig [[-l] | [-s sigset]] | [-g] [pid | taskp] ...",
        Description: """
            Display signal-handling data of the current context, or of the tasks given by PID
            or task_struct address: the thread group's signal_struct and thread count, the
            sigaction of each signal (handler, mask and SA_* flags), whether a signal is
            pending, the blocked set, and the private and shared pending sets with their
            queued signals.

                     -l  list the signal numbers and names.
              -s sigset  translate a hexadecimal signal set into signal names.
                     -g  show the whole thread group of each task.
                    pid  a process PID.
                  taskp  a hexadecimal task_struct pointer.
            """,
        Examples: """
              crash> sig
              PID: 68       TASK: ffffa0f7c0a9a880  CPU: 0    COMMAND: "sh"
              SIGNAL_STRUCT: ffffa0f7c0ab8780  NR_THREADS: 1
               SIG    SIGACTION        HANDLER       MASK       FLAGS
               [1] ffffa0f7c0a931a0    SIG_DFL 0000000000000000 0
               [2] ffffa0f7c0a931c0     525892 fffffffe7ffbfeff 4000000 (SA_RESTORER)
              ...
              SIGPENDING: no
                 BLOCKED: 0000000000000000
              PRIVATE_PENDING
                  SIGNAL: 0000000000000000
                SIGQUEUE: (empty)
              SHARED_PENDING
                  SIGNAL: 0000000000000000
                SIGQUEUE: (empty)
            """)
    {
        Options = "lR:s:g",
    };

    public void Execute(CommandContext context)
    {
        var parsed = GetOpt.Parse(context.Arguments, Help.Options!);
        var threadGroup = false;
        foreach (var option in parsed.Options)
        {
            switch (option.Name)
            {
                case 's':
                    context.Out.Write(TranslateSigset(CrashNumber.ParseHex(option.Argument!)));
                    return;
                case 'l':
                    context.Out.Write(SignalList());
                    return;
                case 'g':
                    threadGroup = true;
                    break;
                case 'R':
                    throw new CommandException("-R not supported yet");
            }
        }
        var tasks = new List<KernelTask>();
        var bogus = false;
        foreach (var operand in parsed.Operands)
        {
            try
            {
                tasks.AddRange(KernelContext.ResolveTasks(context, operand).Tasks);
            }
            catch (CommandException e)
            {
                // crash: error(INFO, "invalid task or pid value: %s\n\n").
                context.Out.Write($"sig: {e.Message}\n\n");
                bogus = true;
            }
        }
        if (tasks.Count == 0 && !bogus) tasks.Add(context.CurrentTask());
        var kernel = context.Kernel();
        var idleShown = false;
        foreach (var task in tasks)
        {
            if (threadGroup)
            {
                WriteThreadGroup(context.Out, kernel, task, ref idleShown);
                continue;
            }
            context.Out.Write(KernelContext.TaskHeader(task) + "\n");
            WriteSignalData(context.Out, kernel, task, taskLevel: true, groupLevel: true, indent: "");
            context.Out.Write("\n");
        }
    }

    /// <summary>
    /// crash's do_sig_thread_group: the leader's dispositions, then each thread's task-level data,
    /// indented. As crash, the idle tasks (all of TGID 0) are one group: once one was shown as a
    /// thread (<paramref name="idleShown"/>, crash's IDLE_TASK_SHOWN), a later PID 0 is skipped.
    /// </summary>
    static void WriteThreadGroup(TextWriter output, LinuxKernel kernel, KernelTask task, ref bool idleShown)
    {
        if (task.Pid != task.Tgid && kernel.Tasks.FindByPid(task.Tgid).FirstOrDefault(t => t.Pid == t.Tgid) is { } leader)
            task = leader;
        if (task.Pid == 0 && idleShown) return;
        output.Write(KernelContext.TaskHeader(task) + "\n");
        WriteSignalData(output, kernel, task, taskLevel: false, groupLevel: true, indent: "");
        output.Write("\n  " + KernelContext.TaskHeader(task) + "\n");
        WriteSignalData(output, kernel, task, taskLevel: true, groupLevel: false, indent: "  ");
        foreach (var thread in kernel.Tasks.Tasks.Where(t => t.Tgid == task.Tgid && t.Address != task.Address))
        {
            output.Write("\n  " + KernelContext.TaskHeader(thread) + "\n");
            WriteSignalData(output, kernel, thread, taskLevel: true, groupLevel: false, indent: "  ");
            if (thread.Pid == 0) idleShown = true;
        }
        output.Write("\n");
    }

    /// <summary>crash's dump_signal_data with TASK_LEVEL and/or THREAD_GROUP_LEVEL; <paramref name="indent"/> is TASK_INDENT.</summary>
    internal static void WriteSignalData(TextWriter output, LinuxKernel kernel, KernelTask task, bool taskLevel, bool groupLevel, string indent)
    {
        TaskSignals signals;
        try
        {
            signals = Signals.Read(kernel.Target, task.Address);
        }
        catch (KdumpDebugException e)
        {
            output.Write($"sig: task {task.Address:x}: cannot read its signal data: {e.Message}\n");
            return;
        }
        if (groupLevel)
        {
            output.Write($"{indent}SIGNAL_STRUCT: {signals.SignalStruct:x}  ");
            if (signals.SignalStruct == 0)
            {
                output.Write("\n");
                return;
            }
            output.Write($"NR_THREADS: {signals.NrThreads}\n");
            output.Write($"{indent} SIG {CrashColumns.MkString("SIGACTION", CrashColumns.VaddrWidth, Justify.Center)} "
                + $"{CrashColumns.MkString("HANDLER", CrashColumns.UvaddrWidth, Justify.Right)} "
                + $"{CrashColumns.MkString("MASK", 16, Justify.Center)} {CrashColumns.MkString("FLAGS", CrashColumns.VaddrWidth, Justify.Left)}\n");
            foreach (var action in signals.Actions.Take(NSig))
                output.Write(indent + FormatAction(action) + "\n");
            // A task past __exit_signal() has no sighand (crash stops the command on the NULL read).
            if (signals.Sighand == 0) output.Write($"sig: task {task.Address:x} has no sighand_struct\n");
        }
        if (taskLevel)
        {
            output.Write($"{indent}SIGPENDING: {(signals.SigPending ? "yes" : "no")}\n");
            output.Write($"{indent}   BLOCKED: {signals.Blocked:x16}\n");
            output.Write($"{indent}PRIVATE_PENDING\n");
            WritePending(output, signals.Private, indent);
        }
        if (groupLevel && signals.Shared is { } shared)
        {
            output.Write("SHARED_PENDING\n");
            WritePending(output, shared, indent);
        }
    }

    static void WritePending(TextWriter output, PendingSignals pending, string indent)
    {
        output.Write($"{indent}    SIGNAL: {pending.Signal:x16}\n");
        if (pending.Queue.Count == 0 && pending.Problem is null)
        {
            output.Write($"{indent}  SIGQUEUE: (empty)\n");
            return;
        }
        output.Write($"{indent}  SIGQUEUE:  SIG  {CrashColumns.MkString("SIGINFO", CrashColumns.VaddrWidth, Justify.Center | Justify.Left)}\n");
        foreach (var queued in pending.Queue) output.Write($"             {queued.Signal,3}  {queued.InfoAddress:x}\n");
        if (pending.Problem is not null) output.Write($"sig: {pending.Problem}\n");
    }

    /// <summary>One sigaction row: <c>[N] k_sigaction handler mask flags (SA_...)</c>.</summary>
    internal static string FormatAction(SignalAction action)
    {
        var handler = unchecked((long)action.Handler) switch
        {
            -1 => "SIG_ERR",
            0 => "SIG_DFL",
            1 => "SIG_IGN",
            _ => action.Handler.ToString("x"),
        };
        var line = new StringBuilder();
        line.Append(action.Signal < 10 ? " " : "").Append('[').Append(action.Signal).Append("] ");
        line.Append(CrashColumns.MkString(action.Address.ToString("x"), CrashColumns.UvaddrWidth, Justify.Left)).Append(' ');
        line.Append(CrashColumns.MkString(handler, CrashColumns.UvaddrWidth, Justify.Right)).Append(' ');
        line.Append(action.Mask.ToString("x16")).Append(' ').Append(action.Flags.ToString("x")).Append(' ');
        if (action.Flags != 0)
        {
            var names = SaFlags.Where(f => (action.Flags & f.Bit) != 0).Select(f => f.Name).ToList();
            if (names.Count > 0) line.Append('(').Append(string.Join('|', names)).Append(')');
        }
        return line.ToString();
    }

    /// <summary>crash's signame_list: every signal number with its name(s), real-time ones as SIGRTMIN+n / SIGRTMAX-n.</summary>
    internal static string SignalList()
    {
        var text = new StringBuilder();
        for (var i = 1; i <= NSig; i++)
        {
            if (i < SigRtMin) text.Append(i < 10 ? " " : "").Append($"[{i}] {Names[i]}\n");
            else text.Append($"[{i}] {RealTimeName(i)}\n");
        }
        return text.ToString();
    }

    /// <summary>crash's name for real-time signal <paramref name="sig"/>: SIGRTMIN+1..+16 up to 48, then SIGRTMAX-15..-1.</summary>
    static string RealTimeName(int sig)
    {
        if (sig == SigRtMin) return "SIGRTMIN";
        if (sig == NSig) return "SIGRTMAX";
        // sigrt_minmax: of the 31 in between, min = 16 go from SIGRTMIN, max = 15 count down to SIGRTMAX.
        var j = NSig - SigRtMin - 1;
        var max = j / 2;
        var min = j - max;
        var n = sig - SigRtMin;
        return n <= min ? $"SIGRTMIN+{n}" : $"SIGRTMAX-{NSig - sig}";
    }

    /// <summary>crash's translate_sigset: the names of the set bits, space-separated, wrapped before 80 columns; "(none)" for 0.</summary>
    internal static string TranslateSigset(ulong sigset)
    {
        if (sigset == 0) return "(none)\n";
        var text = new StringBuilder();
        var length = 0;
        var count = 0;
        for (var i = 1; i <= NSig; i++, sigset >>= 1)
        {
            if ((sigset & 1) == 0) continue;
            var name = i >= SigRtMin ? RealTimeName(i) : Names[i]!.Split('/')[0];
            var word = (count++ > 0 ? " " : "") + name;
            if (length + word.Length > 80)
            {
                // shift_string_left(buf, 1): the new line starts without the separating space.
                word = word[1..];
                text.Append('\n');
                length = 0;
            }
            length += word.Length;
            text.Append(word);
        }
        return text.Append('\n').ToString();
    }
}
