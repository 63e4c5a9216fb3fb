using KdumpDebug.Core.Errors;
using KdumpDebug.Target;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Commands.Tests;

/// <summary>CommandSession: dispatch, crash-style errors, history, exit.</summary>
public sealed class SessionTests
{
    static CommandSession Session() => new(new MockTarget().AddSymbol("_text", 0xffffffff81000000, 'T'));

    [Fact]
    public void UnknownCommandIsReportedAndFails()
    {
        var session = Session();
        var output = new StringWriter();
        Assert.Equal(CommandOutcome.Failed, session.Execute("frobnicate 1", output));
        Assert.Equal("crash: command not found: frobnicate\n", output.ToString());
    }

    [Fact]
    public void BlankLinesAndCommentsDoNothingAndAreNotRecorded()
    {
        var session = Session();
        Assert.Equal(CommandOutcome.Empty, session.Execute("   ", TextWriter.Null));
        Assert.Equal(CommandOutcome.Empty, session.Execute("# a comment", TextWriter.Null));
        Assert.Empty(session.History);
    }

    [Fact]
    public void HistoryIsNumberedFromOneAndExcludesTheCurrentLine()
    {
        var session = Session();
        session.Execute("sym _text", TextWriter.Null);
        session.Execute("nosuchcommand", TextWriter.Null);
        Assert.Equal("[1] sym _text\n[2] nosuchcommand\n", session.ExecuteAndCapture("h"));
        Assert.Equal("[1] sym _text\n[2] nosuchcommand\n[3] h\n", session.ExecuteAndCapture("history"));
    }

    [Fact]
    public void HistoryWithNothingEnteredSaysSo()
    {
        Assert.Equal("h: no commands entered!\n", Session().ExecuteAndCapture("h"));
    }

    [Theory]
    [InlineData("q")]
    [InlineData("quit")]
    [InlineData("exit")]
    public void QuitCommandsEndTheSession(string line)
    {
        var session = Session();
        Assert.Equal(CommandOutcome.Exit, session.Execute(line, TextWriter.Null));
        Assert.True(session.ExitRequested);
    }

    [Fact]
    public void QuotedArgumentIsOneWord()
    {
        Assert.Equal("crash: unbalanced quotation marks in command line\n", Session().ExecuteAndCapture("sym -q \"_te"));
        Assert.Equal("ffffffff81000000 (T) _text\n", Session().ExecuteAndCapture("sym -q \"_te\""));
    }

    [Fact]
    public void TargetErrorEscapingACommandIsPrintedAsOneLine()
    {
        var session = new CommandSession(new ThrowingTarget(new DumpFormatException("vmcore", 0x40, "page descriptor", "offset past the end of the file")));
        Assert.Equal("sym: vmcore: page descriptor at offset 0x40: offset past the end of the file\n", session.ExecuteAndCapture("sym -l"));
    }

    [Fact]
    public void BugInACommandDoesNotEndTheSessionAndPrintsNoStackTrace()
    {
        var session = new CommandSession(new ThrowingTarget(new InvalidOperationException("boom")));
        var output = session.ExecuteAndCapture("sym -l");
        Assert.Equal("sym: internal error: InvalidOperationException: boom\n", output);
        Assert.Equal("crash: command not found: x\n", session.ExecuteAndCapture("x"));
    }

    /// <summary>A target whose symbol list throws, to see how the session reports it.</summary>
    sealed class ThrowingTarget(Exception error) : IKernelTarget
    {
        public TargetSummary Summary => MockTarget.DefaultSummary();
        public void ReadVirtual(ulong address, Span<byte> buffer) => throw error;
        public void ReadPhysical(ulong address, Span<byte> buffer) => throw error;
        public bool TryTranslate(ulong virtualAddress, out ulong physicalAddress) => throw error;
        public bool TryLookupSymbol(string name, out KernelSymbol symbol) => throw error;
        public bool TryFindSymbol(ulong address, out KernelSymbol symbol, out ulong offset) => throw error;
        public IReadOnlyList<KernelSymbol> SymbolsByAddress => throw error;
        public IReadOnlyList<KernelSymbol> ModuleSymbolsByAddress => throw error;
        public IReadOnlyList<KernelSymbol> LookupSymbols(string name) => throw error;
        public bool TryFindSourceLine(ulong address, out string file, out int line) => throw error;
    }
}
