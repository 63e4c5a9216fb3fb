using System.Text.RegularExpressions;

namespace KdumpDebug.Kernel;

/// <summary>
/// The last crash report in the kernel log: the records from the line that opened it (an oops's
/// <c>BUG:</c>, a <c>kernel BUG at</c>, a WARN's <c>cut here</c>, <c>sysrq: Trigger a crash</c>, a
/// lockup or hung-task report) through the end of the log, which holds the oops header, registers,
/// Call Trace and the <c>Kernel panic - not syncing</c> line. <see cref="Start"/> and
/// <see cref="End"/> (exclusive) index the records given to <see cref="Find"/>;
/// <see cref="Terminal"/> is the panic line, else the oops header, that anchored the search.
/// </summary>
public sealed partial record CrashReport(int Start, int Terminal, int End)
{
    /// <summary>How far before the anchor line a report's first line may be: a report is printed in one go.</summary>
    const int MaxRecordsBack = 200;

    /// <summary>Records older than this before the anchor belong to something else (an earlier, survived warning).</summary>
    const ulong MaxNanosecondsBack = 10_000_000_000;

    /// <summary>How far above an oops header its cause line is (fault.c prints "BUG:", two "#PF:" lines and the page-table walk).</summary>
    const int MaxCauseAboveHeader = 12;

    /// <summary>
    /// Finds the report: the anchor is the last <c>Kernel panic - not syncing</c> record, else the
    /// last oops header (<c>STR: ERR [#N]</c>, arch/x86/kernel/dumpstack.c __die_header), else the
    /// last line that opens a report; then the nearest report-opening line before it, printed
    /// within <see cref="MaxNanosecondsBack"/>; for an oops header, the cause line just above it;
    /// and a <c>------------[ cut here ]------------</c> right before that. Null when the log shows
    /// no crash. Pure: reads only the records' text and timestamps.
    /// </summary>
    public static CrashReport? Find(IReadOnlyList<PrintkRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var anchor = LastIndex(records, r => IsPanicLine(r.Text));
        if (anchor < 0) anchor = LastIndex(records, r => IsDieHeader(r.Text));
        if (anchor < 0) anchor = LastIndex(records, r => IsReportStart(r.Text));
        if (anchor < 0) return null;
        var start = anchor;
        if (!IsReportStart(records[anchor].Text))
        {
            var anchorTime = records[anchor].TimestampNs;
            for (var i = anchor - 1; i >= 0 && i >= anchor - MaxRecordsBack; i--)
            {
                if (anchorTime > records[i].TimestampNs && anchorTime - records[i].TimestampNs > MaxNanosecondsBack) break;
                var text = records[i].Text;
                if (IsPanicLine(text)) break;
                if (IsReportStart(text))
                {
                    start = i;
                    break;
                }
                if (IsDieHeader(text))
                {
                    start = i;
                    for (var j = i - 1; j >= 0 && j >= i - MaxCauseAboveHeader; j--)
                    {
                        if (IsReportStart(records[j].Text))
                        {
                            start = j;
                            break;
                        }
                    }
                    break;
                }
            }
        }
        if (start == anchor && IsDieHeader(records[anchor].Text))
        {
            for (var j = anchor - 1; j >= 0 && j >= anchor - MaxCauseAboveHeader; j--)
            {
                if (IsReportStart(records[j].Text))
                {
                    start = j;
                    break;
                }
            }
        }
        if (start > 0 && IsCutHere(records[start - 1].Text)) start--;
        return new CrashReport(start, anchor, records.Count);
    }

    static int LastIndex(IReadOnlyList<PrintkRecord> records, Func<PrintkRecord, bool> match)
    {
        for (var i = records.Count - 1; i >= 0; i--)
            if (match(records[i])) return i;
        return -1;
    }

    /// <summary>The report's lines: the texts of records <see cref="Start"/>..<see cref="End"/>, a multi-line record split at its newlines.</summary>
    public IReadOnlyList<string> Lines(IReadOnlyList<PrintkRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var lines = new List<string>();
        for (var i = Start; i < End && i < records.Count; i++) lines.AddRange(records[i].Text.Split('\n'));
        return lines;
    }

    /// <summary>panic()'s own line (kernel/panic.c: pr_emerg("Kernel panic - not syncing: %s\n")).</summary>
    public static bool IsPanicLine(string text) => text.StartsWith("Kernel panic - not syncing", StringComparison.Ordinal);

    /// <summary>__die_header's "STR: %04lx [#%d]..." ("Oops: 0002 [#1] SMP NOPTI", "invalid opcode: 0000 [#1] SMP").</summary>
    public static bool IsDieHeader(string text) => DieHeader().IsMatch(text);

    /// <summary>WARN()/BUG()'s separator line (include/asm-generic/bug.h CUT_HERE).</summary>
    public static bool IsCutHere(string text) => text.StartsWith("------------[ cut here ]------------", StringComparison.Ordinal);

    /// <summary>A line that opens a crash report (the first line a console reader looks for).</summary>
    public static bool IsReportStart(string text) =>
        text.StartsWith("BUG: ", StringComparison.Ordinal)
        || text.Contains(": BUG: ", StringComparison.Ordinal)           // "watchdog: BUG: soft lockup - CPU#0 stuck for 22s!"
        || text.StartsWith("kernel BUG at ", StringComparison.Ordinal)  // lib/bug.c report_bug
        || text.StartsWith("WARNING: ", StringComparison.Ordinal)       // kernel/panic.c __warn
        || text.StartsWith("general protection fault", StringComparison.Ordinal)
        || text.StartsWith("sysrq: Trigger a crash", StringComparison.Ordinal)
        || text.Contains("Watchdog detected hard LOCKUP", StringComparison.Ordinal)
        || (text.StartsWith("INFO: task ", StringComparison.Ordinal) && text.Contains(" blocked for more than ", StringComparison.Ordinal))
        || text.Contains(" invoked oom-killer: ", StringComparison.Ordinal)
        || (text.Contains("INFO: rcu_", StringComparison.Ordinal) && text.Contains("detected stall", StringComparison.Ordinal));

    [GeneratedRegex(@"^[^\n]+: [0-9a-f]{4} \[#\d+\]")]
    private static partial Regex DieHeader();
}
