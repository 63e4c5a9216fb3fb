using System.Globalization;
using System.Text.RegularExpressions;
using KdumpDebug.Lsp.Documents;
using KdumpDebug.Lsp.Protocol;

namespace KdumpDebug.Lsp.KdumpConf;

/// <summary>
/// kdump.conf features: the checks kdumpctl makes before it builds the kdump initramfs (unknown,
/// removed and repeated directives, one dump target, values) plus the target argument shapes,
/// a relative <c>path</c>, and makedumpfile options; completion of directives and values; hover
/// with each directive's help and the meaning of a dump level. Each request re-parses the
/// document (linear; bounded by <see cref="KdumpConfFile.MaxEntries"/>).
/// </summary>
public sealed partial class KdumpConfService : LanguageService
{
    /// <summary>Diagnostics reported per document at most (the rest of a junk file adds nothing).</summary>
    public const int MaxDiagnostics = 200;

    public override IReadOnlyList<Diagnostic> Diagnose(TextDocument document, DumpWorkspace.Kernel? kernel, CancellationToken cancellation)
    {
        var file = KdumpConfFile.Parse(document);
        var result = new List<Diagnostic>();
        var seen = new Dictionary<string, KdumpConfEntry>(StringComparer.Ordinal);
        KdumpConfEntry? target = null;
        foreach (var entry in file.Entries)
        {
            if (result.Count >= MaxDiagnostics) break;
            cancellation.ThrowIfCancellationRequested();
            var name = entry.Directive.Text;
            var directive = KdumpDirective.Find(name);
            if (directive is null)
            {
                result.Add(Problem(entry.Line, entry.Directive, DiagnosticSeverity.Error, $"unknown kdump.conf directive '{Shorten(name)}'"));
                continue;
            }
            if (directive.Role == DirectiveRole.Removed)
            {
                result.Add(Problem(entry.Line, entry.Directive, DiagnosticSeverity.Error, $"'{name}' was removed: kdumpctl refuses it. {directive.Help.Split(';', 2)[1].Trim()}"));
                continue;
            }
            if (entry.Values.Count == 0)
            {
                result.Add(Problem(entry.Line, entry.Directive, DiagnosticSeverity.Error, $"'{name}' needs a value: {directive.Synopsis}"));
                continue;
            }
            if (directive.Role == DirectiveRole.Target)
            {
                if (target is not null)
                    result.Add(Problem(entry.Line, entry.Directive, DiagnosticSeverity.Error,
                        $"more than one dump target: '{name}' here and '{target.Directive.Text}' on line {target.Line + 1}"));
                else target = entry;
                CheckTarget(entry, result);
            }
            else if (seen.TryGetValue(name, out var first))
            {
                result.Add(Problem(entry.Line, entry.Directive, DiagnosticSeverity.Error, $"'{name}' is given twice (first on line {first.Line + 1}); kdumpctl refuses duplicates"));
            }
            else seen[name] = entry;
            CheckValues(directive, entry, result);
        }

        if (seen.TryGetValue("default", out var dflt) && seen.ContainsKey("failure_action"))
            result.Add(Problem(dflt.Line, dflt.Directive, DiagnosticSeverity.Error, "'default' and 'failure_action' cannot both be given (default is the obsolete name of failure_action)"));
        if (seen.TryGetValue("force_rebuild", out var fr) && seen.TryGetValue("force_no_rebuild", out var fnr)
            && fr.Values[0].Text == "1" && fnr.Values[0].Text == "1")
            result.Add(Problem(fnr.Line, fnr.Directive, DiagnosticSeverity.Error, "force_rebuild 1 and force_no_rebuild 1 exclude each other"));
        if (target?.Directive.Text == "raw" && seen.TryGetValue("path", out var path))
            result.Add(Problem(path.Line, path.Directive, DiagnosticSeverity.Information, "path is ignored for a raw dump target"));
        if (seen.TryGetValue("core_collector", out var collector))
            CheckCoreCollector(collector, target, result);
        return result.Count > MaxDiagnostics ? result.GetRange(0, MaxDiagnostics) : result;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";

    private static void CheckValues(KdumpDirective directive, KdumpConfEntry entry, List<Diagnostic> result)
    {
        var value = entry.Values[0];
        if (directive.Values is { } allowed && directive.Role == DirectiveRole.Option)
        {
            if (!allowed.Contains(value.Text))
                result.Add(Problem(entry.Line, value, DiagnosticSeverity.Error, $"'{Shorten(value.Text)}' is not a {directive.Name} value: expected {string.Join(", ", allowed)}"));
            foreach (var extra in entry.Values.Skip(1))
                result.Add(Problem(entry.Line, extra, DiagnosticSeverity.Error, $"{directive.Name} takes one value"));
            return;
        }
        switch (directive.Name)
        {
            case "path":
                if (!value.Text.StartsWith('/'))
                    result.Add(Problem(entry.Line, value, DiagnosticSeverity.Error, $"path must be absolute (a folder on the dump target, e.g. /var/crash), not '{Shorten(value.Text)}'"));
                break;
            case "sshkey" or "kdump_post" or "kdump_pre":
                if (!value.Text.StartsWith('/'))
                    result.Add(Problem(entry.Line, value, DiagnosticSeverity.Warning, $"{directive.Name} should be an absolute path: the kdump initramfs has no current folder"));
                break;
            case "dracut_args":
                if (entry.Values.Any(v => v.Text.StartsWith("--mount", StringComparison.Ordinal)))
                    result.Add(Problem(entry.Line, value, DiagnosticSeverity.Error, "dracut_args --mount is not supported: give the dump target as a directive"));
                break;
        }
    }

    [GeneratedRegex(@"^(?:/dev/\S+|(?:LABEL|UUID|PARTUUID|PARTLABEL)=\S+)$")]
    private static partial Regex PartitionRegex();

    [GeneratedRegex(@"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{4}-[0-9a-fA-F]{4}|[0-9a-fA-F]{16})$")]
    private static partial Regex UuidRegex();

    [GeneratedRegex(@"^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.\-]+):/\S*$")]
    private static partial Regex NfsRegex();

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]+@(?:\[[0-9a-fA-F:.]+\]|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*|[A-Za-z0-9_.\-]+)$")]
    private static partial Regex SshRegex();

