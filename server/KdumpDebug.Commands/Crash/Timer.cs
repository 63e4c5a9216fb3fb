using KdumpDebug.Commands.Output;
using KdumpDebug.Commands.Parsing;
using KdumpDebug.Core.Errors;
using KdumpDebug.Kernel;
using KdumpDebug.Kernel.Time;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>timer</c> (kernel.c, the v4.8+ timer wheel): <c>jiffies</c>, then for each online
/// CPU and each of its <c>timer_bases</c> the pending <c>timer_list</c>s sorted by expiry, with the
/// time to expiry in jiffies, the timer's address and its function. Column widths follow the
/// values, as crash computes them. <c>-r</c> shows each CPU's hrtimer clock bases instead, with
/// crash's "current" time (uptime in ticks times the tick length, plus the clock's offset). A bucket or CPU that cannot be read gets one line; the rest follows.
/// </summary>
public sealed class TimerCommand : ICommand
{
    /// <summary>enum of timer_base indices (kernel/time/timer.c), as crash names them.</summary>
    static readonly string[] BaseNames = ["BASE_STD", "BASE_DEF", "BASE_GLOBAL"];

    public CommandHelp Help { get; } = new(
        Name: "timer",
        Aliases: [],
        Summary: "timer queue data",
        Synopsis: "timer [-r] [-C cpu]",
        Description: """
            Display the pending timer_list timers of each CPU's timer wheel, in
            chronological order: expiry in jiffies, time to expiry (TTE), the
            timer_list address and its function.

                  -r  display the hrtimer queues of each CPU and clock base instead: the
                      clock's current time, then each hrtimer's soft and hard expiry and
                      time to expiry in nanoseconds, its address and function.
              -C cpu  only these CPUs: "1", "1,3", "0-2" (online CPUs).
            """,
        Examples: """
              crash> timer
              JIFFIES
              4294893219

              TIMER_BASES[0][BASE_STD]: ffffa0f7cce1b4c0
                EXPIRES        TTE        TIMER_LIST     FUNCTION
                4294893220       1  ffffa40a4005be30  ffffffff81eb3e10  <process_timeout>
                4294893230      11  ffffffff82b5aa60  ffffffff82104670  <tcp_orphan_update>
              ...
            """)
    {
        Options = "rC:",
    };

    public void Execute(CommandContext context)
    {
        var parsed = GetOpt.Parse(context.Arguments, Help.Options!);
        if (parsed.Operands.Count > 0) throw CommandException.Usage();
        var kernel = context.Kernel();
        var target = kernel.Target;
        var cpus = PerCpu.ForEachOnlineCpu(target);
        if (parsed.Options.Where(o => o.Name == 'C').Select(o => o.Argument).LastOrDefault() is { } spec)
        {
            var chosen = PrintCommand.ParseCpuSpec(spec, cpus);
            cpus = cpus.Where(chosen.Contains).ToList();
        }
        if (parsed.Options.Any(o => o.Name == 'r'))
        {
            WriteHrtimers(context.Out, kernel, context.Session.SymbolBounds, cpus);
            return;
        }
        if (!TimerWheel.IsPresent(target)) throw new CommandException("this kernel has no timer_bases (only the v4.8+ timer wheel is supported)");
        var jiffies = TimerWheel.Jiffies(target);
        var jiffiesText = jiffies.ToString();
        var width = Math.Max(jiffiesText.Length, "JIFFIES".Length);
        context.Out.Write(CrashColumns.MkString("JIFFIES", width, Justify.Left) + "\n");
        context.Out.Write(jiffiesText.PadLeft(width) + "\n");
        var bases = TimerWheel.BaseCount(target);
        foreach (var cpu in cpus)
        {
            for (var index = 0; index < bases; index++)
            {
                // crash puts a blank line before each CPU's bases, not between one CPU's BASE_STD and BASE_DEF.
                if (index == 0) context.Out.Write("\n");
                var name = index < BaseNames.Length ? BaseNames[index] : index.ToString();
                TimerBase timerBase;
                try
                {
                    timerBase = TimerWheel.ReadBase(target, cpu, index);
                }
                catch (KdumpDebugException e)
                {
                    context.Out.Write($"TIMER_BASES[{cpu}][{name}]: cannot read: {e.Message}\n");
                    continue;
                }
                context.Out.Write($"TIMER_BASES[{cpu}][{name}]: {timerBase.Address:x}\n");
                WriteTimers(context.Out, context.Session.SymbolBounds, jiffies, timerBase.Timers);
                foreach (var problem in timerBase.Problems) context.Out.Write($"timer: {problem}\n");
            }
        }
    }

