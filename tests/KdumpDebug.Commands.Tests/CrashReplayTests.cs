namespace KdumpDebug.Commands.Tests;

/// <summary>
/// Replays the commands recorded from crash 8.0.2 on the sysrq dump (Golden/crash-sysrq) against
/// <see cref="SysrqMock"/>, which holds the same bytes and symbols: the rd/sym layouts and error
/// texts must match crash's output line for line. (RealDumpGoldenTests runs the same files against
/// the real dump.)
/// </summary>
public sealed class CrashReplayTests
{
    public static IEnumerable<object[]> Cases() =>
        CrashRecording.Read(RepoPaths.Golden("crash-sysrq/commands.tsv")).Select(c => new object[] { c });

    [Theory]
    [MemberData(nameof(Cases))]
    public void MockOutputMatchesCrash(CrashCase recorded)
    {
        var session = new CommandSession(SysrqMock.Create());
        var actual = session.ExecuteAndCapture(recorded.Command);
        var expected = File.ReadAllText(RepoPaths.Golden("crash-sysrq/" + recorded.File));
        GoldenText.AssertMatches(expected, actual, "crash-sysrq-mock", recorded.File);
        // Byte for byte too: crash's trailing spaces (decimal and -x lines end with one) included.
        Assert.Equal(expected, actual);
    }
}
