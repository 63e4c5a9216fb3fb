using System.Globalization;
using KdumpDebug.Commands.Parsing;
using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Types;
using KdumpDebug.Expressions;
using KdumpDebug.Target.Objects;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>struct</c>, <c>union</c> and <c>*</c> (cmd_struct/cmd_union/cmd_pointer, shared
/// here as crash shares do_datatype_addr): with a name alone, the definition and size
/// (<c>-o</c>: member offsets); with an address or symbol, the contents there as gdb prints
/// them (<c>struct list_head {...}</c>); <c>NAME.member,member</c> prints only those members
/// (<c>  pid = 68,</c>), a count prints consecutive objects separated by blank lines, <c>-x</c>
/// and <c>-d</c> choose the output radix. <c>*</c> accepts a struct or a union name.
/// Not supported: <c>-l</c> (list_head offset), <c>-r</c> (raw), <c>-f</c>, <c>-p</c>, <c>-c</c>, negative counts.
/// </summary>
public sealed class StructCommand : ICommand
{
    readonly string? _kind;

    /// <param name="name">"struct", "union" or "*" (either).</param>
    public StructCommand(string name = "struct")
    {
        _kind = name == "*" ? null : name;
        Help = name switch
        {
            "union" => MakeHelp("union", "union data display"),
            "*" => MakeHelp("*", "pointer-to short-cut"),
            _ => MakeHelp("struct", "structure data display"),
        };
    }

    public CommandHelp Help { get; }

    static CommandHelp MakeHelp(string name, string summary) => new(
        Name: name,
        Aliases: [],
        Summary: summary,
        Synopsis: $"{name} {(name == "union" ? "union_name" : "struct_name")}[.member[,member]][-o][-l offset][-rfuxdp]\n" +
                  "       [address | symbol][:cpuspec] [count | -c count]",
        Description: $"""
            This command displays a {(name == "*" ? "structure or union" : name)} definition, or its contents at a
            kernel virtual address (or the address of a symbol).

                  -o  show the offsets of the members (definition only).
                  -x  display integers in hexadecimal.
                  -d  display integers in decimal.
              .member  only these members (comma-separated; nested: se.load).
               count  display this many consecutive objects.
            """,
        Examples: $"""
            Members of a task, then a whole structure at an address:

              crash> {(name == "union" ? "struct" : name)} task_struct.pid,comm ffffa0f7c0a9a880
                pid = 68,
                comm = "sh\000\000\000\000\000\000\000\000\000\000\000\000\000",
              crash> struct list_head ffffffff828128b0
              struct list_head {"{"}
                next = 0xffffa0f7c01a02b0,
                prev = 0xffffa0f7c0a9ab30
              {"}"}

            The definition with member offsets:

              crash> struct -o list_head
              struct list_head {"{"}
                 [0] struct list_head *next;
                 [8] struct list_head *prev;
              {"}"}
              SIZE: 16
            """)
    {
        Options = "oxd",
    };

    public void Execute(CommandContext context)
    {
        var parsed = GetOpt.Parse(context.Arguments, "oxd");
        bool offsets = false;
        var format = ValueFormat.Natural;
        foreach (var option in parsed.Options)
        {
            switch (option.Name)
            {
                case 'o': offsets = true; break;
                case 'x': format = ValueFormat.Radix16; break;
                case 'd': format = ValueFormat.Natural; break;
            }
        }
        var operands = parsed.Operands;
        if (operands.Count == 0) throw CommandException.Usage();
        var spec = operands[0];
        var dot = spec.IndexOf('.', StringComparison.Ordinal);
        var name = dot < 0 ? spec : spec[..dot];
        var members = dot < 0 ? [] : spec[(dot + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries);
        var evaluator = Evaluator.For(context.Target, context.Session.Values);
        var (kind, type) = FindType(evaluator.Types, name) ?? throw new CommandException($"invalid data structure reference: {name}");
        foreach (var member in members)
        {
            if (!ResolvesMember(type, member)) throw new CommandException($"invalid data structure reference: {spec}");
        }

        if (operands.Count == 1)
        {
            var hex = format == ValueFormat.Radix16;
            if (members.Length == 1 && !members[0].Contains('.'))
            {
                // One member: its declaration with its offset, in the definition's layout.
                var lookup = type.Unqualified().FindMember(members[0]);
                var sizeText = hex ? $"0x{type.Unqualified().Size ?? 0:x}" : (type.Unqualified().Size ?? 0).ToString(CultureInfo.InvariantCulture);
                var offset = (hex ? $"  [0x{lookup.ByteOffset:x}]" : $"  [{lookup.ByteOffset}]").PadLeft(sizeText.Length + 4);
                var declaration = TypePrinter.Declaration(lookup.Member.Type, lookup.Member.Name!) + (lookup.Member.IsBitField ? $" : {lookup.Member.BitSize}" : "");
                context.Out.Write($"{kind} {name} {{\n{offset} {declaration};\n}}\n");
                return;
            }
            // crash says so, then shows the whole definition with offsets.
            if (members.Length > 0) context.Out.Write($"{Help.Name}: multiple member format not supported in this syntax\n");
            context.Out.Write(TypePrinter.CrashStructDefinition(type, offsets || members.Length > 0, hex));
            return;
        }

        long count = 1;
        if (operands.Count > 2 && !long.TryParse(operands[2], NumberStyles.None, CultureInfo.InvariantCulture, out count))
            throw new CommandException($"invalid count argument: {operands[2]}");
        if (count < 1) throw new CommandException($"invalid count argument: {operands[2]}");

        // symbol:cpuspec: each CPU's copy of a per-CPU variable, headed "[CPU]: ADDRESS".
        var colon = operands[1].IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && context.Target is Target.KernelTarget kernel && PrintCommand.IsPerCpuSymbol(kernel, operands[1][..colon]))
        {
            var symbol = operands[1][..colon];
            foreach (var cpu in PrintCommand.ParseCpuSpec(operands[1][(colon + 1)..], Kernel.PerCpu.ForEachPossibleCpu(kernel)))
            {
                var at = Kernel.PerCpu.PerCpuVariable(kernel, symbol, cpu).Address!.Value;
                context.Out.Write($"[{cpu}]: {at:x}\n");
                WriteObjects(context, evaluator, kind, name, type, members, at, count, format);
            }
            return;
        }

        var address = ParseAddress(context, operands[1]);
        // crash's IS_KVADDR(): x86-64 kernel addresses are in the upper half (0xff00... with LA57).
        if (address < 0xff00000000000000UL) throw new CommandException($"invalid kernel virtual address: {operands[1]}");
        WriteObjects(context, evaluator, kind, name, type, members, address, count, format);
    }

    /// <summary><paramref name="count"/> consecutive objects at <paramref name="address"/>: whole, or the listed members.</summary>
    static void WriteObjects(CommandContext context, Evaluator evaluator, string kind, string name, CType type, string[] members, ulong address, long count, ValueFormat format)
    {
        var size = type.Unqualified().Size ?? 0;
        var formatter = new ValueFormatter(context.Target, format);
        for (long i = 0; i < count; i++)
        {
            if (i > 0) context.Out.Write("\n");
            var obj = TargetObject.AtAddress(context.Target, evaluator.Types, type, address + (ulong)i * size);
            if (members.Length == 0)
            {
                obj.ReadBytes(); // the whole object first, as gdb fetches it: an unreadable one fails as a whole
                context.Out.Write($"{kind} {name} {formatter.Format(obj, 0)}\n");
                continue;
            }
            foreach (var member in members)
            {
                var value = obj;
                foreach (var part in member.Split('.')) value = value.Member(part);
                // crash greps the member's lines out of gdb's print of the whole struct: the
                // struct's last member has no comma after it.
                var comma = IsLastMember(type, member.Split('.')[0]) ? "" : ",";
                context.Out.Write($"  {member} = {formatter.Format(value, 1)}{comma}\n");
            }
        }
    }

    (string Kind, CType Type)? FindType(TypeSystem types, string name)
    {
        foreach (var kind in _kind is null ? new[] { "struct", "union" } : [_kind])
        {
            if (types.TryFindType($"{kind} {name}", out var t) && t.Unqualified().IsComplete) return (kind, t);
            // A typedef of a struct/union (struct spinlock_t) is accepted too.
            if (types.TryFindType(name, out var td) && td.Unqualified().Kind.ToString().Equals(kind, StringComparison.OrdinalIgnoreCase)) return (kind, td);
        }
        return null;
    }

    static bool IsLastMember(CType type, string name)
    {
        if (!type.Unqualified().TryFindMember(name, out var lookup)) return false;
        var container = lookup.Path.Count > 1 ? lookup.Path[^2].Type.Unqualified() : type.Unqualified();
        return container.Members.Count > 0 && ReferenceEquals(container.Members[^1], lookup.Member);
    }

    static bool ResolvesMember(CType type, string path)
    {
        var t = type;
        foreach (var part in path.Split('.'))
        {
            if (!t.Unqualified().TryFindMember(part, out var lookup)) return false;
            t = lookup.Member.Type;
        }
        return true;
    }

    /// <summary>A kernel symbol's address, or a hexadecimal address (0x optional), as crash's struct accepts.</summary>
    static ulong ParseAddress(CommandContext context, string word)
    {
        if (context.Target.TryLookupSymbol(word, out var symbol)) return symbol.Address;
        if (CrashNumber.TryParseHex(word, out var address)) return address;
        throw new CommandException($"invalid symbol or address: {word}");
    }
}
