namespace KdumpDebug.Kernel;

/// <summary>
/// What kind of crash a report in the kernel log describes, in the kernel's own words:
/// <see cref="Kind"/> is a stable id (the <c>PanicReason.*</c> constants), <see cref="Summary"/>
/// one line ("kernel NULL pointer dereference, address: 0000000000000000"), <see cref="Details"/>
/// the lines that qualify it ("#PF: supervisor write access in kernel mode", the oops header,
/// the panic line). Immutable.
/// </summary>
public sealed record PanicReason(string Kind, string Summary, IReadOnlyList<string> Details)
{
    public const string NullPointerDereference = "null-pointer-dereference";
    public const string PageFault = "page-fault";
    public const string Bug = "bug";
    public const string GeneralProtectionFault = "general-protection-fault";
    public const string SoftLockup = "soft-lockup";
    public const string HardLockup = "hard-lockup";
    public const string HungTask = "hung-task";
    public const string OutOfMemory = "out-of-memory";
    public const string Warning = "warning";
    public const string RcuStall = "rcu-stall";
    public const string Sysrq = "sysrq";
    public const string Oops = "oops";
    public const string Panic = "panic";
    public const string Unknown = "unknown";

    /// <summary>True for the kinds where the stuck code, not the detector that panicked, is at fault.</summary>
    public bool IsLockup => Kind is SoftLockup or HardLockup or RcuStall;

