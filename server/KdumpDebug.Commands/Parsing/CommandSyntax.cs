namespace KdumpDebug.Commands.Parsing;

/// <summary>
/// Checks a command line without running it, for front ends that look at scripts (the language
/// server's crash-script diagnostics): the same word splitting and getopt rules the commands use.
/// Cheap: no target access.
/// </summary>
public static class CommandSyntax
{
    /// <summary>The words of a command line (crash's quoting rules); throws <see cref="CommandException"/> for unbalanced quotes.</summary>
    public static IReadOnlyList<string> Words(string line) => CommandLineTokenizer.Split(line);

    /// <summary>
    /// Checks the options among <paramref name="arguments"/> (the words after the command name)
    /// against <see cref="CommandHelp.Options"/>; returns null when they are accepted or the command
    /// reads its options itself, else getopt's message (<c>invalid option -- 'z'</c>).
    /// </summary>
    public static string? OptionError(CommandHelp help, IReadOnlyList<string> arguments)
    {
        if (help.Options is null) return null;
        try
        {
            GetOpt.Parse(arguments, help.Options);
            return null;
        }
        catch (CommandException e)
        {
            return e.Message;
        }
    }
}
