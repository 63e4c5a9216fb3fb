using KdumpDebug.Commands.Parsing;

namespace KdumpDebug.Commands.Crash;

/// <summary>crash's <c>btop</c> (memory.c cmd_btop): the page frame number of each hexadecimal address, "ADDRESS: PFN".</summary>
public sealed class BtopCommand : ICommand
{
    public CommandHelp Help { get; } = new(
        Name: "btop",
        Aliases: [],
        Summary: "bytes to page",
        Synopsis: "btop address ...",
        Description: "This command translates a hexadecimal address to its page frame number.",
        Examples: """
              crash> btop a9a880
              a9a880: a9a
            """);

    public void Execute(CommandContext context)
    {
        if (context.Arguments.Count == 0) throw new CommandException("an address is required", showUsage: true);
        foreach (var operand in context.Arguments)
        {
            if (CrashNumber.TryParseHex(operand, out var value)) context.Out.Write($"{value:x}: {value >> 12:x}\n");
            else context.Out.Write($"btop: invalid address: {operand}\n");
        }
    }
}
