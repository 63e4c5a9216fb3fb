using System.Globalization;
using KdumpDebug.Commands.Parsing;
using KdumpDebug.Core.Errors;
using KdumpDebug.Kernel;
using KdumpDebug.Target;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>list</c> (tools.c cmd_list): the entries of a linked list, one address per line,
/// each optionally shown as a structure or some of its members (<c>-s struct[.member,...]</c>, the
/// same display as <c>struct</c>). Lists are singly linked through a next pointer at <c>-o offset</c>
/// (the default), <c>list_head</c> rings embedded in the structures with the start a structure of
/// the list (<c>-h</c>), or rings with a standalone head (<c>-H</c>); <c>-r</c> walks list_heads
/// backwards, <c>-e end</c> ends a singly linked list at a value, <c>-l offset</c> says the start and
/// next pointers point at the linkage member, not the structure. Offsets are numbers or
/// <c>struct.member</c>. A loop, an unreadable entry, or more than a million entries end the
/// list with one line. Beyond crash, the start may be <c>symbol.member</c> (the member's address);
/// with <c>-h</c> naming the list member itself (<c>-h init_task.tasks</c>) it means the symbol.
/// </summary>
public sealed class ListCommand : ICommand
{
    const int MaxEntries = 1 << 20;

    public CommandHelp Help { get; } = new(
        Name: "list",
        Aliases: [],
        Summary: "linked list",
        Synopsis: "list [[-o] offset] [-e end] [-s struct[.member[,member]] [-l offset]] [-r] [-h | -H] start",
        Description: """
            Display the entries of a linked list, starting at the address or kernel data
            symbol start.

              [-o] offset  the offset of the next pointer in each structure: a number of
                           bytes or struct.member (the -o may be left out).
              -e end       end a singly linked list at this value (besides NULL and the start).
              -s struct    display each entry as this structure, or the listed members.
              -l offset    with -s: the next pointers point at this member, not the structure.
              -h           start is a structure with an embedded list_head at the offset.
              -H           start is a standalone list_head heading the list (not displayed).
              -r           with -h or -H, follow the prev pointers.
            """,
        Examples: """
              crash> list task_struct.tasks -s task_struct.pid,comm -h init_task
              ffffffff82812600
                pid = 0,
                comm = "swapper/0\000\000\000\000\000\000",
              ffffa0f7c01a0000
                pid = 1,
                comm = "init\000\000\000\000\000\000\000\000\000\000\000",
            """);

