using System.Text.RegularExpressions;
using KdumpDebug.Commands;
using KdumpDebug.Commands.Parsing;
using KdumpDebug.Debuginfo.Types;
using KdumpDebug.Lsp.CSource;
using KdumpDebug.Lsp.Documents;
using KdumpDebug.Lsp.Protocol;

namespace KdumpDebug.Lsp.CrashScript;

/// <summary>
/// crash command scripts (<c>*.crash</c>, one command per line as <c>crash -i</c> reads them;
/// <c>#</c> starts a comment line, <c>!</c> a shell escape, <c>|</c> and <c>&gt;</c> pass output on):
/// completion of command names and options, hover with each command's help, diagnostics for
/// unknown commands and options — all from the same <see cref="CommandTable"/> the console uses —
/// and, with a kernel configured, completion of symbols and struct members.
/// </summary>
public sealed partial class CrashScriptService(CommandTable table) : LanguageService
{
    /// <summary>Diagnostics per document at most.</summary>
    public const int MaxDiagnostics = 200;

    /// <summary>Symbol completions per request at most (the list is marked incomplete beyond).</summary>
    public const int MaxSymbolItems = 100;

    /// <summary>Commands whose first operand is a struct or union name (<c>struct task_struct.comm</c>).</summary>
    private static readonly HashSet<string> TypeCommands = ["struct", "union", "*"];

