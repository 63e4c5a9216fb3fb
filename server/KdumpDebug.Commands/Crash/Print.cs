using KdumpDebug.Core.Errors;
using KdumpDebug.Expressions;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>p</c> (cmd_p): evaluates a C expression and prints its value the way gdb's
/// <c>print</c> does, numbered in the session's value history (<c>$N = ...</c>). A bare kernel
/// symbol is prefixed with its name (<c>jiffies = $1 = 4294893219</c>), as crash does. Formats:
/// <c>p/x</c>, <c>p/d</c>, <c>p/c</c> (gdb) and <c>-x</c>, <c>-d</c> (crash). When evaluation
/// fails, gdb's reason is printed, then crash's <c>p: gdb request failed: p EXPR</c>.
/// A per-CPU variable prints its type and per-CPU addresses, or with <c>:CPUSPEC</c> each CPU's value.
/// Not supported: floating point, assignments, registers.
/// </summary>
public sealed class PrintCommand : ICommand
{
    public CommandHelp Help { get; } = new(
        Name: "p",
        Aliases: ["print"],
        Summary: "print the value of an expression",
        Synopsis: "p [-x|-d][-u] [expression | symbol[:cpuspec]]",
        Description: """
            This command passes its arguments on to gdb's "print" command for
            evaluation: a C expression over the kernel's global variables, functions
            and enumerators, with casts to any type name, sizeof, members, indexing and
            pointer arithmetic. The value is numbered $N in the session's history and
            can be reused as $N, $ (the last) or $$ (the one before).

                -x  override the default output format with hexadecimal format.
                -d  override the default output format with decimal format.
                -u  accepted for compatibility (user virtual addresses are not supported).
            symbol:cpuspec  a per-CPU variable of CPUs "a" (all), "1", "0,2" or "0-3";
                        without :cpuspec its type and per-CPU addresses are listed.
              /x /d /c  gdb's formats, written after the command name: p/x EXPR.
            """,
        Examples: """
            Print a variable, a member, and a member in hex:

              crash> p jiffies
              jiffies = $1 = 4294893219
              crash> p init_task.comm
              $2 = "swapper/0\000\000\000\000\000\000"
              crash> p/x init_task.flags
              $3 = 0x4200002

            A pointer, a cast of an address, and a size:

              crash> p &init_task.tasks
              $4 = (struct list_head *) 0xffffffff828128b0 <init_task+688>
              crash> p ((struct task_struct *)0xffffa0f7c0a9a880)->comm
              $5 = "sh\000\000\000\000\000\000\000\000\000\000\000\000\000"
              crash> p sizeof(struct page)
              $6 = 64
            """);

    public void Execute(CommandContext context)
    {
        var format = ValueFormat.Natural;
        var words = context.Arguments.ToList();
        var gdbFormat = words.Count > 0 && words[0].StartsWith('/');
        if (gdbFormat)
        {
            format = ParseGdbFormat(words[0]);
            words.RemoveAt(0);
        }
        // crash's getopt sees only the leading options (none after p/FMT, so "p/x -1" works);
        // the rest is the expression.
        while (!gdbFormat && words.Count > 0 && words[0].Length > 1 && words[0][0] == '-')
        {
            foreach (var option in words[0].Skip(1))
            {
                format = option switch
                {
                    'x' => ValueFormat.Hex,
                    'd' => ValueFormat.Decimal,
                    'u' => format,
                    _ => throw new CommandException($"invalid option -- '{option}'", showUsage: true),
                };
            }
            words.RemoveAt(0);
        }
        if (words.Count == 0) throw CommandException.Usage();
        var expression = string.Join(' ', words);

        var session = context.Session;
        if (TryPrintPerCpu(context, expression, format)) return;
        var evaluator = Evaluator.For(context.Target, session.Values);
        string text;
        Target.Objects.TargetObject value;
        try
        {
            value = evaluator.Evaluate(expression);
            text = new ValueFormatter(context.Target, format).FormatTopLevel(value);
        }
        catch (KdumpDebugException e) when (e is not CommandException)
        {
            throw GdbRequestFailed(context, "p " + expression, e);
        }
        var number = session.Values.Add(value);
        // cmd_p(): when the first word of the expression is a kernel symbol, crash names it
        // before gdb's output ("jiffies_64 + 1" too); not after a gdb /FMT.
        var prefix = "";
        // A first word that is not a plain C name ("init_task.comm", "p->x") is looked up among
        // the kernel's own symbols only (a clone like "foo.isra.0" still gets its prefix): asking
        // the modules would walk the module list and read every module's symbols for a name that
        // is an expression, costing more than the rest of the command.
        var first = words[0];
        if (!gdbFormat && (IsPlainName(first) ? context.Target.TryLookupSymbol(first, out _) : context.Target.TryLookupKernelSymbol(first, out _)))
        {
            prefix = words[0] + " = ";
            // crash breaks the line before a one-line brace value ("{void (int)} 0x...", an array),
            // not before a multi-line struct.
            if (text.StartsWith('{') && !text.StartsWith("{\n", StringComparison.Ordinal)) text = "\n " + text;
        }
        context.Out.Write($"{prefix}${number} = {text}\n");
    }

