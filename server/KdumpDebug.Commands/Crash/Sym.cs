using KdumpDebug.Commands.Parsing;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>sym</c>: translates a symbol to its address or an address to symbol+offset, with the
/// symbol type and, for code, the source file and line (symbols.c cmd_sym/show_symbol); lists all
/// symbols (-l) or those whose names contain a string (-q). Not supported yet: -M, -m (module
/// symbol tables), -p/-n (neighbouring symbols).
/// </summary>
public sealed class SymCommand : ICommand
{
    public CommandHelp Help { get; } = new(
        Name: "sym",
        Aliases: [],
        Summary: "translate a symbol to its virtual address, or vice-versa",
        Synopsis: "sym [-l] | [-q string] | [symbol | vaddr]...",
        Description: """
            This command translates a symbol to its virtual address, or a kernel
            virtual address to its symbol, or to symbol+offset (offset in decimal).
            The symbol type (the System.map letter) is shown in parentheses, a module
            symbol's module in brackets, and for code the source file and line.

                     -l  list all symbols and their values, by address.
              -q string  list all symbols whose names contain "string".
                 symbol  a kernel or module symbol.
                  vaddr  a kernel virtual address (hexadecimal).
            """,
        Examples: """
            Translate a function to its address, file and line, and back with an offset:

              crash> sym sysrq_handle_crash
              ffffffff8124d940 (t) sysrq_handle_crash ./drivers/tty/sysrq.c: 155
              crash> sym ffffffff8124d945
              ffffffff8124d945 (t) sysrq_handle_crash+5 ./drivers/tty/sysrq.c: 155

            A data symbol, and a module function:

              crash> sym jiffies
              ffffffff81a079c0 (D) jiffies
              crash> sym lkdtm_EXCEPTION
              ffffffffc00d6250 (t) lkdtm_EXCEPTION [lkdtm] ./drivers/misc/lkdtm/bugs.c: 95

            Search for symbols by part of their name:

              crash> sym -q sysrq_handle_c
              ffffffff8124d940 (t) sysrq_handle_crash
            """)
    {
        Options = "lMm:pnq:",
    };

    public void Execute(CommandContext context)
    {
        // symbols.c cmd_sym(): "lLV:MmQ:s:pnq:" minus what is not supported.
        var parsed = GetOpt.Parse(context.Arguments, Help.Options!);
        foreach (var option in parsed.Options)
        {
            switch (option.Name)
            {
                case 'l':
                    foreach (var symbol in context.Target.SymbolsByAddress.Concat(context.Target.ModuleSymbolsByAddress))
                        context.Out.Write($"{SymbolArgument.FormatSymbolLine(symbol, 0)}\n");
                    return;
                case 'q':
                    if (SymbolArgument.WriteMatching(context, option.Argument!, "") > 0) return;
                    context.Out.Write("(none found)\n");
                    throw CommandException.AlreadyReported();
                case 'M':
                case 'm':
                    throw new CommandException($"-{option.Name} (module symbol tables) is not supported yet");
                case 'p':
                case 'n':
                    throw new CommandException($"-{option.Name} (neighbouring symbols) is not supported yet");
            }
        }

        if (parsed.Operands.Count == 0) throw CommandException.Usage();
        var allFound = true;
        foreach (var operand in parsed.Operands) allFound &= Show(context, operand);
        if (!allFound) throw CommandException.AlreadyReported();
    }

    /// <summary>Prints one symbol or address; false after printing "symbol not found".</summary>
    static bool Show(CommandContext context, string operand)
    {
        var target = context.Target;
        // cmd_sym(): a name first, with every symbol of that name (symbol_name_count), in table order.
        var named = context.Session.SymbolBounds.LookupAll(operand);
        if (named.Count > 0)
        {
            foreach (var s in named) WriteLine(context, s, 0);
            return true;
        }
        if (CrashNumber.IsHex(operand) && CrashNumber.TryParseHex(operand, out var address))
        {
            if (!context.Session.SymbolBounds.InSymbolRange(address) || !target.TryFindSymbol(address, out var symbol, out var offset))
                throw new CommandException($"invalid address: {operand}");
            WriteLine(context, symbol, offset);
            return true;
        }
        SymbolArgument.WriteNotFound(context, operand);
        return false;
    }

    /// <summary>
    /// show_symbol(): "ADDR (t) name[+off] [module]", then for kernel text (is_kernel_text()) a
    /// space and "FILE: LINE" when gdb knows the line: a text address without one ends in a space
    /// (e.g. "_etext+907322 "). Kernel text here is an address with a source line or named after a
    /// text symbol (is_symbol_text(): t/T, and weak W/w); crash also counts any address inside a
    /// code section, which the target does not tell (e.g. "__alt_instructions_end+1" in
    /// .altinstr_replacement ends in a space in crash, not here).
    /// </summary>
    internal static void WriteLine(CommandContext context, Target.KernelSymbol symbol, ulong offset)
    {
        var text = SymbolArgument.FormatSymbolLine(symbol, offset);
        if (context.Target.TryFindSourceLine(symbol.Address + offset, out var file, out var line))
            text += $" {file}: {line}";
        else if (symbol.NmType is 't' or 'T' or 'W' or 'w')
            text += " ";
        context.Out.Write($"{text}\n");
    }
}
