using KdumpDebug.Kernel;

namespace KdumpDebug.Commands.Triage;

/// <summary>A task as the triage report names it: PID, COMM, task_struct address, CPU, crash's state letters and long state name.</summary>
public sealed record TriageTask(int Pid, string Comm, ulong Address, int Cpu, string State, string StateName);

/// <summary>
/// A code location of the report: the kernel's <c>function+0xoff/0xsize [module]</c> text, the
/// function and module apart, the address, and the source line (<c>file:line</c>) when DWARF has it.
/// </summary>
public sealed record TriageLocation(string Text, string? Function, string? Module, ulong Pc, string? Source);

/// <summary>The task on one CPU when the dump was taken and where it was (the first frame that is not crash machinery).</summary>
public sealed record TriageCpu(int Cpu, TriageTask? Task, string Top, bool IsPanicCpu);

/// <summary>Memory from <c>kmem -i</c>'s data: total RAM and free pages, in bytes.</summary>
public sealed record TriageMemory(ulong? TotalBytes, ulong? FreeBytes);

/// <summary>
/// Everything <c>kdumpdebug triage</c> reports, gathered by <see cref="TriageCollector"/> and
/// printed by <see cref="TriageTextWriter"/> or <see cref="TriageJsonWriter"/> (the same facts
/// under stable names). A fact that could not be read is null (or empty) and explained by one
/// line in <see cref="Problems"/>. Immutable.
/// </summary>
public sealed record TriageReport
{
    // The kernel and the dump (what sys prints).
    public string? Release { get; init; }
    public string? Version { get; init; }
    public string? Machine { get; init; }
    public string? NodeName { get; init; }
    public required string Vmlinux { get; init; }
    public required string DumpFile { get; init; }
    public bool PartialDump { get; init; }
    /// <summary>sys's DATE, formatted as crash prints it.</summary>
    public string? Date { get; init; }
    public string? Uptime { get; init; }
    public int? Cpus { get; init; }
    public int? OfflineCpus { get; init; }
    public int? Tasks { get; init; }

    // The panic.
    public string? PanicMessage { get; init; }
    public required PanicReason Reason { get; init; }
    /// <summary>print_tainted()'s text ("Not tainted", "Tainted: G      D     ").</summary>
    public string? Taint { get; init; }
    public ulong? TaintedMask { get; init; }

    // The panic task and where it crashed.
    public TriageTask? PanicTask { get; init; }
    /// <summary>The code an exception interrupted (the oops's RIP line), when the crash came through an exception frame.</summary>
    public TriageLocation? ExceptionRip { get; init; }
    public TriageLocation? Suspect { get; init; }
    public IReadOnlyList<CallTraceEntry> CallTrace { get; init; } = [];

    /// <summary>The crash report from the log, each line with <c>log</c>'s <c>[seconds.micros]</c> prefix.</summary>
    public IReadOnlyList<string> Log { get; init; } = [];

    // The rest of the system.
    public IReadOnlyList<TriageCpu> OnCpu { get; init; } = [];
    public int? UninterruptibleCount { get; init; }
    /// <summary>The first tasks in state UN (TASK_UNINTERRUPTIBLE), by PID; at most <see cref="TriageCollector.MaxListedTasks"/>.</summary>
    public IReadOnlyList<TriageTask> Uninterruptible { get; init; } = [];
    public int? ZombieCount { get; init; }
    public TriageMemory? Memory { get; init; }

    public IReadOnlyList<string> Problems { get; init; } = [];
}
