using System.Reflection;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>help</c>: without arguments the command names in crash's five 15-character columns
/// (filled column by column); with names, each command's help in crash's NAME / SYNOPSIS /
/// DESCRIPTION / EXAMPLES layout (help.c). Reads the session's <see cref="CommandTable"/>.
/// </summary>
public sealed class HelpCommand : ICommand
{
    const int Columns = 5;
    const int ColumnWidth = 15;

    public CommandHelp Help { get; } = new(
        Name: "help",
        Aliases: ["man", "?"],
        Summary: "get help",
        Synopsis: "help [command]...",
        Description: """
            With no argument, lists the available commands.  With command names,
            shows each command's help: its synopsis, description and examples.
            """,
        Examples: """
            Show the help of the rd command:

              crash> help rd
            """);

    public void Execute(CommandContext context)
    {
        var table = context.Session.Table;
        if (context.Arguments.Count == 0)
        {
            WriteCommandList(context.Out, table);
            return;
        }
        foreach (var name in context.Arguments)
        {
            if (table.TryFind(name, out var command)) WriteHelp(context.Out, command.Help);
            else context.Out.Write($"No help data for \"{name}\" is available.\n");
        }
    }

    static void WriteCommandList(TextWriter output, CommandTable table)
    {
        var names = table.Commands.Select(c => c.Help.Name).ToArray();
        var rows = (names.Length + Columns - 1) / Columns;
        output.Write("\n");
        for (var row = 0; row < rows; row++)
        {
            var line = new System.Text.StringBuilder();
            for (var i = row; i < names.Length; i += rows) line.Append(names[i].PadRight(ColumnWidth));
            output.Write($"{line}\n");
        }
        output.Write("\n");
        output.Write($"kdumpdebug version: {ProductVersion()}\n");
        output.Write("For help on any command above, enter \"help <command>\".\n");
        output.Write("\n");
    }

    /// <summary>help.c's layout: each section title at the margin, its text indented two spaces.</summary>
    internal static void WriteHelp(TextWriter output, CommandHelp help)
    {
        output.Write("\n");
        output.Write("NAME\n");
        output.Write($"  {help.Name} - {help.Summary}\n");
        output.Write("\n");
        WriteSection(output, "SYNOPSIS", help.Synopsis);
        WriteSection(output, "DESCRIPTION", help.Description);
        if (help.Aliases.Count > 0)
            WriteSection(output, "ALIASES", string.Join(", ", help.Aliases));
        if (help.Examples.Length > 0) WriteSection(output, "EXAMPLES", help.Examples);
    }

    static void WriteSection(TextWriter output, string title, string text)
    {
        output.Write($"{title}\n");
        foreach (var line in text.TrimEnd().Split('\n'))
            output.Write(line.Length == 0 ? "\n" : $"  {line.TrimEnd()}\n");
        output.Write("\n");
    }

    static string ProductVersion() =>
        typeof(HelpCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "unknown";
}
