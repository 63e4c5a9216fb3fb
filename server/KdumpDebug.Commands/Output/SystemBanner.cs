using System.Globalization;
using KdumpDebug.Target;

namespace KdumpDebug.Commands.Output;

/// <summary>
/// The facts crash prints at start-up and in <c>sys</c> (kernel.c display_sys_stats), in its layout:
/// labels right-aligned to 12 columns, then ": ". Only lines whose values this dump provides are
/// printed (UPTIME, LOAD AVERAGE, TASKS, the clock rate, offline CPUs, and MEMORY/PANIC when the
/// summary lacks them come from <see cref="SystemFacts"/> when given). Formats follow
/// crash: DATE as strftime "%a %b %e %T %Z %Y" (in UTC here), MEMORY as pages_to_size(),
/// MACHINE with the clock rate ("unknown Mhz", crash's words, when cpu_khz cannot be read).
/// </summary>
public static class SystemBanner
{
    /// <summary>
    /// Writes the banner lines. <paramref name="kernelName"/> and <paramref name="dumpName"/> are
    /// the file names as the user gave them (crash prints its arguments, not resolved paths);
    /// null uses the summary's paths.
    /// </summary>
    public static void Write(TextWriter output, TargetSummary summary, string? kernelName = null, string? dumpName = null, SystemFacts? facts = null)
    {
        Line(output, "KERNEL", kernelName ?? summary.VmlinuxPath);
        Line(output, "DUMPFILE", (dumpName ?? summary.DumpPath) + (summary.IsPartialDump ? "  [PARTIAL DUMP]" : ""));
        if (summary.Cpus is int cpus)
            Line(output, "CPUS", cpus.ToString(CultureInfo.InvariantCulture) + (facts?.OfflineCpus is int offline and > 0 ? $" [OFFLINE: {offline}]" : ""));
        if (Date(summary, facts) is DateTimeOffset date) Line(output, "DATE", FormatDate(date));
        if (facts?.Uptime is string uptime) Line(output, "UPTIME", uptime);
        if (facts?.LoadAverage is string load) Line(output, "LOAD AVERAGE", load);
        if (facts?.Tasks is int tasks) Line(output, "TASKS", tasks.ToString(CultureInfo.InvariantCulture));
        if (summary.NodeName is string node) Line(output, "NODENAME", node);
        if (summary.Release is string release) Line(output, "RELEASE", release);
        if (summary.Version is string version) Line(output, "VERSION", version);
        if (summary.Machine is string machine)
            Line(output, "MACHINE", $"{machine}  ({(facts?.CpuMhz is ulong mhz ? mhz.ToString(CultureInfo.InvariantCulture) : "unknown")} Mhz)");
        if ((summary.MemoryBytes ?? facts?.MemoryBytes) is ulong memory) Line(output, "MEMORY", FormatSize(memory));
        if ((summary.PanicMessage ?? facts?.PanicMessage) is string panic) Line(output, "PANIC", FormatPanic(panic));
    }

    /// <summary>
    /// The DATE crash prints: the dump header's time, or, when the header carries none (a QEMU
    /// dump's is the epoch), the kernel's clock (<see cref="SystemFacts.Date"/>). Null when neither is known.
    /// </summary>
    public static DateTimeOffset? Date(TargetSummary summary, SystemFacts? facts)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return summary.Date is { Year: > 1970 } known ? known : facts?.Date ?? summary.Date;
    }

    static void Line(TextWriter output, string label, string value) => output.Write($"{label,12}: {value}\n");

    /// <summary>"Thu Nov 26 09:54:50 UTC 2026": strftime's %e pads the day with a space.</summary>
    public static string FormatDate(DateTimeOffset date)
    {
        var utc = date.ToUniversalTime();
        var inv = CultureInfo.InvariantCulture;
        return $"{utc.ToString("ddd MMM", inv)} {utc.Day,2} {utc.ToString("HH:mm:ss", inv)} UTC {utc.ToString("yyyy", inv)}";
    }

    /// <summary>
    /// crash's pages_to_size(): "%.1f GB" from 1 GiB, "%.1f MB" from 1 MiB, else "%ld KB", and a
    /// trailing ".0" dropped ("2 GB"). Rounding is to nearest, ties to even, as glibc's printf
    /// rounds an exactly representable tie (319.25 -> "319.2").
    /// </summary>
    public static string FormatSize(ulong bytes)
    {
        if (bytes == 0) return "0";
        string text;
        if (bytes >= 1UL << 30) text = OneDecimal(bytes, 30) + " GB";
        else if (bytes >= 1UL << 20) text = OneDecimal(bytes, 20) + " MB";
        else return (bytes >> 10).ToString(CultureInfo.InvariantCulture) + " KB";
        return text.Replace(".0 ", " ", StringComparison.Ordinal);
    }

    static string OneDecimal(ulong bytes, int shift)
    {
        // decimal keeps 28 digits, so memory sizes (a whole number of pages) divide exactly and a
        // tie such as 319.25 stays a tie for the even rounding.
        var value = (decimal)bytes / (1UL << shift);
        return Math.Round(value, 1, MidpointRounding.ToEven).ToString("0.0", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The panic message in quotes; crash adds "(check log for details)" when the message is an
    /// oops or BUG rather than a panic() string (kernel.c get_panicmsg).
    /// </summary>
    public static string FormatPanic(string message)
    {
        var quoted = $"\"{message}\"";
        return message.StartsWith("Kernel panic", StringComparison.Ordinal) ? quoted : quoted + " (check log for details)";
    }
}