    public void Execute(CommandContext context)
    {
        var parsed = GetOpt.Parse(context.Arguments, "o:e:s:S:l:rhHxd");
        if (context.Target is not KernelTarget target) throw new CommandException("this command needs a kernel dump opened with its vmlinux");
        string? offsetText = null, structSpec = null, linkText = null, endText = null;
        var kind = LinkedListKind.NextPointer;
        var reverse = false;
        var radix = "";
        foreach (var o in parsed.Options)
        {
            switch (o.Name)
            {
                case 'o': offsetText = o.Argument; break;
                case 'e': endText = o.Argument; break;
                case 's' or 'S': structSpec = o.Argument; break;
                case 'l': linkText = o.Argument; break;
                case 'r': reverse = true; break;
                case 'h': kind = LinkedListKind.EmbeddedHead; break;
                case 'H': kind = LinkedListKind.StandaloneHead; break;
                case 'x': radix = "-x"; break;
                case 'd': radix = "-d"; break;
            }
        }
        var operands = parsed.Operands.ToList();
        // crash: a first operand that is not an address is the offset ("list task_struct.tasks -h ...").
        if (offsetText is null && operands.Count == 2) { offsetText = operands[0]; operands.RemoveAt(0); }
        if (operands.Count != 1) throw CommandException.Usage();
        var startText = operands[0];

        if (structSpec is not null)
        {
            // Checked once here (crash's "invalid data structure reference"), not once per entry.
            var typeName = structSpec.Split('.')[0];
            var types = target.Objects.Types;
            if (!types.TryFindType($"struct {typeName}", out _) && !types.TryFindType($"union {typeName}", out _) && !types.TryFindType(typeName, out _))
                throw new CommandException($"invalid data structure reference: {typeName}");
        }
        var offset = offsetText is null ? 0 : Offset(target, offsetText);
        var link = linkText is null ? 0 : Offset(target, linkText);
        var end = endText is null ? 0 : Address(context, target, endText);
        var start = Address(context, target, startText);
        // Our extension: "-h symbol.member" naming the list member itself means the structure.
        if (kind == LinkedListKind.EmbeddedHead && offsetText is not null && startText.Contains('.', StringComparison.Ordinal)
            && MemberPath(offsetText) is { } listMember && startText.EndsWith("." + listMember, StringComparison.Ordinal))
            start -= offset;
        if (start < 0xff00000000000000UL) throw new CommandException($"invalid kernel virtual address: {start:x}");

        var walk = LinkedListWalk.Walk(a => KernelMemory.ReadU64(target, a), kind, start, offset, end, reverse, MaxEntries);
        if (walk.Entries.Count == 0 && walk.Problem is null)
        {
            context.Out.Write("(empty)\n");
            return;
        }
        ICommand? structCommand = null;
        if (structSpec is not null && !context.Session.Table.TryFind("struct", out structCommand))
            throw new CommandException("the struct command is not available");
        foreach (var entry in walk.Entries)
        {
            context.Out.Write($"{entry:x}\n");
            if (structCommand is null) continue;
            var shown = unchecked(entry - link);
            var before = context.Out;
            string[] args = radix.Length > 0 ? [radix, structSpec!, shown.ToString("x", CultureInfo.InvariantCulture)] : [structSpec!, shown.ToString("x", CultureInfo.InvariantCulture)];
            // A structure that cannot be read is one line; the list goes on (struct prints "struct: ...").
            using var capture = new StringWriter { NewLine = "\n" };
            try
            {
                structCommand.Execute(new CommandContext(context.Session, "struct", args, capture));
            }
            catch (KdumpDebugException e)
            {
                capture.Write($"list: {structSpec} at {shown:x}: {e.Message}\n");
            }
            before.Write(capture.ToString());
        }
        if (walk.Problem is not null) context.Out.Write($"list: {walk.Problem}\n");
    }

    /// <summary>The member path of a <c>struct.member</c> offset, or null for a number.</summary>
    static string? MemberPath(string text)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 ? text[(dot + 1)..] : null;
    }

    /// <summary>An offset: decimal or 0x-hexadecimal bytes, or <c>struct.member</c> (struct may be written with or without "struct ").</summary>
    static ulong Offset(KernelTarget target, string text)
    {
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && ulong.TryParse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex)) return hex;
        if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var dec)) return dec;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            var name = text[..dot].Replace("struct ", "", StringComparison.Ordinal).Trim();
            if (target.TypeLayouts.TryGetMemberOffset(name, text[(dot + 1)..], out var offset)) return offset;
        }
        throw new CommandException($"invalid argument: {text}");
    }

    /// <summary>A hexadecimal address, a kernel symbol, or (our extension) <c>symbol.member</c>: the member's address.</summary>
    static ulong Address(CommandContext context, KernelTarget target, string text)
    {
        if (CrashNumber.IsHex(text) && CrashNumber.TryParseHex(text, out var address)) return address;
        if (target.TryLookupSymbol(text, out var symbol)) return symbol.Address;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0 && target.Objects.TryVariable(text[..dot], out var variable))
        {
            try
            {
                var value = variable;
                foreach (var part in text[(dot + 1)..].Split('.')) value = value.Member(part);
                if (value.Address is { } at) return at;
            }
            catch (KdumpDebugException)
            {
                // not a member path: crash's "invalid argument" below
            }
        }
        throw new CommandException($"invalid argument: {text}");
    }
}
