using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Types;
using KdumpDebug.Expressions;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>ptype</c>: gdb's <c>ptype</c> of a type name or an expression (<c>type = ...</c>,
/// one level of typedef resolved and a struct's members listed).
/// </summary>
public sealed class PtypeCommand : ICommand
{
    public CommandHelp Help { get; } = new(
        Name: "ptype",
        Aliases: [],
        Summary: "print the type of an expression or type name, expanded",
        Synopsis: "ptype [struct | union | enum | typedef | expression]",
        Description: """
            This command passes its argument to gdb's "ptype": the type of an
            expression, or a type by name, with a struct's or union's members listed.
            """,
        Examples: """
              crash> ptype jiffies
              type = volatile unsigned long
              crash> ptype init_task.tasks
              type = struct list_head {
                  struct list_head *next;
                  struct list_head *prev;
              }
            """);

    public void Execute(CommandContext context)
    {
        if (context.Arguments.Count == 0) throw CommandException.Usage();
        var expression = string.Join(' ', context.Arguments);
        CType type;
        try
        {
            var evaluator = Evaluator.For(context.Target, context.Session.Values);
            type = evaluator.Types.TryFindType(expression, out var named) ? named : evaluator.TypeOf(expression);
        }
        catch (KdumpDebugException e) when (e is not CommandException)
        {
            throw PrintCommand.GdbRequestFailed(context, "ptype " + expression, e);
        }
        context.Out.Write($"type = {TypePrinter.Ptype(type)}\n");
    }
}
