using KdumpDebug.TestSupport;

namespace KdumpDebug.Commands.Tests;

/// <summary>help and the command table behind it.</summary>
public sealed class HelpCommandTests
{
    static string Run(string line) => new CommandSession(new MockTarget()).ExecuteAndCapture(line);

    [Fact]
    public void CommandListUsesCrashsFifteenCharacterColumnsFilledDownFirst()
    {
        // A fixed table of six, so the layout stays checkable as commands are added to the default one.
        var table = new CommandTable([new Crash.ExitCommand(), new Crash.HistoryCommand(), new Crash.HelpCommand(), new Crash.RdCommand(), new Crash.SymCommand(), new Crash.QuitCommand()]);
        var lines = new CommandSession(new MockTarget(), table).ExecuteAndCapture("help").Split('\n');
        Assert.Equal("", lines[0]);
        // 6 commands in 5 columns: 2 rows, filled column by column (crash's help.c layout).
        Assert.Equal("exit           help           sym            ", lines[1]);
        Assert.Equal("h              rd             q              ", lines[2]);
        Assert.Equal("", lines[3]);
        Assert.StartsWith("kdumpdebug version: ", lines[4]);
    }

    [Fact]
    public void HelpForACommandHasCrashsSections()
    {
        var text = Run("help rd");
        Assert.StartsWith("\nNAME\n  rd - read memory\n\nSYNOPSIS\n  rd [-adDsxpuNR]", text);
        Assert.Contains("\nDESCRIPTION\n  This command displays the contents of memory", text);
        Assert.Contains("\nEXAMPLES\n", text);
    }

    [Fact]
    public void HelpByAliasFindsTheCommand()
    {
        Assert.StartsWith("\nNAME\n  q - exit this session\n", Run("help quit"));
    }

    [Fact]
    public void UnknownCommandHasNoHelp()
    {
        Assert.Equal("No help data for \"frob\" is available.\n", Run("help frob"));
    }

    [Fact]
    public void EveryCommandDocumentsItself()
    {
        foreach (var command in CommandTable.CreateDefault().Commands)
        {
            var help = command.Help;
            Assert.False(string.IsNullOrWhiteSpace(help.Summary), help.Name);
            Assert.StartsWith(help.Name, help.Synopsis);
            Assert.False(string.IsNullOrWhiteSpace(help.Description), help.Name);
        }
    }

    [Fact]
    public void TableFindsNamesAndAliasesAndCompletesPrefixes()
    {
        var table = CommandTable.CreateDefault();
        Assert.True(table.TryFind("history", out var history));
        Assert.Equal("h", history.Help.Name);
        Assert.False(table.TryFind("RD", out _));
        Assert.Equal(["q", "quit"], table.NamesStartingWith("q"));
    }

    [Fact]
    public void TableRefusesTwoCommandsWithOneName()
    {
        Assert.Throws<ArgumentException>(() => new CommandTable([new Crash.QuitCommand(), new Crash.QuitCommand()]));
    }
}
