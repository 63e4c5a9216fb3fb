using KdumpDebug.Core.Errors;
using KdumpDebug.Dap.Protocol;
using KdumpDebug.Dap.Transport;
using KdumpDebug.Debuginfo.Types;
using KdumpDebug.Expressions;

namespace KdumpDebug.Dap.Session;

// completions: crash commands, symbols, struct members.
public sealed partial class DapSession
{
    /// <summary>Most items one completions response lists.</summary>
    public const int MaxCompletions = 500;

    /// <summary>
    /// DAP completions for the debug console: the command names (and aliases) of the command table
    /// while the cursor is in the first word; after "EXPR." or "EXPR->" the members of EXPR's
    /// struct or union (EXPR evaluated as a C expression, or a struct name as crash's
    /// <c>struct task_struct.pid</c> takes it); otherwise kernel and module symbols starting with
    /// the word. Each item replaces the word before the cursor (<c>start</c>/<c>length</c>).
    /// </summary>
    private CompletionsResponseBody Completions(CompletionsArguments args, DapServer server)
    {
        var dump = Dump;
        var text = args.Text ?? "";
        // Columns count UTF-16 code units from 1 unless the client said otherwise (DAP initialize).
        var columnBase = server.ClientCapabilities?.ColumnsStartAt1 == false ? 0 : 1;
        var lines = text.Split('\n');
        var lineIndex = (int)Math.Clamp((args.Line ?? 1) - 1, 0, lines.Length - 1);
        var lineText = args.Line is null ? lines[^1] : lines[lineIndex];
        var cursor = (int)Math.Clamp(args.Column - columnBase, 0, lineText.Length);
        var before = lineText[..cursor];
        var wordStart = cursor;
        while (wordStart > 0 && IsIdentifierChar(before[wordStart - 1])) wordStart--;
        var word = before[wordStart..];
        var start = wordStart + columnBase;

        var items = new List<CompletionItem>();
        if (before[..wordStart].Trim().Length == 0)
        {
            foreach (var name in dump.Commands.Table.NamesStartingWith(word))
            {
                dump.Commands.Table.TryFind(name, out var command);
                items.Add(new CompletionItem
                {
                    Label = name, Text = name, Type = CompletionItemType.Function, Detail = command?.Help.Summary,
                    Start = start, Length = word.Length,
                });
            }
        }
        else if (MemberAccessBase(before[..wordStart]) is { } baseExpression)
        {
            foreach (var member in MembersOf(dump, baseExpression).Where(m => m.StartsWith(word, StringComparison.Ordinal)).Take(MaxCompletions))
                items.Add(new CompletionItem { Label = member, Text = member, Type = CompletionItemType.Field, Start = start, Length = word.Length });
            return new CompletionsResponseBody { Targets = items };
        }
        if (word.Length > 0)
        {
            foreach (var symbol in dump.SymbolNamesStartingWith(word, MaxCompletions - items.Count))
                items.Add(new CompletionItem { Label = symbol, Text = symbol, Type = CompletionItemType.Variable, Start = start, Length = word.Length });
        }
        return new CompletionsResponseBody { Targets = items };
    }

    private static bool IsIdentifierChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    /// <summary>The expression before a trailing "." or "->", or null when the text does not end in one.</summary>
    private static string? MemberAccessBase(string text)
    {
        string head;
        if (text.EndsWith("->", StringComparison.Ordinal)) head = text[..^2];
        else if (text.EndsWith('.')) head = text[..^1];
        else return null;
        // The operand: back to a space or an opening bracket that is not closed inside it.
        var depth = 0;
        var i = head.Length;
        while (i > 0)
        {
            var c = head[i - 1];
            if (c is ')' or ']') depth++;
            else if (c is '(' or '[')
            {
                if (depth == 0) break;
                depth--;
            }
            else if (depth == 0 && (char.IsWhiteSpace(c) || c is ',' or '=' or '+' or '&' or '*' or '!' or '|' or '<' or '^' or '~' or '?' or ':' or ';')) break;
            i--;
        }
        var expression = head[i..].Trim();
        return expression.Length == 0 ? null : expression;
    }

    /// <summary>Member names (anonymous structs and unions flattened) of the struct an expression or a struct name gives; empty when neither.</summary>
    private static IEnumerable<string> MembersOf(OpenDump dump, string expression)
    {
        CType? type = null;
        lock (dump.CommandLock)
        {
            try
            {
                type = Evaluator.For(dump.Target).Evaluate(expression).Type;
            }
            catch (KdumpDebugException)
            {
                // Not an expression: crash's "struct task_struct.pid" and "task_struct.pid" name a type.
                var types = dump.Target.Objects.Types;
                if (types.HasDebugInfo
                    && (types.TryFindType(expression, out var t) || types.TryFindType($"struct {expression}", out t) || types.TryFindType($"union {expression}", out t)))
                    type = t;
            }
        }
        if (type is null) return [];
        type = type.Unqualified();
        if (type.Kind == CTypeKind.Pointer && type.Target is { } pointee) type = pointee.Unqualified();
        if (!type.IsStructLike) return [];
        var names = new List<string>();
        Collect(type, names, 0);
        return names.Distinct().Order(StringComparer.Ordinal);

        static void Collect(CType t, List<string> into, int depth)
        {
            if (depth > 8) return;
            foreach (var m in t.Members)
            {
                if (m.Name is { } name) into.Add(name);
                else if (m.Type.Unqualified().IsStructLike) Collect(m.Type.Unqualified(), into, depth + 1);
            }
        }
    }
}
