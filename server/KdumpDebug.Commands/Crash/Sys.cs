using KdumpDebug.Commands.Output;
using KdumpDebug.Commands.Parsing;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>sys</c>: the system facts in crash's layout (kernel.c display_sys_stats: KERNEL
/// DUMPFILE CPUS DATE UPTIME LOAD AVERAGE TASKS NODENAME RELEASE VERSION MACHINE MEMORY PANIC),
/// then the panic task's PID COMMAND TASK CPU STATE. TASKS counts every task including the
/// per-CPU idle tasks, as crash does. The sub-commands (<c>sys -c</c>, <c>sys config</c> ...) are
/// not supported yet.
/// </summary>
public sealed class SysCommand : ICommand
{
    public CommandHelp Help { get; } = new(
        Name: "sys",
        Aliases: [],
        Summary: "system data",
        Synopsis: "sys",
        Description: """
            Display essential system information: the kernel and dump files, CPUs, the
            time of the dump, uptime, load average, number of tasks, the utsname fields,
            memory size, the panic message, and the panic task.
            """,
        Examples: """
              crash> sys
                    KERNEL: vmlinux
                  DUMPFILE: vmcore.kdump-zlib  [PARTIAL DUMP]
                      CPUS: 2
                      DATE: Thu Nov 26 09:54:50 UTC 2026
                    UPTIME: 00:00:03
              LOAD AVERAGE: 0.00, 0.00, 0.00
                     TASKS: 47
                  NODENAME: fixture-vm
                   RELEASE: 6.1.192-fixture
                   VERSION: #1 SMP 2025-01-01 00:00:00 UTC
                   MACHINE: x86_64  (2596 Mhz)
                    MEMORY: 319.5 MB
                     PANIC: "Kernel panic - not syncing: sysrq triggered crash"
                       PID: 68
                   COMMAND: "sh"
                      TASK: ffffa0f7c0a9a880  [THREAD_INFO: ffffa0f7c0a9a880]
                       CPU: 0
                     STATE: TASK_RUNNING (PANIC)
            """)
    {
        Options = "",
    };

    public void Execute(CommandContext context)
    {
        var parsed = GetOpt.Parse(context.Arguments, Help.Options!);
        if (parsed.Operands.Count > 0) throw new CommandException($"sub-command not supported yet: {parsed.Operands[0]}");
        var summary = context.Target.Summary;
        SystemBanner.Write(context.Out, summary, Path.GetFileName(summary.VmlinuxPath), Path.GetFileName(summary.DumpPath), SystemFacts.Read(context.Target));
        var kernel = context.Kernel();
        if (kernel.Panic is { } panic && kernel.Tasks.FindByAddress(panic.TaskAddress) is { } task)
            KernelContext.WriteContext(context.Out, task, isPanicTask: true, 12);
    }
}
