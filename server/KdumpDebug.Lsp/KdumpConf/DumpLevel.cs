using System.Text;

namespace KdumpDebug.Lsp.KdumpConf;

/// <summary>
/// makedumpfile's dump level (<c>-d</c>): a 5-bit mask of page types left out of the dump
/// (makedumpfile.h DL_EXCLUDE_ZERO .. DL_EXCLUDE_FREE), and what each excluded type means for
/// later analysis; and the message level (<c>--message-level</c>), also a 5-bit mask.
/// </summary>
public static class DumpLevel
{
    /// <summary>Highest dump level and message level makedumpfile accepts (MAX_DUMP_LEVEL, MAX_MSG_LEVEL).</summary>
    public const int Max = 31;

    /// <summary>The page types by bit, with what reading the dump loses when they are excluded.</summary>
    public static readonly IReadOnlyList<(int Bit, string Name, string Effect)> PageTypes =
    [
        (1, "zero pages", "pages filled with zeros; nothing is lost (tools read them as zeros)"),
        (2, "cache pages", "page-cache pages without private data: cached file contents are unreadable"),
        (4, "cache private", "page-cache pages with private data (buffer heads, filesystem metadata buffers): cached file data and metadata are unreadable"),
        (8, "user data", "user-space process memory: user stacks, heaps and mappings are unreadable (`vm -p`, `rd -u` and user backtraces fail); kernel data stays"),
        (16, "free pages", "free memory: remnants of freed objects (e.g. what a use-after-free touched) are gone"),
    ];

    /// <summary>The message types of <c>--message-level</c> by bit (makedumpfile.h ML_PRINT_*).</summary>
    public static readonly IReadOnlyList<(int Bit, string Name)> MessageTypes =
    [
        (1, "progress indicator"),
        (2, "common messages"),
        (4, "error messages"),
        (8, "debug messages"),
        (16, "report messages"),
    ];

    /// <summary>The names of the page types a level excludes, in bit order ("zero pages, cache pages").</summary>
    public static IReadOnlyList<string> Excluded(int level) =>
        PageTypes.Where(t => (level & t.Bit) != 0).Select(t => t.Name).ToList();

    /// <summary>Markdown explaining a dump level: which page types are excluded, which kept, and what that means.</summary>
    public static string Describe(int level)
    {
        var sb = new StringBuilder();
        sb.Append($"**Dump level {level}**");
        if (level is < 0 or > Max) return sb.Append($": outside 0..{Max}; makedumpfile refuses it.").ToString();
        var excluded = PageTypes.Where(t => (level & t.Bit) != 0).ToList();
        var kept = PageTypes.Where(t => (level & t.Bit) == 0).ToList();
        if (excluded.Count == 0) return sb.Append(": every page is kept (a full dump, as large as memory).").ToString();
        sb.Append(" excludes ").Append(string.Join(", ", excluded.Select(t => $"{t.Name} ({t.Bit})"))).Append(".\n\n");
        foreach (var t in excluded) sb.Append($"- {t.Name}: {t.Effect}\n");
        sb.Append('\n').Append(kept.Count == 0 ? "Kept: kernel memory only." : "Kept: kernel memory and " + string.Join(", ", kept.Select(t => t.Name)) + ".");
        return sb.ToString();
    }

    /// <summary>Markdown explaining a message level.</summary>
    public static string DescribeMessageLevel(int level)
    {
        if (level is < 0 or > Max) return $"**Message level {level}**: outside 0..{Max}; makedumpfile refuses it.";
        var shown = MessageTypes.Where(t => (level & t.Bit) != 0).Select(t => t.Name).ToList();
        return $"**Message level {level}** prints " + (shown.Count == 0 ? "nothing." : string.Join(", ", shown) + ".");
    }
}