    /// <summary>
    /// Classifies the lines of a crash report (<see cref="CrashReport"/>, without log prefixes),
    /// first cause first: the first line that names a cause wins (an oops's "BUG:", "kernel BUG
    /// at", a lockup or hung-task report, a WARNING, sysrq's trigger); else an oops header
    /// (<c>STR: ERR [#N]</c>); else the panic() message itself ("sysrq triggered crash",
    /// "softlockup: hung tasks", "Hard LOCKUP", "hung_task: blocked tasks", an out-of-memory
    /// panic, "panic_on_warn set", "RCU Stall", "Fatal exception"), and plain panic() otherwise.
    /// Pure.
    /// </summary>
    public static PanicReason Classify(IReadOnlyList<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var panicLine = lines.FirstOrDefault(CrashReport.IsPanicLine);
        var panicMessage = panicLine is null ? null : panicLine.Contains(": ", StringComparison.Ordinal)
            ? panicLine[(panicLine.IndexOf(": ", StringComparison.Ordinal) + 2)..].Trim() : "";
        var header = lines.FirstOrDefault(CrashReport.IsDieHeader);
        var details = new List<string>();
        void Add(string? line)
        {
            if (line is not null && !details.Contains(line)) details.Add(line);
        }
        PanicReason Make(string kind, string summary)
        {
            Add(header);
            Add(panicLine);
            return new PanicReason(kind, summary, details.ToArray());
        }

        foreach (var raw in lines)
        {
            var line = raw.Trim();
            // arch/x86/mm/fault.c show_fault_oops(): "BUG: kernel NULL pointer dereference, address: %px"
            // or "BUG: unable to handle page fault for address: %px", then "#PF: ..." lines. Before
            // v5.1 (commit f28b11a2abd9) they read "unable to handle kernel NULL pointer dereference at"
            // and "unable to handle kernel paging request at".
            var np = AfterBug(line, "kernel NULL pointer dereference") ?? AfterBug(line, "unable to handle kernel NULL pointer dereference");
            if (np is not null)
            {
                foreach (var pf in lines.Where(l => l.TrimStart().StartsWith("#PF: ", StringComparison.Ordinal))) Add(pf.Trim());
                return Make(NullPointerDereference, np);
            }
            var pf1 = AfterBug(line, "unable to handle page fault") ?? AfterBug(line, "unable to handle kernel paging request");
            if (pf1 is not null)
            {
                foreach (var pf in lines.Where(l => l.TrimStart().StartsWith("#PF: ", StringComparison.Ordinal))) Add(pf.Trim());
                return Make(PageFault, pf1);
            }
            if (line.StartsWith("kernel BUG at ", StringComparison.Ordinal)) return Make(Bug, line);
            if (line.StartsWith("general protection fault", StringComparison.Ordinal))
            {
                var end = line.IndexOf(" [#", StringComparison.Ordinal);
                return Make(GeneralProtectionFault, end > 0 ? line[..end] : line);
            }
            if (line.Contains("BUG: soft lockup", StringComparison.Ordinal))
                return Make(SoftLockup, line[(line.IndexOf("BUG: ", StringComparison.Ordinal) + 5)..]);
            if (line.Contains("Watchdog detected hard LOCKUP", StringComparison.Ordinal))
                return Make(HardLockup, line[line.IndexOf("Watchdog detected hard LOCKUP", StringComparison.Ordinal)..]);
            if (line.StartsWith("INFO: task ", StringComparison.Ordinal) && line.Contains(" blocked for more than ", StringComparison.Ordinal))
                return Make(HungTask, "hung task: " + line["INFO: ".Length..]);
            if (line.Contains("INFO: rcu_", StringComparison.Ordinal) && line.Contains("detected stall", StringComparison.Ordinal))
                return Make(RcuStall, line[line.IndexOf("rcu_", StringComparison.Ordinal)..]);
            if (line.Contains(" invoked oom-killer: ", StringComparison.Ordinal) || line.StartsWith("Out of memory", StringComparison.Ordinal))
                return Make(OutOfMemory, OutOfMemorySummary(lines, panicMessage));
            if (line.StartsWith("WARNING: ", StringComparison.Ordinal))
            {
                var onWarn = panicMessage?.Contains("panic_on_warn", StringComparison.Ordinal) == true;
                return Make(Warning, line + (onWarn ? " (with panic_on_warn)" : ""));
            }
            if (line.StartsWith("sysrq: Trigger a crash", StringComparison.Ordinal))
                return Make(Sysrq, "sysrq triggered crash (echo c > /proc/sysrq-trigger)");
        }
        if (header is not null)
        {
            var end = header.IndexOf(" [#", StringComparison.Ordinal);
            return Make(Oops, end > 0 ? header[..end] : header);
        }
        if (panicMessage is null) return new PanicReason(Unknown, "no crash report in the kernel log", []);
        if (panicMessage.StartsWith("sysrq triggered crash", StringComparison.Ordinal))
            return Make(Sysrq, "sysrq triggered crash (echo c > /proc/sysrq-trigger)");
        if (panicMessage.StartsWith("softlockup", StringComparison.Ordinal)) return Make(SoftLockup, "soft lockup: " + panicMessage);
        if (panicMessage.StartsWith("Hard LOCKUP", StringComparison.Ordinal)) return Make(HardLockup, "hard LOCKUP");
        if (panicMessage.StartsWith("hung_task", StringComparison.Ordinal)) return Make(HungTask, "hung task: " + panicMessage);
        if (panicMessage.Contains("Out of memory", StringComparison.OrdinalIgnoreCase) || panicMessage.Contains("deadlocked on memory", StringComparison.Ordinal))
            return Make(OutOfMemory, OutOfMemorySummary(lines, panicMessage));
        if (panicMessage.Contains("panic_on_warn", StringComparison.Ordinal)) return Make(Warning, "WARNING with panic_on_warn");
        if (panicMessage.StartsWith("RCU Stall", StringComparison.Ordinal)) return Make(RcuStall, "RCU stall");
        if (panicMessage.StartsWith("Fatal exception", StringComparison.Ordinal)) return Make(Oops, panicMessage);
        return Make(Panic, "panic(): " + panicMessage);
    }

    /// <summary>The text after "BUG: WHAT" when <paramref name="line"/> is that oops line, starting at WHAT.</summary>
    static string? AfterBug(string line, string what)
    {
        var at = line.IndexOf("BUG: " + what, StringComparison.Ordinal);
        return at < 0 ? null : line[(at + 5)..];
    }

    static string OutOfMemorySummary(IReadOnlyList<string> lines, string? panicMessage)
    {
        var killed = lines.Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("Out of memory", StringComparison.Ordinal));
        var text = panicMessage is { Length: > 0 } ? panicMessage : killed ?? "oom-killer invoked";
        return text.StartsWith("Out of memory", StringComparison.OrdinalIgnoreCase) ? text : "out of memory: " + text;
    }
}
