using System.Globalization;
using KdumpDebug.Commands.Output;
using KdumpDebug.Commands.Parsing;
using KdumpDebug.Kernel;
using KdumpDebug.Target;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>log</c>: the kernel log buffer, oldest first, each line <c>[seconds.micros] text</c>
/// (kernel.c dump_log_entry); <c>-T</c> prints the wall-clock time instead (the dump's date minus
/// the uptime, plus the record's timestamp), <c>-m</c> puts the <c>&lt;level&gt;</c> before each line. Records
/// come from <see cref="Printk"/> (lockless ring buffer or the old log_buf).
/// </summary>
public sealed class LogCommand : ICommand
{
    public CommandHelp Help { get; } = new(
        Name: "log",
        Aliases: [],
        Summary: "dump system message buffer",
        Synopsis: "log [-T] [-m]",
        Description: """
            Dump the kernel log buffer, oldest record first, each line prefixed with its
            time since boot in seconds.

                -T  show each record's time as a human-readable date instead.
                -m  show each record's log level, as "<N>", before each line.
            """,
        Examples: """
              crash> log
              [    0.000000] Linux version 6.1.192-fixture (fixture@fixture-factory) ...
              ...
              [    3.796433] Kernel panic - not syncing: sysrq triggered crash
            """)
    {
        Options = "Tm",
    };

    public void Execute(CommandContext context)
    {
        var parsed = GetOpt.Parse(context.Arguments, Help.Options!);
        var human = parsed.Options.Any(o => o.Name == 'T');
        var levels = parsed.Options.Any(o => o.Name == 'm');
        var kernel = context.Kernel();
        DateTimeOffset? boot = null;
        if (human && context.Target.Summary.Date is DateTimeOffset date)
            boot = date - SystemInfo.Uptime(kernel.Target);
        foreach (var record in kernel.LogRecords)
        {
            string prefix;
            if (boot is DateTimeOffset b)
                prefix = $"[{SystemBanner.FormatDate(b.AddTicks((long)(record.TimestampNs / 100)))}] ";
            else
                prefix = TimestampPrefix(record);
            // crash's -m: the level in angle brackets before everything else (kernel.c dump_log_entry).
            if (levels) prefix = $"<{record.Level}>" + prefix;
            foreach (var line in Lines(record, prefix)) context.Out.Write(line + "\n");
        }
        foreach (var problem in kernel.LogProblems) context.Out.Write($"log: {problem}\n");
    }

    /// <summary>crash's time prefix of a record: <c>"[    3.796433] "</c> (seconds since boot, microseconds).</summary>
    public static string TimestampPrefix(PrintkRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return string.Create(CultureInfo.InvariantCulture, $"[{record.TimestampNs / 1_000_000_000,5}.{record.TimestampNs % 1_000_000_000 / 1000:000000}] ");
    }

    /// <summary>
    /// The lines <c>log</c> prints for a record: the prefix and the text; a record holding
    /// newlines has its further lines indented under the text, as crash does (kernel.c dump_log_entry).
    /// </summary>
    public static IEnumerable<string> Lines(PrintkRecord record, string prefix)
    {
        ArgumentNullException.ThrowIfNull(record);
        var lines = record.Text.Split('\n');
        yield return prefix + lines[0];
        for (var i = 1; i < lines.Length; i++) yield return new string(' ', prefix.Length) + lines[i];
    }
}