    private static void CheckTarget(KdumpConfEntry entry, List<Diagnostic> result)
    {
        var name = entry.Directive.Text;
        var value = entry.Values[0];
        foreach (var extra in entry.Values.Skip(1))
            result.Add(Problem(entry.Line, extra, DiagnosticSeverity.Error, $"{name} takes one argument"));
        switch (name)
        {
            case "nfs":
                if (!NfsRegex().IsMatch(value.Text))
                    result.Add(Problem(entry.Line, value, DiagnosticSeverity.Error, $"nfs needs host:/export (e.g. my.server.com:/export/tmp), not '{Shorten(value.Text)}'"));
                break;
            case "ssh":
                if (!SshRegex().IsMatch(value.Text))
                    result.Add(Problem(entry.Line, value, DiagnosticSeverity.Error, $"ssh needs user@server (e.g. root@my.server.com), not '{Shorten(value.Text)}'"));
                break;
            case "virtiofs":
                break;
            default: // raw and the file systems take a partition
                if (!PartitionRegex().IsMatch(value.Text))
                {
                    result.Add(Problem(entry.Line, value, DiagnosticSeverity.Error,
                        $"{name} needs a partition: a device (/dev/...), LABEL=<label> or UUID=<uuid>, not '{Shorten(value.Text)}'"));
                }
                else if (value.Text.StartsWith("UUID=", StringComparison.Ordinal) && !UuidRegex().IsMatch(value.Text[5..]))
                {
                    result.Add(Problem(entry.Line, value, DiagnosticSeverity.Warning, $"'{Shorten(value.Text[5..])}' does not look like a file system UUID (see blkid)"));
                }
                else if (value.Text.StartsWith("/dev/sd", StringComparison.Ordinal) || value.Text.StartsWith("/dev/vd", StringComparison.Ordinal))
                {
                    result.Add(Problem(entry.Line, value, DiagnosticSeverity.Information,
                        $"{value.Text} may name another disk in the kdump kernel: prefer a persistent name (/dev/disk/by-id/..., /dev/vg/lv), LABEL= or UUID="));
                }
                break;
        }
    }

