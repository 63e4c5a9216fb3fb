using System.Globalization;
using KdumpDebug.Commands.Output;

namespace KdumpDebug.Commands.Triage;

/// <summary>
/// The plain-text triage report, made to be read first and grepped: one <c>KEY  value</c> line per
/// fact (keys upper case, values from column 17; a fact that is unknown is left out), then
/// sections, each a header line ending in ':' and its lines indented by two spaces: CALL TRACE,
/// ON CPU, D-STATE TASKS, LOG, PROBLEMS (a section with nothing to show is left out). No colours,
/// no tables that wrap.
/// </summary>
public static class TriageTextWriter
{
    const int KeyWidth = 16;

    public static void Write(TextWriter output, TriageReport report)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(report);
        var inv = CultureInfo.InvariantCulture;
        void Line(string key, string? value)
        {
            if (value is not null) output.Write($"{key.PadRight(KeyWidth - 1)} {value}\n");
        }

        Line("RELEASE", report.Release);
        Line("VERSION", report.Version);
        Line("MACHINE", report.Machine);
        Line("NODENAME", report.NodeName);
        Line("KERNEL", report.Vmlinux);
        Line("DUMPFILE", report.DumpFile + (report.PartialDump ? "  [PARTIAL DUMP]" : ""));
        Line("DATE", report.Date);
        Line("UPTIME", report.Uptime);
        Line("CPUS", report.Cpus is int cpus ? cpus.ToString(inv) + (report.OfflineCpus is int off and > 0 ? $" [OFFLINE: {off}]" : "") : null);
        Line("TASKS", report.Tasks?.ToString(inv));
        Line("PANIC", report.PanicMessage);
        Line("REASON", $"{report.Reason.Kind}: {report.Reason.Summary}");
        foreach (var detail in report.Reason.Details) Line("DETAIL", detail);
        // print_tainted() keeps the clear-bit spaces; a trailing run of them only hides in a terminal.
        Line("TAINT", report.Taint?.TrimEnd());
        if (report.PanicTask is { } task)
        {
            Line("PID", task.Pid.ToString(inv));
            Line("COMM", task.Comm);
            Line("TASK", task.Address.ToString("x", inv));
            Line("CPU", task.Cpu.ToString(inv));
            Line("STATE", $"{task.State} ({task.StateName})");
        }
        if (report.ExceptionRip is { } rip) Line("RIP", rip.Text + (rip.Source is string rs ? $"  {rs}" : ""));
        if (report.Suspect is { } suspect)
            Line("SUSPECT", (suspect.Function ?? suspect.Text) + (suspect.Module is string m ? $" [{m}]" : "") + (suspect.Source is string ss ? $"  {ss}" : ""));
        if (report.Memory is { } memory && memory.TotalBytes is ulong total)
            Line("MEMORY", $"{SystemBanner.FormatSize(total)} total" + (memory.FreeBytes is ulong free ? $", {SystemBanner.FormatSize(free)} free" : ""));
        Line("D-STATE", report.UninterruptibleCount?.ToString(inv));
        Line("ZOMBIES", report.ZombieCount?.ToString(inv));

        Section(output, "CALL TRACE", report.CallTrace.Select(e => e.Text));
        Section(output, "ON CPU", report.OnCpu.Select(c =>
            c.Task is { } t
                ? $"CPU {c.Cpu.ToString(inv),-3} PID {t.Pid.ToString(inv),-7} {("\"" + t.Comm + "\""),-18} {t.Address:x}  {c.Top}{(c.IsPanicCpu ? "  [PANIC]" : "")}"
                : $"CPU {c.Cpu.ToString(inv),-3} {c.Top}"));
        var unlisted = (report.UninterruptibleCount ?? 0) - report.Uninterruptible.Count;
        Section(output, "D-STATE TASKS", report.Uninterruptible.Select(t => $"PID {t.Pid.ToString(inv),-7} {("\"" + t.Comm + "\""),-18} {t.Address:x}")
            .Concat(unlisted > 0 ? [$"... and {unlisted} more (ps | grep UN)"] : []));
        Section(output, "LOG", report.Log);
        Section(output, "PROBLEMS", report.Problems);
    }

    /// <summary>A section header and its lines; a section without lines is left out (PROBLEMS says why).</summary>
    static void Section(TextWriter output, string name, IEnumerable<string> lines)
    {
        var header = false;
        foreach (var line in lines)
        {
            if (!header) output.Write($"\n{name}:\n");
            header = true;
            output.Write($"  {line}\n");
        }
    }
}