    /// <summary>
    /// The header and one row per timer, sorted by expiry (stable, as glibc's merge-sort qsort):
    /// EXPIRES is as wide as the highest expiry, TTE one wider than the highest time to expiry;
    /// the TIMER_LIST label ends where the address column ends.
    /// </summary>
    static void WriteTimers(TextWriter output, KernelSymbolBounds symbols, ulong jiffies, IReadOnlyList<PendingTimer> timers)
    {
        var sorted = timers.OrderBy(t => t.Expires).ToList();
        var highest = sorted.Count > 0 ? sorted[^1].Expires : 0;
        var expiresWidth = Math.Max(highest.ToString().Length, "EXPIRES".Length);
        var tteWidth = unchecked((long)(highest - jiffies)).ToString().Length + 1;
        output.Write($"  {CrashColumns.MkString("EXPIRES", expiresWidth, Justify.Left)}     TTE"
            + $"{CrashColumns.MkString("TIMER_LIST", CrashColumns.VaddrWidth + 2 + tteWidth - 6, Justify.Right)}"
            + $" {CrashColumns.MkString("FUNCTION", CrashColumns.VaddrWidth, Justify.Center)}\n");
        foreach (var timer in sorted)
        {
            var tte = unchecked((long)(timer.Expires - jiffies));
            var line = $"  {timer.Expires.ToString().PadLeft(expiresWidth)}  {tte.ToString().PadLeft(tteWidth)}  {timer.Address:x16}  {timer.Function:x16}";
            if (symbols.TryFormatSymbol(timer.Function, out var symbol)) line += $"  <{symbol}>";
            output.Write(line + "\n");
        }
    }

    /// <summary>
    /// <c>timer -r</c> (crash's dump_hrtimer_data): per online CPU its hrtimer_cpu_base, per clock
    /// base its address and get_time function, then "(empty)" or the clock's current time and its
    /// timers in expiry order. crash's current time is jiffies-based: ticks since boot times
    /// NSEC_PER_SEC / HZ, plus the clock base's offset.
    /// </summary>
    static void WriteHrtimers(TextWriter output, LinuxKernel kernel, KernelSymbolBounds symbols, IReadOnlyList<int> cpus)
    {
        var target = kernel.Target;
        var tick = 1_000_000_000L / SystemInfo.Hz(target);
        var uptime = unchecked((long)SystemInfo.UptimeTicks(target) * tick);
        var clocks = HrtimerBases.ClockBaseCount(target);
        var firstCpu = true;
        foreach (var cpu in cpus)
        {
            if (!firstCpu) output.Write("\n");
            firstCpu = false;
            ulong cpuBase;
            try
            {
                cpuBase = HrtimerBases.CpuBase(target, cpu);
            }
            catch (KdumpDebugException e)
            {
                output.Write($"CPU: {cpu}  HRTIMER_CPU_BASE: cannot read: {e.Message}\n");
                continue;
            }
            output.Write($"CPU: {cpu}  HRTIMER_CPU_BASE: {cpuBase:x}\n");
            for (var index = 0; index < clocks; index++)
            {
                if (index > 0) output.Write("\n");
                HrtimerClockBase clock;
                try
                {
                    clock = HrtimerBases.ReadClockBase(target, cpuBase, index);
                }
                catch (KdumpDebugException e)
                {
                    output.Write($"  CLOCK: {index}  cannot read: {e.Message}\n");
                    continue;
                }
                symbols.TryFormatSymbol(clock.GetTime, out var getTime);
                output.Write($"  CLOCK: {index}  HRTIMER_CLOCK_BASE: {clock.Address:x}  [{getTime}]\n");
                if (clock.Timers.Count == 0)
                    output.Write("  (empty)\n");
                else
                    WriteHrtimerQueue(output, symbols, unchecked(uptime + clock.Offset), clock.Timers);
                if (clock.Problem is not null) output.Write($"timer: {clock.Problem}\n");
            }
        }
    }

    /// <summary>
    /// crash's dump_active_timers: CURRENT and the time centered over SOFTEXPIRES, then one row per
    /// hrtimer. The SOFTEXPIRES, EXPIRES and TTE widths are those of the last (latest) timer's values,
    /// at least 11, 7 and 3.
    /// </summary>
    static void WriteHrtimerQueue(TextWriter output, KernelSymbolBounds symbols, long now, IReadOnlyList<QueuedHrtimer> timers)
    {
        var last = timers[^1];
        var softWidth = Math.Max(last.SoftExpires.ToString().Length, 11);
        var expiresWidth = Math.Max(last.Expires.ToString().Length, 7);
        var tteWidth = Math.Max(unchecked(last.Expires - now).ToString().Length, 3);
        const Justify centerRight = Justify.Center | Justify.Right;
        output.Write($"  {CrashColumns.MkString("CURRENT", softWidth, centerRight)}\n");
        output.Write($"  {CrashColumns.MkString(now.ToString(), softWidth, centerRight)}\n");
        output.Write($"  {CrashColumns.MkString("SOFTEXPIRES", softWidth, centerRight)}  {CrashColumns.MkString("EXPIRES", expiresWidth, centerRight)}"
            + $"  {CrashColumns.MkString("TTE", tteWidth, centerRight)}  {CrashColumns.MkString("HRTIMER", CrashColumns.VaddrWidth, Justify.Center | Justify.Left)}"
            + $"  {CrashColumns.MkString("FUNCTION", CrashColumns.VaddrWidth, Justify.Center | Justify.Left)}\n");
        foreach (var timer in timers)
        {
            var line = $"  {CrashColumns.MkString(timer.SoftExpires.ToString(), softWidth, centerRight)}  {CrashColumns.MkString(timer.Expires.ToString(), expiresWidth, centerRight)}"
                + $"  {unchecked(timer.Expires - now).ToString().PadLeft(tteWidth)}  {timer.Address:x}  {timer.Function:x}";
            if (symbols.TryFormatSymbol(timer.Function, out var symbol)) line += $"  <{symbol}>";
            output.Write(line + "\n");
        }
    }
}