    /// <summary>An option word of a makedumpfile command line, with its argument word (null when it takes none or is attached).</summary>
    private readonly record struct OptionUse(Word Word, MakedumpfileOption? Option, string? Argument, Word ArgumentWord);

    /// <summary>Splits a makedumpfile command's words into options (getopt rules: <c>-d31</c>, <c>-d 31</c>, <c>--message-level=7</c>, clusters <c>-lF</c>) and operands.</summary>
    private static (List<OptionUse> Options, List<Word> Operands) ParseMakedumpfile(IReadOnlyList<Word> words)
    {
        var options = new List<OptionUse>();
        var operands = new List<Word>();
        for (var i = 0; i < words.Count; i++)
        {
            var w = words[i];
            if (w.Text.StartsWith("--", StringComparison.Ordinal) && w.Text.Length > 2)
            {
                var option = MakedumpfileOption.Find(w.Text);
                var eq = w.Text.IndexOf('=');
                string? argument = null;
                var argumentWord = w;
                if (option is { TakesArgument: true })
                {
                    if (eq > 0) argument = w.Text[(eq + 1)..];
                    else if (i + 1 < words.Count) { argumentWord = words[++i]; argument = argumentWord.Text; }
                }
                options.Add(new OptionUse(w, option, argument, argumentWord));
            }
            else if (w.Text.StartsWith('-') && w.Text.Length > 1)
            {
                for (var j = 1; j < w.Text.Length; j++)
                {
                    var letter = new Word("-" + w.Text[j], w.Start + j - (j == 1 ? 1 : 0), w.Start + j + 1);
                    var option = MakedumpfileOption.Find(letter.Text);
                    if (option is { TakesArgument: true })
                    {
                        if (j + 1 < w.Text.Length) options.Add(new OptionUse(letter, option, w.Text[(j + 1)..], new Word(w.Text[(j + 1)..], w.Start + j + 1, w.End)));
                        else if (i + 1 < words.Count) { var a = words[++i]; options.Add(new OptionUse(letter, option, a.Text, a)); }
                        else options.Add(new OptionUse(letter, option, null, letter));
                        break;
                    }
                    options.Add(new OptionUse(letter, option, null, letter));
                }
            }
            else operands.Add(w);
        }
        return (options, operands);
    }

