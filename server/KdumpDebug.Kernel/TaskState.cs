namespace KdumpDebug.Kernel;

/// <summary>
/// Task state bits (include/linux/sched.h) and the letters crash and ps print for them. crash
/// combines <c>__state | exit_state</c> and names the first bit that matches (task.c
/// task_state_string); drgn and procfs print one letter (fs/proc/array.c task_state_array).
/// </summary>
public static class TaskState
{
    public const ulong TaskRunning = 0x0;
    public const ulong TaskInterruptible = 0x1;
    public const ulong TaskUninterruptible = 0x2;
    public const ulong TaskStopped = 0x4;
    public const ulong TaskTraced = 0x8;
    public const ulong ExitDead = 0x10;
    public const ulong ExitZombie = 0x20;
    public const ulong TaskParked = 0x40;
    public const ulong TaskDead = 0x80;
    public const ulong TaskWakekill = 0x100;
    public const ulong TaskWaking = 0x200;
    /// <summary>TASK_NOLOAD: with TASK_UNINTERRUPTIBLE it is TASK_IDLE (since v4.2, commit 80ed87c8a9ca).</summary>
    public const ulong TaskNoload = 0x400;
    public const ulong TaskNew = 0x800;
    /// <summary>TASK_FROZEN: a task stopped by the freezer (since v6.1, commit f5d39b020809 "freezer,sched: Rewrite core freezer logic").</summary>
    public const ulong TaskFrozen = 0x8000;

    /// <summary>
    /// crash's two-letter state of <c>__state | exit_state</c> (task.c task_state_string): RU IN UN
    /// ID ZO ST TR DE PA WA NE, or "??" for bits crash does not name.
    /// </summary>
    public static string TaskStateToString(ulong state)
    {
        if (state == TaskRunning) return "RU";
        if ((state & TaskInterruptible) != 0) return "IN";
        if ((state & TaskUninterruptible) != 0) return (state & TaskNoload) != 0 ? "ID" : "UN";
        if ((state & ExitZombie) != 0) return "ZO";
        if ((state & TaskStopped) != 0) return "ST";
        if ((state & TaskTraced) != 0) return "TR";
        if ((state & (ExitDead | TaskDead)) != 0) return "DE";
        if ((state & TaskParked) != 0) return "PA";
        if ((state & TaskWaking) != 0) return "WA";
        if ((state & TaskNew) != 0) return "NE";
        // crash 8.0.2 does not know TASK_FROZEN ("??"); procfs and drgn report a frozen task as D.
        if ((state & TaskFrozen) != 0) return "UN";
        return "??";
    }

    /// <summary>
    /// The one-letter state procfs, ps(1) and drgn print (<c>task_state_to_char</c>):
    /// R S D T t X Z P I.
    /// </summary>
    public static char TaskStateToChar(ulong state) => TaskStateToString(state) switch
    {
        "RU" => 'R',
        "IN" => 'S',
        "UN" => 'D',
        "ID" => 'I',
        "ZO" => 'Z',
        "ST" => 'T',
        "TR" => 't',
        "DE" => 'X',
        "PA" => 'P',
        _ => '?',
    };

    /// <summary>crash's long state names for <c>sys</c>/<c>task</c>: TASK_RUNNING, TASK_INTERRUPTIBLE, ...</summary>
    public static string TaskStateName(ulong state) => TaskStateToString(state) switch
    {
        "RU" => "TASK_RUNNING",
        "IN" => "TASK_INTERRUPTIBLE",
        "UN" => "TASK_UNINTERRUPTIBLE",
        "ID" => "TASK_IDLE",
        "ZO" => "EXIT_ZOMBIE",
        "ST" => "TASK_STOPPED",
        "TR" => "TASK_TRACED",
        "DE" => "EXIT_DEAD",
        "PA" => "TASK_PARKED",
        "WA" => "TASK_WAKING",
        "NE" => "TASK_NEW",
        _ => $"0x{state:x}",
    };
}
