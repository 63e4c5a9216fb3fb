using KdumpDebug.Target;

namespace KdumpDebug.Commands.Parsing;

/// <summary>
/// An address argument as crash commands take it: a hexadecimal address (with or without 0x)
/// or a symbol name. An unknown name prints crash's "symbol not found" block with the symbols
/// whose names contain it, and the command stops without a further error.
/// </summary>
static class SymbolArgument
{
    /// <summary>
    /// rd's order (memory.c cmd_rd): hexadecimal first, then a symbol. "(expression)" is refused
    /// until the expression evaluator exists. False after printing "symbol not found".
    /// </summary>
    public static bool TryResolveAddress(CommandContext context, string text, out ulong address)
    {
        if (text.StartsWith('('))
            throw new CommandException($"expressions are not supported yet: {text}");
        if (CrashNumber.IsHex(text) && CrashNumber.TryParseHex(text, out address)) return true;
        // symbol_search(): the first of that name in crash's table.
        var named = context.Session.SymbolBounds.LookupAll(text);
        if (named.Count > 0)
        {
            address = named[0].Address;
            return true;
        }
        WriteNotFound(context, text);
        address = 0;
        return false;
    }

    /// <summary>crash's "symbol not found: X / possible alternatives:" followed by symbol_query(X, "  ").</summary>
    public static void WriteNotFound(CommandContext context, string name)
    {
        context.Out.Write($"symbol not found: {name}\n");
        context.Out.Write("possible alternatives:\n");
        if (WriteMatching(context, name, "  ") == 0) context.Out.Write("  (none found)\n");
    }

    /// <summary>crash's symbol_query(): every symbol whose name contains <paramref name="part"/>, by address. Returns the count.</summary>
    public static int WriteMatching(CommandContext context, string part, string prefix)
    {
        var count = 0;
        foreach (var symbol in context.Target.SymbolsByAddress.Concat(context.Target.ModuleSymbolsByAddress))
        {
            if (!symbol.Name.Contains(part, StringComparison.Ordinal)) continue;
            context.Out.Write($"{prefix}{FormatSymbolLine(symbol, 0)}\n");
            count++;
        }
        return count;
    }

    /// <summary>"ADDR (t) name[+off] [module]" as crash's show_symbol() starts a line (addresses bare lower-case hex).</summary>
    public static string FormatSymbolLine(KernelSymbol symbol, ulong offset)
    {
        var name = offset == 0 ? symbol.Name : $"{symbol.Name}+{offset}";
        var module = symbol.Module is null ? "" : $" [{symbol.Module}]";
        return $"{symbol.Address + offset:x} ({symbol.NmType}) {name}{module}";
    }
}
