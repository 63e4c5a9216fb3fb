namespace KdumpDebug.Commands.Parsing;

/// <summary>One option found by <see cref="GetOpt"/>, in command-line order.</summary>
readonly record struct ParsedOption(char Name, string? Argument);

/// <summary>Options (in order) and operands (the remaining words, in order).</summary>
sealed record ParsedArguments(IReadOnlyList<ParsedOption> Options, IReadOnlyList<string> Operands);

/// <summary>
/// GNU getopt(3) as crash commands use it: an option string such as <c>"ae:r:81:3:6:"</c> (a colon
/// marks an option with an argument, taken from the rest of the word or the next word), option
/// clusters (<c>-xs</c>), options after operands (GNU permutation: <c>rd addr -e end</c>), and
/// <c>--</c> ending the options. crash's size options are getopt tricks: <c>-64</c> is option
/// <c>6</c> with argument <c>"4"</c>, and the command checks the argument. Errors use getopt's
/// wording and ask the session to print the usage.
/// </summary>
static class GetOpt
{
    public static ParsedArguments Parse(IReadOnlyList<string> words, string optionString)
    {
        var options = new List<ParsedOption>();
        var operands = new List<string>();
        for (var i = 0; i < words.Count; i++)
        {
            var word = words[i];
            if (word == "--")
            {
                operands.AddRange(words.Skip(i + 1));
                break;
            }
            if (word.Length < 2 || word[0] != '-')
            {
                operands.Add(word);
                continue;
            }
            for (var j = 1; j < word.Length; j++)
            {
                var name = word[j];
                var at = name == ':' ? -1 : optionString.IndexOf(name);
                if (at < 0) throw new CommandException($"invalid option -- '{name}'", showUsage: true);
                var takesArgument = at + 1 < optionString.Length && optionString[at + 1] == ':';
                if (!takesArgument)
                {
                    options.Add(new ParsedOption(name, null));
                    continue;
                }
                string argument;
                if (j + 1 < word.Length) argument = word[(j + 1)..];
                else if (i + 1 < words.Count) argument = words[++i];
                else throw new CommandException($"option requires an argument -- '{name}'", showUsage: true);
                options.Add(new ParsedOption(name, argument));
                break;
            }
        }
        return new ParsedArguments(options, operands);
    }
}
