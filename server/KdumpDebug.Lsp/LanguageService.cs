using KdumpDebug.Lsp.Documents;
using KdumpDebug.Lsp.Protocol;

namespace KdumpDebug.Lsp;

/// <summary>
/// The features for one <see cref="DocumentKind"/>. Every method works on an immutable document
/// snapshot and a position already checked to lie inside it; answers are empty when there is
/// nothing to say. <c>kernel</c> is the configured vmlinux/vmcore once open (null: none). Implementations must not throw for any text (the session still catches, so a
/// bug costs one empty answer, not the connection).
/// </summary>
/// <remarks>
/// To add a document kind: add a <see cref="DocumentKind"/> member, recognise it in
/// <see cref="DocumentClassifier"/>, subclass this, and map the kind to it in
/// <see cref="Host.LspSession"/>; then list the language id in the README's selector table.
/// </remarks>
public abstract class LanguageService
{
    public virtual IReadOnlyList<Diagnostic> Diagnose(TextDocument document, DumpWorkspace.Kernel? kernel, CancellationToken cancellation) => [];

    public virtual IReadOnlyList<CompletionItem> Complete(TextDocument document, int line, int column, DumpWorkspace.Kernel? kernel, CancellationToken cancellation) => [];

    public virtual Hover? Hover(TextDocument document, int line, int column, DumpWorkspace.Kernel? kernel, CancellationToken cancellation) => null;

    public virtual Location? Definition(TextDocument document, int line, int column, DumpWorkspace.Kernel? kernel, CancellationToken cancellation) => null;

    /// <summary>A diagnostic on one line span, from this server.</summary>
    public static Diagnostic Problem(int line, int start, int end, DiagnosticSeverity severity, string message) => new()
    {
        Range = TextDocument.Span(line, start, end),
        Severity = severity,
        Source = "kdumpdebug",
        Message = message,
    };

    public static Diagnostic Problem(int line, Word word, DiagnosticSeverity severity, string message) =>
        Problem(line, word.Start, word.End, severity, message);

    /// <summary>A hover with Markdown text over a span of one line.</summary>
    public static Hover Markdown(string markdown, int line, int start, int end) => new()
    {
        Contents = new MarkupContent { Kind = MarkupKind.Markdown, Value = markdown },
        Range = TextDocument.Span(line, start, end),
    };

    /// <summary>A completion item with Markdown documentation.</summary>
    public static CompletionItem Item(string label, CompletionItemKind kind, string? detail, string? documentation, string? insertText = null) => new()
    {
        Label = label,
        Kind = kind,
        Detail = detail,
        Documentation = documentation is null ? null : new MarkupContent { Kind = MarkupKind.Markdown, Value = documentation },
        InsertText = insertText,
    };
}