    /// <summary>The command part of a line: up to a pipe or redirection outside quotes.</summary>
    public static string CommandPart(string line)
    {
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '"') quoted = !quoted;
            else if (!quoted && line[i] is '|' or '>') return line[..i];
        }
        return line;
    }

    private static bool Skipped(string line)
    {
        var t = line.TrimStart();
        return t.Length == 0 || t[0] is '#' or '!';
    }

    public override IReadOnlyList<Diagnostic> Diagnose(TextDocument document, DumpWorkspace.Kernel? kernel, CancellationToken cancellation)
    {
        var result = new List<Diagnostic>();
        for (var line = 0; line < document.LineCount && result.Count < MaxDiagnostics; line++)
        {
            if (line % 4096 == 0) cancellation.ThrowIfCancellationRequested();
            var text = document.Line(line);
            if (Skipped(text)) continue;
            var part = CommandPart(text);
            var words = Word.Split(part, null);
            if (words.Count == 0)
            {
                result.Add(Problem(line, 0, text.Length, DiagnosticSeverity.Error, "nothing before the pipe or redirection"));
                continue;
            }
            var name = words[0];
            if (!table.TryFind(name.Text, out var command))
            {
                if (kernel is not null && IsTypeOrSymbol(kernel, name.Text)) continue;
                var shortName = name.Text.Length > 40 ? name.Text[..40] + "..." : name.Text;
                result.Add(Problem(line, name, kernel is null ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error,
                    $"unknown command '{shortName}'" + (kernel is null ? " (crash also accepts a struct name or symbol here; configure kdumpDebug.vmlinux to check)" : "")));
                continue;
            }
            IReadOnlyList<string> arguments;
            try
            {
                arguments = CommandSyntax.Words(part).Skip(1).ToList();
            }
            catch (CommandException e)
            {
                result.Add(Problem(line, 0, part.Length, DiagnosticSeverity.Error, e.Message));
                continue;
            }
            if (CommandSyntax.OptionError(command.Help, arguments) is { } error)
            {
                // getopt names the letter: underline the option word that holds it.
                var letter = OptionLetter().Match(error);
                var at = words.Skip(1).FirstOrDefault(w => w.Text.StartsWith('-') && (!letter.Success || w.Text.Contains(letter.Groups[1].Value, StringComparison.Ordinal)));
                var span = at == default ? new Word("", words[^1].Start, words[^1].End) : at;
                result.Add(Problem(line, span, DiagnosticSeverity.Error, $"{command.Help.Name}: {error} (synopsis: {command.Help.Synopsis.Split('\n')[0]})"));
            }
        }
        return result;
    }

    [GeneratedRegex("-- '(.)'")]
    private static partial Regex OptionLetter();

    private static bool IsTypeOrSymbol(DumpWorkspace.Kernel kernel, string name)
    {
        var bare = name.Split('.', 2)[0];
        return kernel.Types.TryFindType("struct " + bare, out _) || kernel.Types.TryFindType("union " + bare, out _)
            || Array.BinarySearch(kernel.SymbolNames, bare, StringComparer.Ordinal) >= 0;
    }

    /// <summary>The option letters of a command with their one-line help, from its getopt string and the <c>-x  text</c> lines of its description.</summary>
    public static IReadOnlyList<(string Option, string Help)> Options(CommandHelp help)
    {
        if (help.Options is null) return [];
        var described = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match m in OptionLine().Matches(help.Description))
            described.TryAdd(m.Groups[1].Value, m.Groups[2].Value.Trim());
        var result = new List<(string, string)>();
        foreach (var c in help.Options)
        {
            if (c == ':') continue;
            var option = "-" + c;
            result.Add((option, described.TryGetValue(option, out var text) ? text : ""));
        }
        return result;
    }

    [GeneratedRegex(@"^\s*(-[A-Za-z0-9]+)(?:\s+\S+)?\s{2,}(.+)$", RegexOptions.Multiline)]
    private static partial Regex OptionLine();

    /// <summary>Markdown help of a command: summary, synopsis, description.</summary>
    public static string HelpMarkdown(CommandHelp help) =>
        $"**{help.Name}** — {help.Summary}\n\n```\n{help.Synopsis}\n```\n\n{help.Description}";

    public override IReadOnlyList<CompletionItem> Complete(TextDocument document, int line, int column, DumpWorkspace.Kernel? kernel, CancellationToken cancellation)
    {
        var text = document.Line(line);
        if (Skipped(text) && text.TrimStart().Length > 0) return [];
        var before = CommandPart(text[..column]);
        if (before.Length < column) return []; // after a pipe: a shell command
        var words = Word.Split(before, null);
        var typing = words.Count > 0 && words[^1].End == column ? words[^1].Text : "";
        var done = typing.Length > 0 ? words.Take(words.Count - 1).ToList() : words;
        if (done.Count == 0)
        {
            return table.Commands.SelectMany(c => c.Help.Aliases.Prepend(c.Help.Name).Select(n => (Name: n, c.Help)))
                .Select(x => Item(x.Name, CompletionItemKind.Function, x.Help.Summary, HelpMarkdown(x.Help))).ToList();
        }
        if (!table.TryFind(done[0].Text, out var command)) return [];
        if (typing.StartsWith('-'))
            return Options(command.Help).Select(o => Item(o.Option, CompletionItemKind.Property, o.Help, null)).ToList();
        if (kernel is null) return [];
        var name = command.Help.Name;
        var operands = done.Skip(1).Where(w => !w.Text.StartsWith('-')).ToList();
        if (done[^1].Text == "-R" && name == "task")
            return Members(kernel.Types, "struct task_struct", "");
        var dot = typing.LastIndexOf('.');
        if (TypeCommands.Contains(name) && operands.Count == 0)
        {
            if (dot < 0) return [];
            var kind = name == "union" ? "union" : "struct";
            var path = typing[..dot].Split('.');
            return MemberPath(kernel.Types, $"{kind} {path[0]}", path.Skip(1), typing[(dot + 1)..]);
        }
        if (dot > 0)
        {
            var path = typing[..dot].Split('.');
            if (!kernel.Types.TryFindVariable(path[0], out var variable)) return [];
            return MemberPath(kernel.Types, variable.Type, path.Skip(1), typing[(dot + 1)..]);
        }
        return Symbols(kernel, typing);
    }

    private static IReadOnlyList<CompletionItem> Symbols(DumpWorkspace.Kernel kernel, string prefix)
    {
        if (prefix.Length == 0) return [];
        var names = kernel.SymbolNames;
        var at = Array.BinarySearch(names, prefix, StringComparer.Ordinal);
        if (at < 0) at = ~at;
        var items = new List<CompletionItem>();
        for (var i = at; i < names.Length && items.Count < MaxSymbolItems && names[i].StartsWith(prefix, StringComparison.Ordinal); i++)
            items.Add(Item(names[i], CompletionItemKind.Variable, null, null));
        return items;
    }

    private static IReadOnlyList<CompletionItem> MemberPath(TypeSystem types, string typeName, IEnumerable<string> path, string prefix) =>
        types.TryFindType(typeName, out var type) ? MemberPath(types, type, path, prefix) : [];

    private static IReadOnlyList<CompletionItem> MemberPath(TypeSystem types, CType type, IEnumerable<string> path, string prefix)
    {
        foreach (var member in path)
        {
            var t = CTypeLayout.Deref(type);
            if (!t.IsStructLike || !t.TryFindMember(member, out var lookup)) return [];
            type = lookup.Member.Type;
        }
        return MembersOf(CTypeLayout.Deref(type), prefix);
    }

    private static IReadOnlyList<CompletionItem> Members(TypeSystem types, string typeName, string prefix) =>
        types.TryFindType(typeName, out var type) ? MembersOf(CTypeLayout.Deref(type), prefix) : [];

    private static IReadOnlyList<CompletionItem> MembersOf(CType type, string prefix)
    {
        if (!type.IsStructLike) return [];
        var items = new List<CompletionItem>();
        foreach (var (name, member, offset) in CTypeLayout.NamedMembers(type))
        {
            if (!name.StartsWith(prefix, StringComparison.Ordinal)) continue;
            items.Add(Item(name, CompletionItemKind.Field, $"[{offset}] {TypePrinter.Declaration(member.Type, name)}", null));
        }
        return items;
    }

    public override Hover? Hover(TextDocument document, int line, int column, DumpWorkspace.Kernel? kernel, CancellationToken cancellation)
    {
        var text = document.Line(line);
        if (Skipped(text)) return null;
        var part = CommandPart(text);
        var words = Word.Split(part, null);
        var at = words.FindIndex(w => column >= w.Start && column <= w.End);
        if (at < 0) return null;
        var word = words[at];
        if (!table.TryFind(words[0].Text, out var command)) return null;
        if (at == 0) return Markdown(HelpMarkdown(command.Help), line, word.Start, word.End);
        if (word.Text.StartsWith('-'))
        {
            var help = Options(command.Help).Where(o => word.Text.Contains(o.Option[1])).Select(o => $"`{o.Option}` {o.Help}").ToList();
            return help.Count == 0 ? null : Markdown(string.Join("\n\n", help), line, word.Start, word.End);
        }
        if (kernel is null) return null;
        var bare = word.Text.Split('.', ':')[0];
        var markdown = TypeCommands.Contains(command.Help.Name) && at == words.FindIndex(1, w => !w.Text.StartsWith('-'))
            ? KernelHover.Type(kernel, (command.Help.Name == "union" ? "union " : "struct ") + bare)
            : KernelHover.Global(kernel, bare, withValue: false);
        return markdown is null ? null : Markdown(markdown, line, word.Start, word.End);
    }
}
