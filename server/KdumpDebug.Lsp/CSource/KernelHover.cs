using System.Globalization;
using System.Text;
using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Types;

namespace KdumpDebug.Lsp.CSource;

/// <summary>
/// Hover text about kernel types and globals from the vmlinux's DWARF, in crash's formats: a
/// struct or union as <c>struct -o</c> prints it (member offsets, SIZE), a global's declaration
/// as <c>whatis</c> and, with a dump, its value as <c>p</c> prints it. Long texts are cut at
/// <see cref="MaxLines"/> lines. Every method returns null when the name is unknown or the read
/// fails (a hover is no place for an error).
/// </summary>
public static class KernelHover
{
    /// <summary>Lines of one hover at most (a struct layout or a value).</summary>
    public const int MaxLines = 400;

    /// <summary>Markdown for <c>struct NAME</c>/<c>union NAME</c>/<c>enum NAME</c> or a typedef name: the <c>struct -o</c> layout.</summary>
    public static string? Type(DumpWorkspace.Kernel kernel, string typeName)
    {
        try
        {
            if (!kernel.Types.TryFindType(typeName, out var type)) return null;
            var t = type.Unqualified();
            string body;
            if (t.IsStructLike && t.IsComplete) body = TypePrinter.CrashStructDefinition(type, withOffsets: true);
            else if (t.Kind == CTypeKind.Enum) body = TypePrinter.CrashEnum(type);
            else body = $"typedef {TypePrinter.Declaration(type.StripQualifiers().Kind == CTypeKind.Typedef ? type.StripQualifiers().Target ?? type : type, typeName)};\n";
            var sb = new StringBuilder("```c\n").Append(Cut(body)).Append("```");
            if (t.Size is { } size) sb.Append($"\n\nsize {size} (0x{size:x}) bytes");
            return sb.ToString();
        }
        catch (KdumpDebugException)
        {
            return null;
        }
    }

    /// <summary>
    /// Markdown for a global variable: its declaration (whatis), size and address, and with a
    /// vmcore (and <paramref name="withValue"/>) its value as <c>p NAME</c> prints it.
    /// </summary>
    public static string? Global(DumpWorkspace.Kernel kernel, string name, bool withValue)
    {
        try
        {
            if (!kernel.Types.TryFindVariable(name, out var variable)) return null;
            var sb = new StringBuilder("```c\n").Append(TypePrinter.Declaration(variable.Type, name)).Append(";\n```\n\n");
            var size = variable.Type.Unqualified().Size;
            if (size is { } s) sb.Append($"size {s} (0x{s:x}) bytes");
            ulong? address = variable.Address is { } link ? kernel.Target?.RelocateLinkAddress(link) ?? link : null;
            // Some globals have no DWARF location (x86-64's jiffies is a linker-script alias of
            // jiffies_64): the ELF symbol has the address.
            if (address is null && kernel.Target is { } target && target.TryLookupSymbol(name, out var symbol)) address = symbol.Address;
            else if (address is null && kernel.Vmlinux.Symbols.TryLookup(name, out var elf)) address = elf.Address;
            if (address is { } at) sb.Append(size is null ? "" : ", ").Append(CultureInfo.InvariantCulture, $"at {at:x}");
            if (withValue && kernel.Session is not null)
            {
                var output = kernel.Run("p " + name);
                // p numbers each value ($1, $2...); in a hover the number means nothing.
                if (output is not null) output = System.Text.RegularExpressions.Regex.Replace(output, @"^(\S+ = )\$\d+ = ", "$1");
                if (!string.IsNullOrWhiteSpace(output))
                    sb.Append("\n\nValue in the dump:\n```\n").Append(Cut(output.TrimEnd('\n') + "\n")).Append("```");
            }
            return sb.ToString();
        }
        catch (KdumpDebugException)
        {
            return null;
        }
    }

    /// <summary>Markdown for a function: its prototype (as <c>whatis</c> prints it) and address.</summary>
    public static string? Function(DumpWorkspace.Kernel kernel, string name)
    {
        try
        {
            if (!kernel.Types.TryFindFunction(name, out var function)) return null;
            var sb = new StringBuilder("```c\n").Append(TypePrinter.Declaration(function.Type, name)).Append(";\n```");
            if (function.LowPc is { } low) sb.Append(CultureInfo.InvariantCulture, $"\n\nat {kernel.Target?.RelocateLinkAddress(low) ?? low:x}");
            return sb.ToString();
        }
        catch (KdumpDebugException)
        {
            return null;
        }
    }

    /// <summary>Markdown for a member of a struct or union: its declaration with the offset, in the containing type's <c>struct -o</c> layout.</summary>
    public static string Member(CType container, string name, CMember member, ulong offset)
    {
        var owner = TypePrinter.TypeName(container);
        var size = member.Type.Unqualified().Size;
        var declaration = TypePrinter.Declaration(member.Type, name) + (member.IsBitField ? $" : {member.BitSize}" : "");
        var sb = new StringBuilder("```c\n").Append(owner).Append(" {\n")
            .Append(CultureInfo.InvariantCulture, $"  [{offset}] {declaration};\n}}\n```\n\n")
            .Append(CultureInfo.InvariantCulture, $"offset {offset} (0x{offset:x})");
        if (member.IsBitField) sb.Append(CultureInfo.InvariantCulture, $", bits {member.BitOffset % 8}..{member.BitOffset % 8 + member.BitSize - 1} of that byte");
        if (size is { } s) sb.Append(CultureInfo.InvariantCulture, $", size {s} (0x{s:x}) bytes");
        if (container.Unqualified().Size is { } total) sb.Append(CultureInfo.InvariantCulture, $"; {owner} is {total} bytes");
        return sb.ToString();
    }

    private static string Cut(string text)
    {
        var lines = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\n' || ++lines < MaxLines) continue;
            return text[..(i + 1)] + $"... ({text.Count(c => c == '\n') - MaxLines} more lines)\n";
        }
        return text;
    }
}