    private static void CheckCoreCollector(KdumpConfEntry entry, KdumpConfEntry? target, List<Diagnostic> result)
    {
        var command = entry.Values[0];
        var targetName = target?.Directive.Text;
        var needsFlat = targetName is "ssh" or "raw";
        if (!command.Text.EndsWith("makedumpfile", StringComparison.Ordinal))
        {
            if (targetName == "raw")
                result.Add(Problem(entry.Line, command, DiagnosticSeverity.Warning, $"with {command.Text} as core collector of a raw target, the vmcore must be recovered from the device by hand"));
            return;
        }
        var (options, operands) = ParseMakedumpfile(entry.Values.Skip(1).ToList());
        var compressions = new List<OptionUse>();
        var flat = false;
        foreach (var use in options)
        {
            if (use.Option is null)
            {
                result.Add(Problem(entry.Line, use.Word, DiagnosticSeverity.Error, $"makedumpfile has no option '{Shorten(use.Word.Text)}'"));
                continue;
            }
            var o = use.Option;
            if (o.TakesArgument && use.Argument is null)
            {
                result.Add(Problem(entry.Line, use.Word, DiagnosticSeverity.Error, $"makedumpfile {o.Name} needs an argument"));
                continue;
            }
            if (!o.UsefulInKdumpConf)
                result.Add(Problem(entry.Line, use.Word, DiagnosticSeverity.Warning, $"makedumpfile {o.Name} is not a capture option here: {o.Help}"));
            switch (o.Name)
            {
                case "-c" or "-l" or "-p" or "-z" or "-E": compressions.Add(use); break;
                case "-F": flat = true; break;
                case "-d" or "--message-level":
                    var what = o.Name == "-d" ? "dump level" : "message level";
                    if (!int.TryParse(use.Argument, NumberStyles.None, CultureInfo.InvariantCulture, out var level) || level > DumpLevel.Max)
                        result.Add(Problem(entry.Line, use.ArgumentWord, DiagnosticSeverity.Error, $"{what} must be a number in 0..{DumpLevel.Max}, not '{Shorten(use.Argument!)}'"));
                    break;
            }
        }
        if (compressions.Count > 1)
            result.Add(Problem(entry.Line, compressions[1].Word, DiagnosticSeverity.Error,
                $"makedumpfile takes one output format: {string.Join(" and ", compressions.Select(c => c.Word.Text))} exclude each other"));
        if (flat && !needsFlat)
        {
            var where = options.First(u => u.Option?.Name == "-F").Word;
            result.Add(Problem(entry.Line, where, DiagnosticSeverity.Error,
                $"-F writes the flattened format to standard output: only for ssh and raw dump targets ({(targetName is null ? "the target here is the local file system" : "the target here is " + targetName)})"));
        }
        if (!flat && needsFlat)
            result.Add(Problem(entry.Line, command, DiagnosticSeverity.Error, $"a{(targetName == "raw" ? "" : "n")} {targetName} dump target needs makedumpfile -F (flattened output)"));
        foreach (var operand in operands)
            result.Add(Problem(entry.Line, operand, DiagnosticSeverity.Warning, $"'{Shorten(operand.Text)}': kdump adds the vmcore and dump file names itself"));
    }

    public override IReadOnlyList<CompletionItem> Complete(TextDocument document, int line, int column, DumpWorkspace.Kernel? kernel, CancellationToken cancellation)
    {
        var text = document.Line(line);
        var words = Word.Split(text[..column]);
        // At the start of a line (or inside its first word): the directives.
        if (words.Count == 0 || (words.Count == 1 && words[0].End == column))
        {
            if (text.TrimStart().StartsWith('#')) return [];
            return KdumpDirective.All.Where(d => d.Role != DirectiveRole.Removed)
                .Select(d => Item(d.Name, CompletionItemKind.Keyword, d.Synopsis, d.Help)).ToList();
        }
        var directive = KdumpDirective.Find(words[0].Text);
        if (directive is null) return [];
        // The words before the one being typed.
        var before = words[^1].End == column ? words.Take(words.Count - 1).ToList() : words;
        if (directive.Values is { } values && before.Count == 1)
            return values.Select(v => Item(v, CompletionItemKind.EnumMember, directive.Name, ValueHelp(directive.Name, v))).ToList();
        if (directive.Role == DirectiveRole.Target && before.Count == 1 && directive.Name is not ("nfs" or "ssh" or "virtiofs"))
            return [Item("/dev/", CompletionItemKind.Value, "device node", null), Item("LABEL=", CompletionItemKind.Value, "file system label", null), Item("UUID=", CompletionItemKind.Value, "file system UUID", null)];
        if (directive.Name != "core_collector") return [];
        if (before.Count == 1)
        {
            return
            [
                Item("makedumpfile", CompletionItemKind.Function, "filtering and compressing copy (default)", "Copies only the pages the dump level keeps, compressed.", "makedumpfile -l --message-level 7 -d 31"),
                Item("cp", CompletionItemKind.Function, "plain copy", "Copies all of memory: the dump is as large as RAM."),
                Item("scp", CompletionItemKind.Function, "plain copy over ssh", "For ssh targets: copies all of memory."),
            ];
        }
        if (!before[1].Text.EndsWith("makedumpfile", StringComparison.Ordinal)) return [];
        var previous = before[^1].Text;
        if (previous == "-d")
            return new[] { 31, 17, 23, 1, 0 }.Select(l => Item(l.ToString(CultureInfo.InvariantCulture), CompletionItemKind.Value,
                "excludes: " + (l == 0 ? "nothing" : string.Join(", ", DumpLevel.Excluded(l))), DumpLevel.Describe(l))).ToList();
        if (previous == "--message-level")
            return new[] { 1, 7, 31 }.Select(l => Item(l.ToString(CultureInfo.InvariantCulture), CompletionItemKind.Value, null, DumpLevel.DescribeMessageLevel(l))).ToList();
        return MakedumpfileOption.All.Where(o => o.UsefulInKdumpConf)
            .Select(o => Item(o.Name, CompletionItemKind.Property, o.TakesArgument ? o.Name + " <arg>" : o.Name, o.Help)).ToList();
    }

