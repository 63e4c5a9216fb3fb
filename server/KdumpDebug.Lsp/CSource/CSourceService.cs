using System.Text.RegularExpressions;
using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Types;
using KdumpDebug.Lsp.Documents;
using KdumpDebug.Lsp.Protocol;

namespace KdumpDebug.Lsp.CSource;

/// <summary>
/// Kernel C sources, when a vmlinux is configured: hover on <c>struct NAME</c> (the <c>struct -o</c>
/// layout), on a member access (<c>p-&gt;comm</c>, <c>a.b-&gt;c</c>: the member's declaration,
/// offset and size, the base's type inferred from its declaration earlier in the file, else a
/// global of that name), on a global (its type and, with a dump, its value), a typedef or a
/// function (its prototype); go to
/// definition of a struct, union, enum, typedef or global through DW_AT_decl_file/line mapped by
/// the sourceFileMap/kernelSource settings. No C parser: identifiers and declarations are found
/// with the lexical patterns below, which is enough for kernel style.
/// </summary>
public sealed partial class CSourceService(DumpWorkspace workspace, Func<string?> workspaceRoot) : LanguageService
{
    /// <summary>Lines searched backwards for a local declaration (a long kernel function is a few hundred).</summary>
    public const int DeclarationSearchLines = 400;

    private static readonly HashSet<string> NotTypes =
        ["return", "sizeof", "else", "case", "goto", "typeof", "__typeof__", "if", "while", "for", "switch", "do", "break", "continue", "default"];

    /// <summary>The identifier at a column and its span, or null.</summary>
    public static Word? IdentifierAt(string line, int column)
    {
        static bool IsId(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
        var start = Math.Min(column, line.Length);
        var end = start;
        while (start > 0 && IsId(line[start - 1])) start--;
        while (end < line.Length && IsId(line[end])) end++;
        if (start == end || char.IsAsciiDigit(line[start])) return null;
        return new Word(line[start..end], start, end);
    }

    [GeneratedRegex(@"\b(struct|union|enum)\s+$")]
    private static partial Regex TagBefore();

    [GeneratedRegex(@"(?:->|\.)\s*$")]
    private static partial Regex AccessBefore();

    [GeneratedRegex(@"([A-Za-z_]\w*)\s*(->|\.)\s*$")]
    private static partial Regex ChainStep();

    public override Hover? Hover(TextDocument document, int line, int column, DumpWorkspace.Kernel? kernel, CancellationToken cancellation)
    {
        if (kernel is null) return null;
        var text = document.Line(line);
        if (IdentifierAt(text, column) is not { } id) return null;
        var before = text[..id.Start];
        string? markdown = null;
        var tag = TagBefore().Match(before);
        if (tag.Success) markdown = KernelHover.Type(kernel, $"{tag.Groups[1].Value} {id.Text}");
        else if (AccessBefore().IsMatch(before)) markdown = MemberHover(document, line, before, id.Text, kernel);
        else markdown = KernelHover.Global(kernel, id.Text, withValue: true) ?? TypedefHover(kernel, id.Text) ?? KernelHover.Function(kernel, id.Text);
        return markdown is null ? null : Markdown(markdown, line, id.Start, id.End);
    }

    private static string? TypedefHover(DumpWorkspace.Kernel kernel, string name)
    {
        try
        {
            return kernel.Types.TryFindType(name, out var t) && t.StripQualifiers().Kind == CTypeKind.Typedef ? KernelHover.Type(kernel, name) : null;
        }
        catch (KdumpDebugException)
        {
            return null;
        }
    }

    /// <summary>Hover for <c>base-&gt;a.b</c>: walks the access chain left of the member back to its base identifier and resolves it.</summary>
    private string? MemberHover(TextDocument document, int line, string before, string member, DumpWorkspace.Kernel kernel)
    {
        var path = new List<string>();
        var rest = before;
        for (var guard = 0; guard < 32; guard++)
        {
            var m = ChainStep().Match(rest);
            if (!m.Success) break;
            path.Insert(0, m.Groups[1].Value);
            rest = rest[..m.Index];
            if (!AccessBefore().IsMatch(rest)) break;
        }
        if (path.Count == 0) return null;
        try
        {
            var type = LocalType(document, line, path[0], kernel.Types);
            if (type is null && kernel.Types.TryFindVariable(path[0], out var global)) type = global.Type;
            if (type is null) return null;
            foreach (var step in path.Skip(1))
            {
                var container = CTypeLayout.Deref(type);
                if (!container.IsStructLike || !container.TryFindMember(step, out var lookup)) return null;
                type = lookup.Member.Type;
            }
            var owner = CTypeLayout.Deref(type);
            var found = CTypeLayout.NamedMembers(owner).FirstOrDefault(m => m.Name == member);
            return found.Member is null ? null : KernelHover.Member(owner, member, found.Member, found.Offset);
        }
        catch (KdumpDebugException)
        {
            return null;
        }
    }

    /// <summary>
    /// The type of <paramref name="name"/> from the nearest declaration above <paramref name="line"/>
    /// (a local, a parameter, a file-scope variable): <c>struct task_struct *p</c>,
    /// <c>const struct cred *cred =</c>, <c>spinlock_t *lock;</c>. Null when none is found or the
    /// type is not in the vmlinux.
    /// </summary>
    private static CType? LocalType(TextDocument document, int line, string name, TypeSystem types)
    {
        var pattern = new Regex(@"(?:\b(struct|union)\s+([A-Za-z_]\w*)|\b([A-Za-z_]\w*))[\s\*]*(?:const\s+)?\*?\s*\b" + Regex.Escape(name) + @"\b\s*(?:[;,=)\[]|$)");
        for (var l = line; l >= 0 && l > line - DeclarationSearchLines; l--)
        {
            foreach (Match m in pattern.Matches(document.Line(l)))
            {
                var typeName = m.Groups[1].Success ? $"{m.Groups[1].Value} {m.Groups[2].Value}" : m.Groups[3].Value;
                if (NotTypes.Contains(typeName) || typeName == name) continue;
                if (types.TryFindType(typeName, out var t)) return t;
            }
        }
        return null;
    }

    public override Location? Definition(TextDocument document, int line, int column, DumpWorkspace.Kernel? kernel, CancellationToken cancellation)
    {
        if (kernel is null) return null;
        var text = document.Line(line);
        if (IdentifierAt(text, column) is not { } id) return null;
        try
        {
            string? file = null;
            var declLine = 0;
            var tag = TagBefore().Match(text[..id.Start]);
            if (tag.Success && kernel.Types.TryFindType($"{tag.Groups[1].Value} {id.Text}", out var type))
                (file, declLine) = kernel.Types.DeclarationOf(type.Unqualified().Die);
            else if (kernel.Types.TryFindVariable(id.Text, out var variable))
                (file, declLine) = (variable.DeclFile, variable.DeclLine);
            else if (kernel.Types.TryFindType(id.Text, out var typedef) && typedef.StripQualifiers().Kind == CTypeKind.Typedef)
                (file, declLine) = kernel.Types.DeclarationOf(typedef.StripQualifiers().Die);
            if (file is null || declLine <= 0) return null;
            var local = workspace.Settings.MapSource(file, workspaceRoot());
            if (local is null || !File.Exists(local)) return null;
            return new Location
            {
                Uri = new Uri(local).AbsoluteUri,
                Range = TextDocument.Span(declLine - 1, 0, 0),
            };
        }
        catch (KdumpDebugException)
        {
            return null;
        }
    }
}
