using KdumpDebug.Lsp.Documents;
using KdumpDebug.Lsp.Protocol;

namespace KdumpDebug.Lsp.Grub;

/// <summary>
/// GRUB configuration (<c>/etc/default/grub</c>'s GRUB_CMDLINE_LINUX..., or the <c>linux</c> lines
/// of <c>grub.cfg</c>): finds every <c>crashkernel=</c> parameter and checks, explains and
/// completes its value (<see cref="CrashKernelParameter"/>). Other GRUB settings are left alone.
/// </summary>
public sealed class GrubService : LanguageService
{
    private const string Key = "crashkernel=";

    /// <summary>Diagnostics reported per document at most.</summary>
    public const int MaxDiagnostics = 200;

    /// <summary>The crashkernel= values of one line: the value and its columns.</summary>
    public static IEnumerable<Word> Values(string line)
    {
        var trimmed = line.TrimStart();
        if (trimmed.StartsWith('#')) yield break;
        var from = 0;
        while (from < line.Length)
        {
            var at = line.IndexOf(Key, from, StringComparison.Ordinal);
            if (at < 0) yield break;
            // A whole parameter: at the start or after a space or an opening quote.
            if (at > 0 && !(char.IsWhiteSpace(line[at - 1]) || line[at - 1] is '"' or '\'' or '='))
            {
                from = at + Key.Length;
                continue;
            }
            var start = at + Key.Length;
            var end = start;
            while (end < line.Length && !char.IsWhiteSpace(line[end]) && line[end] is not ('"' or '\'')) end++;
            yield return new Word(line[start..end], start, end);
            from = end;
        }
    }

    public override IReadOnlyList<Diagnostic> Diagnose(TextDocument document, DumpWorkspace.Kernel? kernel, CancellationToken cancellation)
    {
        var result = new List<Diagnostic>();
        for (var line = 0; line < document.LineCount && result.Count < MaxDiagnostics; line++)
        {
            if (line % 4096 == 0) cancellation.ThrowIfCancellationRequested();
            var text = document.Line(line);
            if (!text.Contains(Key, StringComparison.Ordinal)) continue;
            var plain = 0;
            foreach (var value in Values(text))
            {
                var keySpan = new Word(Key + value.Text, value.Start - Key.Length, value.End);
                var p = CrashKernelParameter.Parse(value.Text);
                if (p.Error is not null) result.Add(Problem(line, keySpan, DiagnosticSeverity.Error, $"crashkernel={value.Text}: {p.Error}"));
                foreach (var w in p.Warnings) result.Add(Problem(line, keySpan, DiagnosticSeverity.Warning, w));
                if (p.Error is null && p.Placement is null && ++plain == 2)
                    result.Add(Problem(line, keySpan, DiagnosticSeverity.Warning, "crashkernel= is given twice on this command line: the kernel uses the last one"));
            }
        }
        return result;
    }

    public override Hover? Hover(TextDocument document, int line, int column, DumpWorkspace.Kernel? kernel, CancellationToken cancellation)
    {
        foreach (var value in Values(document.Line(line)))
        {
            if (column < value.Start - Key.Length || column > value.End) continue;
            return Markdown(CrashKernelParameter.Parse(value.Text).Describe(), line, value.Start - Key.Length, value.End);
        }
        return null;
    }

    public override IReadOnlyList<CompletionItem> Complete(TextDocument document, int line, int column, DumpWorkspace.Kernel? kernel, CancellationToken cancellation)
    {
        var text = document.Line(line)[..column];
        if (text.EndsWith(Key, StringComparison.Ordinal))
        {
            return
            [
                Item("1G-4G:192M,4G-64G:256M,64G-:512M", CompletionItemKind.Value, "by RAM size (RHEL 9 x86-64 default)", CrashKernelParameter.Parse("1G-4G:192M,4G-64G:256M,64G-:512M").Describe()),
                Item("256M", CompletionItemKind.Value, "fixed size", CrashKernelParameter.Parse("256M").Describe()),
                Item("512M,high", CompletionItemKind.Value, "above 4 GiB", CrashKernelParameter.Parse("512M,high").Describe()),
            ];
        }
        var start = text.Length;
        while (start > 0 && !char.IsWhiteSpace(text[start - 1]) && text[start - 1] is not ('"' or '\'')) start--;
        var word = text[start..];
        if (word.Length > 0 && Key.StartsWith(word, StringComparison.Ordinal))
            return [Item(Key, CompletionItemKind.Property, "memory for the kdump kernel", "Reserves memory at boot for the kdump capture kernel: size[@offset], start-[end]:size,... or size,high|low.")];
        return [];
    }
}
