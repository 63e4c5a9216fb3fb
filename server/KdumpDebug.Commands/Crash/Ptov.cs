using KdumpDebug.Commands.Output;
using KdumpDebug.Commands.Parsing;
using KdumpDebug.Kernel;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>ptov</c> (memory.c cmd_ptov): the direct-map address of a physical address,
/// <c>__va(paddr)</c> = paddr + <c>page_offset_base</c> (randomized with RANDOMIZE_MEMORY since
/// v4.8; __PAGE_OFFSET_BASE of arch/x86/include/asm/page_64_types.h when the kernel has no such
/// variable). A header before each address, as crash prints it.
/// </summary>
public sealed class PtovCommand : ICommand
{
    public CommandHelp Help { get; } = new(
        Name: "ptov",
        Aliases: [],
        Summary: "physical to virtual",
        Synopsis: "ptov address ...",
        Description: """
            This command translates a hexadecimal physical address into the kernel
            virtual address that maps it in the direct map.
            """,
        Examples: """
              crash> ptov a9a880
              VIRTUAL           PHYSICAL
              ffffa0f7c0a9a880  a9a880
            """);

    public void Execute(CommandContext context)
    {
        var parsed = GetOpt.Parse(context.Arguments, "");
        if (parsed.Operands.Count == 0) throw new CommandException("an address is required", showUsage: true);
        var target = context.Kernel().Target;
        var pageOffset = Kernel.Memory.PageMap.For(target).DirectMapBase;
        var first = true;
        foreach (var operand in parsed.Operands)
        {
            if (!CrashNumber.TryParseHex(operand, out var physical))
            {
                context.Out.Write($"ptov: invalid physical address: {operand}\n");
                continue;
            }
            context.Out.Write($"{(first ? "" : "\n")}{Column("VIRTUAL")}  {Column("PHYSICAL")}\n");
            context.Out.Write($"{Column((physical + pageOffset).ToString("x"))}  {Column(physical.ToString("x"))}\n");
            first = false;
        }
    }

    static string Column(string text) => CrashColumns.MkString(text, CrashColumns.VaddrWidth, Justify.Left);
}
