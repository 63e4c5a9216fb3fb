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
/// values, as crash computes them. (crash's <c>-r</c>, the hrtimer queues, is not done yet.) A bucket or CPU that cannot be read gets one line; the rest follows.
/// </summary>
public sealed class TimerCommand : ICommand
{
    /// <summary>enum of timer_base indices (kernel/time/timer.c), as crash names them.</summary>
    static readonly string[] BaseNames = ["BASE_STD", "BASE_DEF", "BASE_GLOBAL"];

    public CommandHelp Help { get; } = new(
        Name: "timer",
        Aliases: [],
        Summary: "timer queue data",
        Synopsis: "timer",
        Description: """
            Display the pending timer_list timers of each CPU's timer wheel, in
            chronological order: expiry in jiffies, time to expiry (TTE), the
            timer_list address and its function. (crash's -r, the hrtimer queues,
            is not supported yet.)
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
        if (parsed.Options.Any(o => o.Name is 'r' or 'C'))
            throw new CommandException("-r and -C are not supported yet");
        if (!TimerWheel.IsPresent(target)) throw new CommandException("this kernel has no timer_bases (only the v4.8+ timer wheel is supported)");
        var jiffies = TimerWheel.Jiffies(target);
        var jiffiesText = jiffies.ToString();
        var width = Math.Max(jiffiesText.Length, "JIFFIES".Length);
        context.Out.Write(CrashColumns.MkString("JIFFIES", width, Justify.Left) + "\n");
        context.Out.Write(jiffiesText.PadLeft(width) + "\n");
        var bases = TimerWheel.BaseCount(target);
        foreach (var cpu in PerCpu.ForEachOnlineCpu(target))
        {
            for (var index = 0; index < bases; index++)
            {
                context.Out.Write("\n");
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
}
