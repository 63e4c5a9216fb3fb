using KdumpDebug.Commands.Parsing;
using KdumpDebug.Core.Errors;
using KdumpDebug.Target.Disassembly;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>dis</c> (kernel.c cmd_dis): disassembles kernel or module code in gdb's AT&amp;T
/// layout, one "0xADDR &lt;symbol+off&gt;:\tINSTRUCTION" line per instruction, with
/// <c>-l</c> the "FILE: LINE" line before each instruction whose source line changes. A whole
/// routine without a count when the address is a symbol (or a routine's first byte); -r from the
/// routine's start up to and including the address; -f from the address to the routine's end.
/// Not supported: -u (user space), -s (source listing), -b (ud2 skip).
/// </summary>
public sealed class DisCommand : ICommand
{
    public CommandHelp Help { get; } = new(
        Name: "dis",
        Aliases: [],
        Summary: "disassemble",
        Synopsis: "dis [-rfldx] [address | symbol] [count]",
        Description: """
            This command disassembles kernel (and module) text, starting at an address
            or a symbol, in the AT&T syntax gdb prints.  Branch and call targets and
            RIP-relative operands are shown with their symbols.

                 -r  (reverse) displays all instructions from the start of the routine
                     up to and including the designated address.
                 -f  (forward) displays all instructions from the given address to the
                     end of the routine.
                 -l  displays source code line number data in addition to the
                     disassembly output.
                 -d  display offsets in decimal (the default).
                 -x  display offsets in hexadecimal.
            address  starting hexadecimal text address.
             symbol  symbol of starting text address.
              count  the number of instructions to be disassembled (default is 1).
                     With no count, when the starting address is a symbol (or the
                     first byte of a routine), the whole routine is disassembled.
                     The count is ignored with -r or -f.

            Code comes from the dump; a page the dump lacks is read from the vmlinux
            when it holds the kernel image there.  An address that cannot be read
            stops the listing with one line naming it.
            """,
        Examples: """
            Disassemble the routine that crashed, with source lines:

              crash> dis -l sysrq_handle_crash
              ./drivers/tty/sysrq.c: 155
              0xffffffff8204d940 <sysrq_handle_crash>:	mov    $0xffffffff8270c8cc,%rdi
              0xffffffff8204d947 <sysrq_handle_crash+7>:	call   0xffffffff82189a32 <panic>

            Disassemble up to a return address from a backtrace:

              crash> dis -r ffffffff8204d94c
              0xffffffff8204d940 <sysrq_handle_crash>:	mov    $0xffffffff8270c8cc,%rdi
              0xffffffff8204d947 <sysrq_handle_crash+7>:	call   0xffffffff82189a32 <panic>
              0xffffffff8204d94c <sysrq_handle_crash+12>:	nopl   0x0(%rax)
            """);

