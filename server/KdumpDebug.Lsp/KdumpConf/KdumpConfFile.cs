using KdumpDebug.Lsp.Documents;

namespace KdumpDebug.Lsp.KdumpConf;

/// <summary>One directive line: its line number, the directive word and the value words (comments dropped).</summary>
public sealed record KdumpConfEntry(int Line, Word Directive, IReadOnlyList<Word> Values);

/// <summary>
/// A kdump.conf parsed the way kdumpctl reads it (<c>while read config_opt config_val</c>): one
/// directive per line, the first word names it, the rest is its value; blank lines and lines
/// starting with <c>#</c> are skipped, and a word starting with <c>#</c> begins a comment.
/// Parsing is linear in the text; at most <see cref="MaxEntries"/> directives are kept, so a
/// huge file costs bounded memory.
/// </summary>
public sealed class KdumpConfFile
{
    /// <summary>Directive lines kept; a real kdump.conf has a few dozen.</summary>
    public const int MaxEntries = 10_000;

    public IReadOnlyList<KdumpConfEntry> Entries { get; }

    private KdumpConfFile(IReadOnlyList<KdumpConfEntry> entries) => Entries = entries;

    public static KdumpConfFile Parse(TextDocument document)
    {
        var entries = new List<KdumpConfEntry>();
        for (var line = 0; line < document.LineCount && entries.Count < MaxEntries; line++)
        {
            var words = Word.Split(document.Line(line));
            if (words.Count == 0) continue;
            entries.Add(new KdumpConfEntry(line, words[0], words.Skip(1).ToList()));
        }
        return new KdumpConfFile(entries);
    }

    /// <summary>The dump target entries (raw, nfs, ssh, virtiofs, file systems), in file order.</summary>
    public IEnumerable<KdumpConfEntry> Targets =>
        Entries.Where(e => KdumpDirective.Find(e.Directive.Text)?.Role == DirectiveRole.Target);

    /// <summary>The first entry of a directive, or null.</summary>
    public KdumpConfEntry? First(string name) => Entries.FirstOrDefault(e => e.Directive.Text == name);
}
