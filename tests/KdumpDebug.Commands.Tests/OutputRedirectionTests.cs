using KdumpDebug.Commands.Parsing;
using KdumpDebug.Commands.Tests.RealDump;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Commands.Tests;

/// <summary>crash's "| shell-command", "> file" and ">> file" after a command (cmdline.c).</summary>
public sealed class OutputRedirectionTests
{
    [Theory]
    [InlineData("log | tail -n 2", "log", OutputRedirectionKind.Pipe, "tail -n 2")]
    [InlineData("foreach bt|grep -c PID", "foreach bt", OutputRedirectionKind.Pipe, "grep -c PID")]
    [InlineData("p jiffies > /tmp/x", "p jiffies", OutputRedirectionKind.Overwrite, "/tmp/x")]
    [InlineData("p jiffies >> /tmp/x", "p jiffies", OutputRedirectionKind.Append, "/tmp/x")]
    [InlineData("sym -q \"a|b\" | wc -l", "sym -q \"a|b\"", OutputRedirectionKind.Pipe, "wc -l")]
    public void SplitsAtTheFirstRedirectionOutsideQuotes(string line, string command, OutputRedirectionKind kind, string target)
    {
        Assert.True(OutputRedirectionParser.TrySplit(line, out var c, out var r));
        Assert.Equal(command, c);
        Assert.Equal(new OutputRedirection(kind, target), r);
    }

    [Theory]
    [InlineData("p init_task->comm")]
    [InlineData("p (1 > 0)")]
    [InlineData("p arr[a|b]")]
    [InlineData("sym -q \">\"")]
    public void ArrowsParenthesesAndQuotesAreNotRedirections(string line)
    {
        Assert.False(OutputRedirectionParser.TrySplit(line, out var c, out var r));
        Assert.Equal(line, c);
        Assert.Null(r);
    }

    [Fact]
    public void NothingAfterTheSignIsAnError() =>
        Assert.Throws<CommandException>(() => OutputRedirectionParser.TrySplit("log |", out _, out _));

    /// <summary>crash 8.0.2 on the sysrq dump prints the same for these (recorded by hand: `log | tail -n 2`, `sym jiffies | cat -n`).</summary>
    [FixtureFact]
    public void PipesAndFilesOnTheRealDump()
    {
        var session = new CommandSession(FixtureDumps.Open("sysrq"));
        Assert.Equal(
            "[    3.796433] R13: 00000000251753a0 R14: 0000000000000001 R15: 00007ffefeb73840\n[    3.796433]  </TASK>\n",
            session.ExecuteAndCapture("log | tail -n 2"));
        Assert.Equal("     1\tffffffff828079c0 (D) jiffies\n", session.ExecuteAndCapture("sym jiffies | cat -n"));
        var file = Path.Combine(Path.GetTempPath(), $"kdumpdebug-redirect-{Guid.NewGuid():n}.txt");
        try
        {
            Assert.Equal("", session.ExecuteAndCapture($"p jiffies > {file}"));
            Assert.Equal("", session.ExecuteAndCapture($"p init_task.pid >> {file}"));
            Assert.Equal("jiffies = $1 = 4294893219\n$2 = 0\n", File.ReadAllText(file));
        }
        finally
        {
            File.Delete(file);
        }
        Assert.StartsWith("crash: /nonexistent-dir/x: ", session.ExecuteAndCapture("p jiffies > /nonexistent-dir/x"));
    }
}
