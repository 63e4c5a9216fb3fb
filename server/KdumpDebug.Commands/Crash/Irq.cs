using System.Text;
using KdumpDebug.Commands.Output;
using KdumpDebug.Commands.Parsing;
using KdumpDebug.Core.Errors;
using KdumpDebug.Kernel;
using KdumpDebug.Kernel.Irq;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>irq</c> (kernel.c cmd_irq / generic_dump_irq): every IRQ number below
/// <c>nr_irqs</c> with its <c>irq_desc</c> and each <c>irqaction</c> and name, or the IRQs given.
/// <c>-a</c> lists the affinity of the IRQs that have an action; <c>-s</c> the per-CPU interrupt
/// counts as /proc/interrupts shows them (<c>-c</c> picks CPUs); <c>-b</c> the softirq vectors. An IRQ whose descriptor cannot be read gets one line.
/// </summary>
public sealed class IrqCommand : ICommand
{
    public CommandHelp Help { get; } = new(
        Name: "irq",
        Aliases: [],
        Summary: "IRQ data",
        Synopsis: "irq [[[index ...] | -u] | -a | -b | -s [-c cpu]]",
        Description: """
            Display the interrupt descriptor of every IRQ number (or of the IRQs given): its
            irq_desc address, each irqaction registered on it and the action's name;
            "(unused)" where no descriptor or no action exists.

               index  an IRQ number.
                  -u  show only the IRQs that have a descriptor (crash's "in use").
                  -a  display the CPU affinity of the IRQs in use.
                  -b  display the softirq vectors and their handlers.
                  -s  display the per-CPU interrupt counts, like /proc/interrupts.
              -c cpu  with -s, only these CPUs: "1", "1,3", "0-2".
            """,
        Examples: """
              crash> irq
               IRQ   IRQ_DESC/_DATA      IRQACTION      NAME
                0   ffffa0f7c0153200  ffffa0f7c0150180  "timer"
                1   ffffa0f7c0153400      (unused)
              ...
              crash> irq -a
              IRQ NAME                 AFFINITY
                0 timer                0-1
            """)
    {
        Options = "uasdbc:",
    };

    public void Execute(CommandContext context)
    {
        var parsed = GetOpt.Parse(context.Arguments, Help.Options!);
        var kernel = context.Kernel();
        var irqs = IrqDescriptors.Open(kernel.Target);
        var usedOnly = false;
        var cpus = PerCpu.ForEachOnlineCpu(kernel.Target);
        // -c only narrows -s's CPU columns (crash ignores it otherwise).
        if (parsed.Options.Where(o => o.Name == 'c').Select(o => o.Argument).LastOrDefault() is { } spec)
        {
            var chosen = PrintCommand.ParseCpuSpec(spec, cpus);
            cpus = cpus.Where(chosen.Contains).ToList();
        }
        foreach (var option in parsed.Options)
        {
            switch (option.Name)
            {
                case 'a':
                    WriteAffinity(context.Out, irqs);
                    return;
                case 's':
                    WriteStats(context.Out, kernel, irqs, cpus);
                    return;
                case 'b':
                    WriteSoftirqs(context.Out, kernel, context.Session.SymbolBounds);
                    return;
                case 'u':
                    usedOnly = true;
                    break;
                case 'c':
                    break;
                default:
                    throw new CommandException($"-{option.Name} is not supported yet");
            }
        }
        var numbers = new List<int>();
        foreach (var operand in parsed.Operands)
        {
            // crash's stol() and cmd_irq wording.
            var bad = operand.FirstOrDefault(c => !char.IsAsciiDigit(c));
            if (bad != '\0') throw new CommandException($"{operand}: \"{bad}\" is not a digit 0 - 9");
            if (!int.TryParse(operand, out var irq) || irq >= irqs.NrIrqs) throw new CommandException($"invalid IRQ value: {operand}  ({irqs.NrIrqs - 1} max)");
            numbers.Add(irq);
        }
        if (numbers.Count == 0) numbers.AddRange(Enumerable.Range(0, irqs.NrIrqs));
        context.Out.Write(" IRQ   IRQ_DESC/_DATA      IRQACTION      NAME\n");
        var unused = CrashColumns.MkString("(unused)", CrashColumns.VaddrWidth, Justify.Center);
        foreach (var irq in numbers)
        {
            var desc = irqs.Read(irq);
            if (usedOnly && desc.Address == 0) continue;
            // The IRQ number is centered under " IRQ " (5 columns): "  0  ", " 16  ", " 100 ".
            var number = CrashColumns.MkString(irq.ToString(), 5, Justify.Center | Justify.Left);
            if (desc.Address == 0)
                context.Out.Write($"{number} {unused}  {unused}\n");
            else if (desc.Actions.Count == 0)
                context.Out.Write($"{number} {desc.Address:x16}  {unused}\n");
            for (var i = 0; i < desc.Actions.Count; i++)
            {
                var lead = i == 0 ? $"{number} {desc.Address:x16}" : new string(' ', 5 + 1 + CrashColumns.VaddrWidth);
                context.Out.Write($"{lead}  {desc.Actions[i].Address:x16}  \"{desc.Actions[i].Name}\"\n");
            }
            if (desc.Problem is not null) context.Out.Write($"irq: {irq}: {desc.Problem}\n");
        }
    }