    private static string? ValueHelp(string directive, string value) => (directive, value) switch
    {
        (_, "reboot") => "Reboot the system.",
        (_, "halt") => "Halt the system.",
        (_, "poweroff") => "Power the system off.",
        (_, "shell") => "Drop to a shell in the kdump initramfs; leaving it runs the final action.",
        (_, "dump_to_rootfs") => "Dump to the root file system from the initramfs, then run the final action; useful when the configured target is not the root file system.",
        _ => null,
    };

    public override Hover? Hover(TextDocument document, int line, int column, DumpWorkspace.Kernel? kernel, CancellationToken cancellation)
    {
        var words = Word.Split(document.Line(line));
        var at = words.FindIndex(w => w.Touches(column) && column < w.End || (w.End == column && column > w.Start));
        if (words.Count == 0 || at < 0) return null;
        var word = words[at];
        var directive = KdumpDirective.Find(words[0].Text);
        if (at == 0)
            return directive is null ? null : Markdown($"`{directive.Synopsis}`\n\n{directive.Help}", line, word.Start, word.End);
        if (directive is null) return null;
        if (directive.Values is not null && ValueHelp(directive.Name, word.Text) is { } help)
            return Markdown($"`{directive.Name} {word.Text}`: {help}", line, word.Start, word.End);
        if (directive.Name != "core_collector" || words.Count < 2 || !words[1].Text.EndsWith("makedumpfile", StringComparison.Ordinal) || at < 2)
            return null;
        var (options, _) = ParseMakedumpfile(words.Skip(2).ToList());
        foreach (var use in options)
        {
            var onOption = column >= use.Word.Start && column <= use.Word.End;
            var onArgument = use.Argument is not null && column >= use.ArgumentWord.Start && column <= use.ArgumentWord.End;
            if (!onOption && !onArgument) continue;
            var o = use.Option;
            if (o is null) return null;
            var span = onArgument ? use.ArgumentWord : use.Word;
            var hasLevel = int.TryParse(use.Argument, NumberStyles.None, CultureInfo.InvariantCulture, out var level);
            var text = o.Name switch
            {
                "-d" when hasLevel => DumpLevel.Describe(level),
                "--message-level" when hasLevel => DumpLevel.DescribeMessageLevel(level),
                _ => $"`makedumpfile {o.Name}{(o.TakesArgument ? " <arg>" : "")}`: {o.Help}",
            };
            return Markdown(text, line, span.Start, span.End);
        }
        return null;
    }
}
