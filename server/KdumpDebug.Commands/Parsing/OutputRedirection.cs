namespace KdumpDebug.Commands.Parsing;

/// <summary>Where a command's output goes: through a shell command (<c>| cmd</c>) or into a file (<c>&gt; file</c>, <c>&gt;&gt; file</c>).</summary>
public sealed record OutputRedirection(OutputRedirectionKind Kind, string Target);

public enum OutputRedirectionKind
{
    /// <summary><c>command | shell-command</c>: the output is the shell command's standard input.</summary>
    Pipe,
    /// <summary><c>command &gt; file</c>: the file is created or truncated.</summary>
    Overwrite,
    /// <summary><c>command &gt;&gt; file</c>.</summary>
    Append,
}

/// <summary>
/// crash's output redirection (cmdline.c): the first <c>|</c> or <c>&gt;</c> of a command line that
/// is outside double quotes, parentheses and brackets ends the command; what follows is a shell
/// command to pipe through, or a file. The arrow of <c>p task-&gt;comm</c> and C comparisons
/// inside parentheses (<c>p (a &gt; b)</c>) stay in the command, as crash asks users to write them.
/// </summary>
public static class OutputRedirectionParser
{
    /// <summary>Splits <paramref name="line"/>; false (and the line unchanged) when it has no redirection.</summary>
    public static bool TrySplit(string line, out string command, out OutputRedirection? redirection)
    {
        command = line;
        redirection = null;
        var inQuotes = false;
        var depth = 0;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '"') inQuotes = !inQuotes;
            if (inQuotes) continue;
            if (c is '(' or '[') depth++;
            else if (c is ')' or ']') depth = Math.Max(0, depth - 1);
            if (depth > 0) continue;
            if (c == '|')
            {
                redirection = new OutputRedirection(OutputRedirectionKind.Pipe, line[(i + 1)..].Trim());
            }
            else if (c == '>' && (i == 0 || line[i - 1] != '-'))
            {
                var append = i + 1 < line.Length && line[i + 1] == '>';
                redirection = new OutputRedirection(append ? OutputRedirectionKind.Append : OutputRedirectionKind.Overwrite,
                    line[(append ? i + 2 : i + 1)..].Trim());
            }
            else continue;
            command = line[..i].TrimEnd();
            if (redirection.Target.Length == 0)
                throw new CommandException(redirection.Kind == OutputRedirectionKind.Pipe ? "nothing to pipe into after '|'" : "no file name after '>'");
            return true;
        }
        return false;
    }
}
