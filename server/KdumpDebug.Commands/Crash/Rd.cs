using KdumpDebug.Commands.Memory;
using KdumpDebug.Commands.Parsing;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>rd</c>: displays memory at a kernel virtual or physical address (or a symbol) as
/// 8/16/32/64-bit values with ASCII, symbolically, in decimal, or as ASCII strings, or copies it to
/// a file. Options and their interplay follow memory.c's cmd_rd(); the layout is
/// <see cref="MemoryDisplay"/>. Not supported yet: -S (slab cache names), -u reads (no user
/// address spaces), -f (dump file offsets), -m (Xen), "(expression)" addresses.
/// </summary>
public sealed class RdCommand : ICommand
{
    public CommandHelp Help { get; } = new(
        Name: "rd",
        Aliases: [],
        Summary: "read memory",
        Synopsis: "rd [-adDsxpuNR][-8|-16|-32|-64][-o offs][-e addr][-r file][address|symbol]\n   [count]",
        Description: """
            This command displays the contents of memory, in several formats.  The
            starting address is a hexadecimal address or a symbol.  By default one
            64-bit value is shown in hexadecimal, followed by its ASCII translation.

                 -p  address argument is a physical address.
                 -u  address argument is a user virtual address (reading user address
                     spaces is not supported yet).
                 -d  display output in signed decimal format.
                 -D  display output in unsigned decimal format.
                 -s  display 64-bit values symbolically when they are kernel symbol
                     addresses ("name+offset", offset in decimal); no ASCII column.
                 -x  do not display the ASCII translation at the end of each line.
                 -8  display output in 8-bit values.
                -16  display output in 16-bit values.
                -32  display output in 32-bit values.
                -64  display output in 64-bit values (the default).
                 -a  display printable ASCII characters, 60 per line; without a count,
                     stop at the first non-printable character.
                 -N  display 16- and 32-bit values in network byte order.
                 -R  display memory in reverse order: up to and including the address.
            -o offs  add offs to the starting address.
            -e addr  display memory up to (not including) this hexadecimal address.
            -r file  copy the raw bytes to a file; needs a count (in bytes) or -e.
            address  starting hexadecimal address (kernel virtual unless -p).
             symbol  symbol of the starting address.
              count  number of values to display (decimal, or hexadecimal with 0x);
                     default 1, or unlimited with -a.

            A page that makedumpfile excluded from the dump is reported with its
            virtual address, page frame number and the dump level; it is never shown
            as zeros.
            """,
        Examples: """
            Display the kernel's version string:

              crash> rd -a linux_banner
              ffffffff8184ae60:  Linux version 6.1.0-13-amd64 (debian-kernel@lists.debian.org
              ffffffff8184ae9c:  ) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils fo
              ffffffff8184aed8:  r Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023
              ffffffff8184af14:  -09-29)

            Display four 64-bit values of a task_struct, and stack words symbolically:

              crash> rd -64 ffff888003a9a880 4
              ffff888003a9a880:  0000000000000000 0000000000000000   ................
              ffff888003a9a890:  ffffc90000194000 0040010000000001   .@............@.
              crash> rd -s ffffc9000019fe38 2
              ffffc9000019fe38:  vfs_write+203    0000000000000001

            Read a 32-bit value in signed decimal, and bytes at a physical address:

              crash> rd -d -32 jiffies
              ffffffff81a079c0:        -29697
              crash> rd -8 -p 20000 4
                         20000:  63 6f 6e 73                                       cons
            """)
    {
        Options = "Raxme:r:pfudDusSNo:81:3:6:",
    };

