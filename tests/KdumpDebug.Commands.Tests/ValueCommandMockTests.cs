using KdumpDebug.TestSupport;

namespace KdumpDebug.Commands.Tests;

/// <summary>The value commands on a target without a vmlinux's DWARF say so in one line.</summary>
public sealed class ValueCommandMockTests
{
    [Theory]
    [InlineData("p jiffies", "p: no debugging data available: expressions need the vmlinux's DWARF\n")]
    [InlineData("whatis jiffies", "whatis: no debugging data available: expressions need the vmlinux's DWARF\n")]
    [InlineData("struct list_head", "struct: no debugging data available: expressions need the vmlinux's DWARF\n")]
    [InlineData("eval 1+2", "eval: no debugging data available: expressions need the vmlinux's DWARF\n")]
    public void WithoutDebugInfoTheCommandsSaySo(string command, string expected) =>
        Assert.Equal(expected, new CommandSession(new MockTarget()).ExecuteAndCapture(command));

    [Fact]
    public void PFormatSuffixReachesTheCommand()
    {
        // "p/x" is not a command name: the session splits the gdb format off.
        Assert.Equal("p: no debugging data available: expressions need the vmlinux's DWARF\n",
            new CommandSession(new MockTarget()).ExecuteAndCapture("p/x jiffies"));
        Assert.Equal("crash: command not found: frob/x\n", new CommandSession(new MockTarget()).ExecuteAndCapture("frob/x 1"));
    }
}
