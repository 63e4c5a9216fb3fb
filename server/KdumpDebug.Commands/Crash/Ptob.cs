using KdumpDebug.Commands.Parsing;

namespace KdumpDebug.Commands.Crash;

/// <summary>crash's <c>ptob</c> (memory.c cmd_ptob): the physical address of each page frame number, "PFN: ADDRESS" (the number read as decimal, or hexadecimal with 0x or a-f digits, as crash's stol does).</summary>
public sealed class PtobCommand : ICommand
{
    public CommandHelp Help { get; } = new(
        Name: "ptob",
        Aliases: [],
        Summary: "page to bytes",
        Synopsis: "ptob page_number ...",
        Description: "This command translates a page frame number to its physical address.",
        Examples: """
              crash> ptob a9a
              a9a: a9a000
            """);

    public void Execute(CommandContext context)
    {
        if (context.Arguments.Count == 0) throw new CommandException("a page number is required", showUsage: true);
        foreach (var operand in context.Arguments)
        {
            ulong pfn;
            var ok = CrashNumber.IsDecimal(operand)
                ? ulong.TryParse(operand, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out pfn)
                : CrashNumber.TryParseHex(operand, out pfn);
            if (ok && pfn < 1UL << 52) context.Out.Write($"{pfn:x}: {pfn << 12:x}\n");
            else context.Out.Write($"ptob: invalid page number: {operand}\n");
        }
    }
}