    /// <summary><c>irq -a</c>: <c>IRQ NAME AFFINITY</c> for each IRQ with an action, names joined by ",", CPUs as a list of ranges.</summary>
    static void WriteAffinity(TextWriter output, IrqDescriptors irqs)
    {
        output.Write("IRQ NAME                 AFFINITY\n");
        for (var irq = 0; irq < irqs.NrIrqs; irq++)
        {
            var desc = irqs.Read(irq);
            if (desc.Actions.Count == 0) continue;
            string affinity;
            try
            {
                affinity = CpuList(irqs.Affinity(desc.Address));
            }
            catch (KdumpDebugException e)
            {
                affinity = $"(cannot read: {e.Message})";
            }
            output.Write($"{irq,3} {string.Join(",", desc.Actions.Select(a => a.Name)),-20} {affinity}\n");
        }
    }

    /// <summary><c>irq -s</c>: show_interrupts() of kernel/irq/proc.c: counts per online CPU, the chip and flow names and the actions.</summary>
    static void WriteStats(TextWriter output, LinuxKernel kernel, IrqDescriptors irqs, IReadOnlyList<int> cpus)
    {
        var target = kernel.Target;
        var header = new StringBuilder(new string(' ', 3 + 8));
        foreach (var cpu in cpus) header.Append($"CPU{cpu,-8}");
        output.Write(header.ToString().TrimEnd() + " \n");
        for (var irq = 0; irq < irqs.NrIrqs; irq++)
        {
            var desc = irqs.Read(irq);
            if (desc.Address == 0 || desc.Actions.Count == 0) continue;
            try
            {
                var kstat = KernelMemory.ReadU64(target, desc.Address + KernelMemory.Offset(target, "irq_desc", "kstat_irqs"));
                var line = new StringBuilder($"{irq,3}:");
                foreach (var cpu in cpus)
                    line.Append($" {(kstat == 0 ? 0 : KernelMemory.ReadU32(target, kstat + PerCpu.PerCpuOffset(target, cpu))),10}");
                var dataOffset = KernelMemory.Offset(target, "irq_desc", "irq_data");
                var chip = KernelMemory.ReadU64(target, desc.Address + dataOffset + KernelMemory.Offset(target, "irq_data", "chip"));
                var chipName = chip == 0 ? "" : ReadName(target, chip + KernelMemory.Offset(target, "irq_chip", "name"));
                line.Append($" {chipName,8}");
                var flowName = ReadName(target, desc.Address + KernelMemory.Offset(target, "irq_desc", "name"));
                if (flowName.Length > 0) line.Append($"-{flowName,-8}");
                line.Append(' ').Append(string.Join(", ", desc.Actions.Select(a => a.Name)));
                output.Write(line.Append('\n').ToString());
            }
            catch (KdumpDebugException e)
            {
                output.Write($"irq: {irq}: {e.Message}\n");
            }
        }
    }

    /// <summary><c>irq -b</c>: each softirq vector with a handler, and the handler's symbol.</summary>
    static void WriteSoftirqs(TextWriter output, LinuxKernel kernel, KernelSymbolBounds symbols)
    {
        var actions = SoftirqVectors.Read(kernel.Target);
        output.Write($"SOFTIRQ_VEC {CrashColumns.MkString("ACTION", CrashColumns.VaddrWidth, Justify.Center)}\n");
        for (var i = 0; i < actions.Count; i++)
        {
            if (actions[i] == 0) continue;
            var line = $"    [{i}]     {actions[i]:x}";
            if (symbols.TryFormatSymbol(actions[i], out var symbol)) line += $"  <{symbol}>";
            output.Write(line + "\n");
        }
    }

    /// <summary>The string a <c>const char *</c> at <paramref name="pointerAddress"/> points to, "" for NULL.</summary>
    static string ReadName(Target.KernelTarget target, ulong pointerAddress)
    {
        var pointer = KernelMemory.ReadU64(target, pointerAddress);
        return pointer == 0 ? "" : KernelMemory.ReadCString(target, pointer, 256);
    }

    /// <summary>A CPU set as the kernel's "%*pbl" prints it: "0-1", "0,2-3".</summary>
    internal static string CpuList(IReadOnlyList<int> cpus)
    {
        var parts = new List<string>();
        for (var i = 0; i < cpus.Count;)
        {
            var j = i;
            while (j + 1 < cpus.Count && cpus[j + 1] == cpus[j] + 1) j++;
            parts.Add(i == j ? $"{cpus[i]}" : $"{cpus[i]}-{cpus[j]}");
            i = j + 1;
        }
        return string.Join(",", parts);
    }
}
