using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel;

/// <summary>
/// Kernel-wide facts <c>sys</c> prints that need kernel data: uptime from <c>jiffies_64</c>, the
/// load average from <c>avenrun</c>, the CPU clock from <c>cpu_khz</c>. Each is a couple of reads.
/// </summary>
public static class SystemInfo
{
    /// <summary>
    /// The tick rate: <c>NSEC_PER_SEC / tick_nsec</c> rounded (kernel/time/ntp.c initialises
    /// tick_nsec to TICK_NSEC = (NSEC_PER_SEC + HZ/2) / HZ). CONFIG_HZ is not otherwise in the
    /// vmlinux's debug info (crash reads it from the in-kernel config); 1000 when unreadable.
    /// </summary>
    public static int Hz(KernelTarget target)
    {
        try
        {
            if (target.Objects.TryVariable("tick_nsec", out var tick) && tick.ReadUnsigned() is var ns and > 0)
                return (int)Math.Round(1e9 / ns);
        }
        catch (KdumpDebugException)
        {
        }
        return 1000;
    }

    /// <summary>
    /// Time since boot: <c>(jiffies_64 - INITIAL_JIFFIES) / HZ</c>, INITIAL_JIFFIES being
    /// <c>(unsigned long)(unsigned int)(-300 * HZ)</c> (include/linux/jiffies.h: jiffies start 5
    /// minutes before wrapping a 32-bit counter).
    /// </summary>
    public static TimeSpan Uptime(KernelTarget target) =>
        TimeSpan.FromSeconds((double)(UptimeTicks(target) / (ulong)Hz(target)));

    /// <summary>Ticks since boot: <c>jiffies_64 - INITIAL_JIFFIES</c> (see <see cref="Uptime"/>).</summary>
    public static ulong UptimeTicks(KernelTarget target)
    {
        var jiffies = target.Objects.Variable("jiffies_64").ReadUnsigned();
        var initial = (ulong)unchecked((uint)(-300 * Hz(target)));
        return unchecked(jiffies - initial);
    }

    /// <summary>crash's convert_time: "00:00:03", or "2 days, 03:04:05".</summary>
    public static string FormatUptime(TimeSpan uptime)
    {
        var hms = $"{uptime.Hours:00}:{uptime.Minutes:00}:{uptime.Seconds:00}";
        return uptime.Days > 0 ? $"{uptime.Days} day{(uptime.Days == 1 ? "" : "s")}, {hms}" : hms;
    }

    /// <summary>
    /// The 1, 5 and 15 minute load averages as /proc/loadavg prints them ("0.00, 0.00, 0.00"):
    /// <c>avenrun[]</c> is fixed point with FSHIFT 11, rounded by adding FIXED_1/200
    /// (kernel/sched/loadavg.c get_avenrun, fs/proc/loadavg.c).
    /// </summary>
    public static string LoadAverage(KernelTarget target)
    {
        const ulong fixed1 = 1 << 11;
        var avenrun = target.Objects.Variable("avenrun");
        var parts = new string[3];
        for (var i = 0; i < 3; i++)
        {
            var a = avenrun.Index(i).ReadUnsigned() + fixed1 / 200;
            parts[i] = $"{a >> 11}.{((a & (fixed1 - 1)) * 100) >> 11:00}";
        }
        return string.Join(", ", parts);
    }

    /// <summary>The CPU clock in MHz (<c>cpu_khz / 1000</c>, arch/x86/kernel/tsc.c), or null when unknown.</summary>
    public static ulong? CpuMhz(KernelTarget target)
    {
        try
        {
            if (target.Objects.TryVariable("cpu_khz", out var khz) && khz.ReadUnsigned() is var k and > 0) return k / 1000;
        }
        catch (KdumpDebugException)
        {
        }
        return null;
    }

    /// <summary>
    /// Physical memory in pages as crash's MEMORY line counts it: the sum of
    /// <c>node_present_pages</c> over the memory nodes (<c>contig_page_data</c> without NUMA,
    /// <c>node_data[]</c> with it). Null when neither can be read.
    /// </summary>
    public static ulong? PresentPages(KernelTarget target)
    {
        try
        {
            if (target.Objects.TryVariable("contig_page_data", out var contig)) return contig.Member("node_present_pages").ReadUnsigned();
            if (target.Objects.TryVariable("node_data", out var nodes) && nodes.UnderlyingType.Count is ulong count)
            {
                ulong total = 0;
                for (var i = 0L; i < (long)Math.Min(count, 1024); i++)
                {
                    var node = nodes.Index(i).ReadUnsigned();
                    if (node != 0) total += target.Objects.At("struct pglist_data", node).Member("node_present_pages").ReadUnsigned();
                }
                return total;
            }
        }
        catch (KdumpDebugException)
        {
        }
        return null;
    }

    /// <summary>
    /// The panic message as crash's get_panicmsg finds it in the log: the "Kernel panic - not
    /// syncing" line, else the "Oops: " line, else a "BUG: " line; null when none is logged.
    /// </summary>
    public static string? PanicMessage(IReadOnlyList<PrintkRecord> records)
    {
        foreach (var marker in new[] { "Kernel panic - not syncing", "Oops: ", "BUG: " })
        {
            foreach (var record in records)
            {
                var at = record.Text.IndexOf(marker, StringComparison.Ordinal);
                if (at >= 0) return record.Text[at..].Split('\n')[0].TrimEnd();
            }
        }
        return null;
    }

    /// <summary>
    /// The kernel's wall-clock time (seconds part): <c>tk_core.timekeeper.xtime_sec</c> (since
    /// v3.17, commit 3fdb14fd1df7 "timekeeping: Create struct tk_read_base and use it in struct
    /// timekeeper"); what crash prints as DATE when the dump header has no time (QEMU dumps).
    /// </summary>
    public static DateTimeOffset? WallClock(KernelTarget target)
    {
        try
        {
            if (target.Objects.TryVariable("tk_core", out var core))
            {
                var seconds = core.Member("timekeeper").Member("xtime_sec").ReadSigned();
                if (seconds > 0) return DateTimeOffset.FromUnixTimeSeconds(seconds);
            }
        }
        catch (KdumpDebugException)
        {
        }
        return null;
    }
}