    static bool IsPlainName(string word) =>
        word.Length > 0 && !char.IsAsciiDigit(word[0]) && word.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    /// <summary>
    /// crash's per-CPU forms: <c>p NAME</c> for a per-CPU variable lists its type and each CPU's
    /// address; <c>p NAME:CPUSPEC</c> (<c>0</c>, <c>0,1</c>, <c>0-3</c>, <c>a</c> for all) prints
    /// <c>per_cpu(NAME, CPU) = $N = value</c> for each. False when the expression is neither.
    /// </summary>
    static bool TryPrintPerCpu(CommandContext context, string expression, ValueFormat format)
    {
        if (context.Target is not Target.KernelTarget kernel) return false;
        var colon = expression.IndexOf(':', StringComparison.Ordinal);
        var name = colon < 0 ? expression : expression[..colon];
        if (Lexer.Tokenize(name) is not [{ Kind: TokenKind.Identifier }, { Kind: TokenKind.End }] || !IsPerCpuSymbol(kernel, name)) return false;
        var variable = kernel.Objects.Variable(name);
        var cpus = Kernel.PerCpu.ForEachPossibleCpu(kernel);
        if (colon < 0)
        {
            context.Out.Write($"PER-CPU DATA TYPE:\n  {Debuginfo.Types.TypePrinter.Declaration(variable.Type, name)};\nPER-CPU ADDRESSES:\n");
            foreach (var cpu in cpus)
                context.Out.Write($"  [{cpu}]: {Kernel.PerCpu.PerCpuVariable(kernel, name, cpu).Address:x}\n");
            return true;
        }
        var formatter = new ValueFormatter(context.Target, format);
        foreach (var cpu in ParseCpuSpec(expression[(colon + 1)..], cpus))
        {
            var value = Kernel.PerCpu.PerCpuVariable(kernel, name, cpu);
            var text = formatter.FormatTopLevel(value);
            context.Out.Write($"per_cpu({name}, {cpu}) = ${context.Session.Values.Add(value)} = {text}\n");
        }
        return true;
    }

    /// <summary>A symbol inside the per-CPU section (__per_cpu_start..__per_cpu_end, link-time offsets that KASLR does not move).</summary>
    internal static bool IsPerCpuSymbol(Target.KernelTarget kernel, string name) =>
        kernel.TryLookupSymbol(name, out var symbol)
        && kernel.TryLookupSymbol("__per_cpu_start", out var start) && kernel.TryLookupSymbol("__per_cpu_end", out var end)
        && symbol.Address >= start.Address && symbol.Address < end.Address;

    /// <summary>crash's cpuspec: "a"/"all", or comma-separated CPUs and ranges ("0,2-3"); each must be a possible CPU.</summary>
    internal static IReadOnlyList<int> ParseCpuSpec(string spec, IReadOnlyList<int> cpus)
    {
        if (spec is "a" or "all" or "") return cpus;
        var result = new List<int>();
        foreach (var part in spec.Split(','))
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            if (!int.TryParse(dash < 0 ? part : part[..dash], out var first) || !int.TryParse(dash < 0 ? part : part[(dash + 1)..], out var last) || last < first)
                throw new CommandException($"invalid cpu specification: {spec}");
            for (var cpu = first; cpu <= last; cpu++)
            {
                if (!cpus.Contains(cpu)) throw new CommandException($"invalid cpu specification: {spec}");
                result.Add(cpu);
            }
        }
        return result;
    }

    static ValueFormat ParseGdbFormat(string word) => word switch
    {
        "/x" => ValueFormat.Hex,
        "/d" => ValueFormat.Decimal,
        "/c" => ValueFormat.Character,
        _ => throw new CommandException($"gdb request failed: p{word}: only the /x, /d and /c formats are supported"),
    };

    /// <summary>
    /// gdb's own error line (crash shows it on the terminal), then crash's "gdb request failed"
    /// line naming the request; the session prints the latter as <c>name: ...</c>.
    /// </summary>
    internal static CommandException GdbRequestFailed(CommandContext context, string request, KdumpDebugException reason)
    {
        var message = reason is FaultException or PageExcludedException ? GdbMemoryError(reason) : reason.Message;
        context.Out.Write(message + "\n");
        return new CommandException($"gdb request failed: {request}");
    }

    static string GdbMemoryError(KdumpDebugException e) =>
        e is FaultException f ? $"Cannot access memory at address 0x{f.Address:x}" : e.Message;
}
