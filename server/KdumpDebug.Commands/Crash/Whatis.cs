using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Types;
using KdumpDebug.Expressions;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>whatis</c> (cmd_whatis): a struct, union, enum or typedef by name shows its
/// definition and size (<c>-o</c>: with member offsets), a global variable or function its
/// declaration (<c>volatile unsigned long jiffies;</c>), any other expression gdb's
/// <c>whatis</c> type name. Not supported: <c>-r</c>/<c>-m</c> (search by size or member).
/// </summary>
public sealed class WhatisCommand : ICommand
{
    public CommandHelp Help { get; } = new(
        Name: "whatis",
        Aliases: [],
        Summary: "search symbol table for data or type information",
        Synopsis: "whatis [[-o] [struct | union | typedef | symbol]] | \n       [[-r [size|range]] [-m member]]",
        Description: """
            This command displays the definition of structures, unions, typedefs or
            text/data symbols, or the type of an expression.

                -o  display the offsets of structure/union members.
            """,
        Examples: """
              crash> whatis jiffies
              volatile unsigned long jiffies;
              crash> whatis struct list_head
              struct list_head {
                  struct list_head *next;
                  struct list_head *prev;
              }
              SIZE: 16
            """);

    public void Execute(CommandContext context)
    {
        var words = context.Arguments.ToList();
        var offsets = false;
        while (words.Count > 0 && words[0].StartsWith('-') && words[0].Length > 1)
        {
            foreach (var option in words[0].Skip(1))
            {
                if (option == 'o') offsets = true;
                else throw new CommandException($"invalid option -- '{option}'", showUsage: true);
            }
            words.RemoveAt(0);
        }
        if (words.Count == 0) throw CommandException.Usage();
        var argument = string.Join(' ', words);
        var evaluator = Evaluator.For(context.Target, context.Session.Values);
        var types = evaluator.Types;
        try
        {
            // A data type by name first (crash's whatis_datatype), then a symbol, then gdb's whatis.
            if (!argument.Contains('.') && !argument.Contains('>') && types.TryFindType(argument, out var type) && !IsVariable(types, argument))
            {
                context.Out.Write(Definition(type, offsets));
                return;
            }
            if (words.Count == 1 && types.TryFindVariable(argument, out var variable))
            {
                context.Out.Write(TypePrinter.Declaration(variable.Type, variable.Name) + ";\n");
                return;
            }
            if (words.Count == 1 && types.TryFindEnumerator(argument, out var enumType, out var enumerator))
            {
                context.Out.Write($"{TypePrinter.TypeName(enumType)} = {enumerator.Value}\n");
                return;
            }
            if (words.Count == 1 && types.TryFindFunction(argument, out var function))
            {
                context.Out.Write(TypePrinter.Declaration(function.Type, function.Name) + ";\n");
                return;
            }
            context.Out.Write(TypePrinter.TypeName(evaluator.TypeOf(argument)) + "\n");
        }
        catch (KdumpDebugException e) when (e is not CommandException)
        {
            throw new CommandException($"cannot resolve: {argument}", showUsage: true);
        }
    }

    static bool IsVariable(TypeSystem types, string name) => !name.Contains(' ') && types.TryFindVariable(name, out _);

    static string Definition(CType type, bool offsets)
    {
        var u = type.Unqualified();
        if (u.IsStructLike) return TypePrinter.CrashStructDefinition(type, offsets);
        if (u.Kind == CTypeKind.Enum && type.StripQualifiers().Kind != CTypeKind.Typedef) return TypePrinter.CrashEnum(type);
        var size = $"SIZE: {u.Size ?? 0}\n";
        if (type.StripQualifiers() is { Kind: CTypeKind.Typedef, Name: { } name, Target: { } target })
            return $"typedef {TypePrinter.Declaration(target.StripTypedefs(), name)};\n{size}";
        return size;
    }
}