    public void Execute(CommandContext context)
    {
        // memory.c cmd_rd(): "Raxme:r:pfudDusSNo:81:3:6:"
        var parsed = GetOpt.Parse(context.Arguments, Help.Options!);
        var unit = DisplayUnit.Bits64;
        var decimalSigned = false;
        var decimalUnsigned = false;
        var symbolic = false;
        var noAscii = false;
        var network = false;
        var reverse = false;
        var space = MemorySpace.KernelVirtual;
        string? rawFile = null;
        ulong? endAddress = null;
        ulong offset = 0;

        foreach (var option in parsed.Options)
        {
            switch (option.Name)
            {
                case 'R': reverse = true; break;
                case 'a': unit = DisplayUnit.Ascii; break;
                case '8': unit = DisplayUnit.Bits8; break;
                case '1': unit = SizeOption(option, "6", DisplayUnit.Bits16); break;
                case '3': unit = SizeOption(option, "2", DisplayUnit.Bits32); break;
                case '6': unit = SizeOption(option, "4", DisplayUnit.Bits64); break;
                case 'e': endAddress = CrashNumber.ParseHex(option.Argument!); break;
                case 'r':
                    unit = DisplayUnit.Raw;
                    rawFile = option.Argument;
                    break;
                case 's':
                    // Only allowed while the display is still the 64-bit default (memory.c).
                    if (unit != DisplayUnit.Bits64)
                        throw new CommandException("-s option is only allowed with 64-bit display", showUsage: true);
                    symbolic = true;
                    break;
                case 'S':
                    throw new CommandException("-S (slab cache names) is not supported yet");
                case 'o': offset = (ulong)CrashNumber.ParseCount(option.Argument!); break;
                case 'p': space = MemorySpace.Physical; break;
                case 'u': space = MemorySpace.UserVirtual; break;
                case 'd': decimalSigned = true; break;
                case 'D': decimalUnsigned = true; break;
                case 'm': throw new CommandException("-m option only applies to xen architecture");
                case 'f': throw new CommandException("-f (dump file offsets) is not supported yet");
                case 'x': noAscii = true; break;
                case 'N': network = true; break;
            }
        }

        if (parsed.Operands.Count == 0) throw CommandException.Usage();
        if (!SymbolArgument.TryResolveAddress(context, parsed.Operands[0], out var address)) throw CommandException.AlreadyReported();
        address += offset;

        long count = -1;
        if (parsed.Operands.Count > 1) count = CrashNumber.ParseCount(parsed.Operands[1]);

        var unitBytes = unit is DisplayUnit.Ascii or DisplayUnit.Raw ? 1 : (int)unit;
        var asciiUnlimited = false;
        if (count == -1)
        {
            if (endAddress is ulong end)
            {
                if (end <= address) throw new CommandException($"invalid ending address: {end:x}");
                count = (long)((end - address) / (ulong)unitBytes);
            }
            else
            {
                if (unit == DisplayUnit.Raw)
                    throw new CommandException("-r option requires either a count argument or the -e option");
                asciiUnlimited = unit == DisplayUnit.Ascii;
                count = asciiUnlimited ? long.MaxValue : 1;
            }
        }
        else if (endAddress is not null)
        {
            context.Out.Write("WARNING: ending address ignored when count is specified\n");
        }

        // crash reads an address below kernel space as a user address (!IS_KVADDR -> UVADDR).
        if (space == MemorySpace.KernelVirtual && !context.Session.SymbolBounds.IsKernelAddress(address))
            space = MemorySpace.UserVirtual;

        if (reverse)
        {
            if (count == 0) count = 1;
            if (count > 1) address -= (ulong)(count - 1) * (ulong)unitBytes;
        }

        // -d wins over -D when both are given (memory.c tests DECIMAL first).
        var radix = decimalSigned ? ValueRadix.SignedDecimal
            : decimalUnsigned ? ValueRadix.UnsignedDecimal
            : ValueRadix.Hexadecimal;
        var request = new MemoryDisplayRequest(address, count, unit, radix, space, symbolic, noAscii, network, asciiUnlimited);
        if (unit == DisplayUnit.Raw) MemoryDisplay.WriteRaw(context, request, count, rawFile!);
        else MemoryDisplay.Write(context, request);
    }

    /// <summary>-16/-32/-64 arrive as getopt option '1'/'3'/'6' with argument "6"/"2"/"4".</summary>
    static DisplayUnit SizeOption(ParsedOption option, string expected, DisplayUnit unit) =>
        option.Argument == expected
            ? unit
            : throw new CommandException($"invalid option: {option.Name}{option.Argument}", showUsage: true);
}
