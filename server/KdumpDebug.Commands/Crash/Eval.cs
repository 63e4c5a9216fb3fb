using System.Globalization;
using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Types;
using KdumpDebug.Expressions;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>eval</c> (cmd_eval): evaluates an expression to a 64-bit value and prints it in
/// hexadecimal (with a KB/MB/GB/TB reading when it is an exact multiple), decimal (with the
/// signed reading when the top bit is set), octal and binary. Expressions are C as for <c>p</c>.
/// Not supported: <c>-b</c> (bit numbers).
/// </summary>
public sealed class EvalCommand : ICommand
{
    public CommandHelp Help { get; } = new(
        Name: "eval",
        Aliases: [],
        Summary: "evaluate an expression",
        Synopsis: "eval [-b][-l] (expression) | value",
        Description: """
            This command evaluates an expression or numeric value, and displays its
            result in hexadecimal, decimal, octal and binary. The expression is C, as
            for "p": symbols, members, casts and operators may be used.

                -l  accepted for compatibility (values are always 64-bit).
            """,
        Examples: """
              crash> eval (1<<20)
              hexadecimal: 100000  (1MB)
                  decimal: 1048576
                    octal: 4000000
                   binary: 0000000000000000000000000000000000000000000100000000000000000000
            """);

    public void Execute(CommandContext context)
    {
        var words = context.Arguments.ToList();
        while (words.Count > 0 && words[0].Length > 1 && words[0][0] == '-' && !char.IsAsciiDigit(words[0][1]) && words[0][1] != '(')
        {
            foreach (var option in words[0].Skip(1))
                if (option != 'l') throw new CommandException($"invalid option -- '{option}'", showUsage: true);
            words.RemoveAt(0);
        }
        if (words.Count == 0) throw CommandException.Usage();
        var expression = string.Join(' ', words);
        ulong value;
        try
        {
            // crash's eval is not gdb: a symbol stands for its address (eval jiffies is &jiffies).
            var evaluator = Evaluator.For(context.Target, new SymbolAddresses(context.Target));
            var result = evaluator.Evaluate(expression);
            if (!result.Type.IsScalar && result.UnderlyingType.Kind is not (CTypeKind.Array or CTypeKind.Function))
                throw new ExpressionException("expression is not a number");
            value = result.UnderlyingType.Kind switch
            {
                CTypeKind.Array or CTypeKind.Function => result.Address ?? 0,
                CTypeKind.Pointer => result.ReadUnsigned(),
                _ => unchecked((ulong)result.ReadSigned()),
            };
        }
        catch (ExpressionException e)
        {
            // crash says only "invalid expression: (EXPR)"; the reason goes on the line before.
            context.Out.Write(e.Message + "\n");
            throw new CommandException($"invalid expression: ({expression})");
        }
        var o = context.Out;
        o.Write($"hexadecimal: {value:x}  {Units(value)}\n");
        var signed = (long)value < 0 ? $"({(long)value})" : "";
        o.Write($"    decimal: {value}  {signed}\n");
        o.Write($"      octal: {Convert.ToString(unchecked((long)value), 8)}\n");
        o.Write($"     binary: {Convert.ToString(unchecked((long)value), 2).PadLeft(64, '0')}\n");
    }

    /// <summary>Kernel symbols as their addresses (unsigned long), for crash's eval.</summary>
    sealed class SymbolAddresses(Target.IKernelTarget target) : IExpressionScope
    {
        public bool TryLookup(string name, out Target.Objects.TargetObject value)
        {
            value = null!;
            if (target is not Target.KernelTarget kernel || !target.TryLookupSymbol(name, out var symbol)) return false;
            var types = kernel.Vmlinux.Types;
            value = Target.Objects.TargetObject.FromInteger(target, types, types.FindType("unsigned long"), symbol.Address);
            return true;
        }
    }

    /// <summary>cmd_eval(): an exact multiple of a unit is also shown in that unit, largest first.</summary>
    static string Units(ulong value)
    {
        if (value == 0) return "";
        foreach (var (shift, unit) in new[] { (40, "TB"), (30, "GB"), (20, "MB"), (10, "KB") })
            if (value % (1UL << shift) == 0) return $"({(value >> shift).ToString(CultureInfo.InvariantCulture)}{unit})";
        return "";
    }
}