    public void Execute(CommandContext context)
    {
        // kernel.c cmd_dis()'s options; -u, -s and -b are refused with a line saying so.
        var parsed = GetOpt.Parse(context.Arguments, "dvxulsrfb:");
        bool reverse = false, forward = false, lines = false, hexOffsets = false;
        foreach (var option in parsed.Options)
        {
            switch (option.Name)
            {
                case 'r': reverse = true; break;
                case 'f': forward = true; break;
                case 'l': lines = true; break;
                case 'x': hexOffsets = true; break;
                case 'd': hexOffsets = false; break;
                case 'v': break;
                case 'u': throw new CommandException("-u (user virtual addresses) is not supported yet");
                case 's': throw new CommandException("-s (source code listing) is not supported yet");
                case 'b': throw new CommandException("-b (bytes to skip after ud2) is not supported yet");
            }
        }
        if (reverse && forward) throw new CommandException("-r and -f are mutually exclusive", showUsage: true);
        if (parsed.Operands.Count is 0 or > 2) throw CommandException.Usage();

        var target = context.Target;
        var operand = parsed.Operands[0];
        // cmd_dis(): a name shared by several routines (static functions in two files) is ambiguous.
        var named = context.Session.SymbolBounds.LookupAll(operand).Where(s => s.NmType is 't' or 'T' or 'W' or 'w').ToList();
        if (named.Count > 1)
        {
            context.Out.Write($"dis: {operand}: duplicate text symbols found:\n");
            foreach (var s in named)
            {
                var line = SymbolArgument.FormatSymbolLine(s, 0);
                if (target.TryFindSourceLine(s.Address, out var f, out var l)) line += $" {f}: {l}";
                context.Out.Write($"{line}\n");
            }
            throw CommandException.AlreadyReported();
        }
        if (!SymbolArgument.TryResolveAddress(context, operand, out var address)) throw CommandException.AlreadyReported();
        int? count = null;
        if (parsed.Operands.Count == 2)
        {
            var n = CrashNumber.ParseCount(parsed.Operands[1]);
            if (n <= 0) throw new CommandException($"invalid count: {parsed.Operands[1]}");
            count = (int)Math.Min(n, 1_000_000);
        }

        var hasExtent = FunctionExtent.TryFind(target, address, out var extent);
        if (!hasExtent)
            context.Out.Write($"WARNING: {address:x}: no associated kernel symbol found\n");
        if ((reverse || forward) && !hasExtent)
            throw new CommandException($"{address:x}: cannot find the start of the routine");

        var bounds = context.Session.SymbolBounds;
        var disassembler = new KernelDisassembler(target, a =>
            bounds.InSymbolRange(a) && target.TryFindSymbol(a, out var s, out var off) && !KernelDisassembler.IsLocalLabel(s.Name)
                ? KernelDisassembler.FormatSymbol(s.Name, off, hexOffsets) : null);

        IReadOnlyList<DisassembledInstruction> instructions;
        if (reverse)
            instructions = disassembler.Disassemble(extent.Start, address + 1);
        else if (forward)
            instructions = disassembler.Disassemble(address, Math.Max(extent.End, address + 1));
        else if (count is int c)
            instructions = disassembler.Disassemble(address, c);
        else if (hasExtent && address == extent.Start)
        {
            instructions = disassembler.Disassemble(extent.Start, extent.End);
            // A module routine runs to the next module symbol, but crash leaves out the NOPs
            // that pad it to the next one's alignment (int3 padding stays).
            if (extent.Symbol.Module is not null)
            {
                var keep = instructions.Count;
                while (keep > 1 && instructions[keep - 1].IsNop) keep--;
                instructions = instructions.Take(keep).ToList();
            }
        }
        else
            instructions = disassembler.Disassemble(address, 1);

        Write(context, instructions, lines, hexOffsets);
    }

    /// <summary>Prints the listing; stops with one error line at the first byte that cannot be read, as gdb does.</summary>
    static void Write(CommandContext context, IReadOnlyList<DisassembledInstruction> instructions, bool lines, bool hexOffsets)
    {
        var target = context.Target;
        var bounds = context.Session.SymbolBounds;
        // A kernel built for ftrace (-mfentry, so it has __fentry__) starts each traceable routine
        // with a 5-byte call that boot patched into a NOP; crash marks it (x86_64.c dis filter).
        var ftrace = target.TryLookupSymbol("__fentry__", out _);
        string? lastLine = null;
        foreach (var instruction in instructions)
        {
            if (!instruction.IsReadable)
                throw new CommandException(UnreadableReason(context, instruction.Address));
            if (lines && target.TryFindSourceLine(instruction.Address, out var file, out var line))
            {
                var header = $"{file}: {line}";
                if (header != lastLine) context.Out.Write($"{header}\n");
                lastLine = header;
            }
            var label = bounds.InSymbolRange(instruction.Address) && target.TryFindSymbol(instruction.Address, out var symbol, out var offset)
                ? $"0x{instruction.Address:x} <{KernelDisassembler.FormatSymbol(symbol.Name, offset, hexOffsets)}>"
                // gdb's layout for an address without a symbol.
                : $"   0x{instruction.Address:x}";
            var text = instruction.Text;
            if (ftrace && IsFtraceNop(target, instruction)) text += " [FTRACE NOP]";
            context.Out.Write($"{label}:\t{text}\n");
        }
    }

    /// <summary>The 5-byte NOP (0f 1f 44 00 00) at a routine's first byte, where -mfentry put the ftrace call.</summary>
    static bool IsFtraceNop(Target.IKernelTarget target, DisassembledInstruction instruction) =>
        instruction.Bytes is [0x0f, 0x1f, 0x44, 0x00, 0x00]
        && target.TryFindSymbol(instruction.Address, out _, out var offset) && offset == 0;

    /// <summary>The target's own one-line reason (excluded page, unmapped address) for the byte at <paramref name="address"/>.</summary>
    static string UnreadableReason(CommandContext context, ulong address)
    {
        try
        {
            context.Target.ReadVirtual(address, new byte[1]);
        }
        catch (KdumpDebugException e)
        {
            return $"cannot disassemble at {address:x}: {e.Message}";
        }
        return $"cannot disassemble at {address:x}: memory not readable";
    }
}
