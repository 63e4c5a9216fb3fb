using KdumpDebug.TestSupport;

namespace KdumpDebug.Commands.Tests.RealDump;

/// <summary>
/// <c>dis</c> on the real dumps against crash 8.0.2: the fixtures' own <c>dis -l</c> goldens on
/// every scenario and every dump format (sysrq_handle_crash; oops-module's lkdtm_EXCEPTION, a
/// module routine with lkdtm.ko's lines), and the cases recorded for this project on the sysrq
/// dump (Golden/crash-dis-sysrq: routines with calls, jumps, RIP-relative operands and inline
/// lines, -r on return addresses from bt, -f, -x, counts, addresses inside a routine, the
/// retpoline thunks, an unknown name). Mismatches are written to tests/artifacts/golden/.
/// </summary>
public sealed class DisCommandGoldenTests
{
    public static IEnumerable<object[]> FixtureCases()
    {
        if (!Fixtures.Available) return [new object[] { "none", "none", new CrashCase("none", "none") }];
        return Fixtures.Scenarios.SelectMany(scenario =>
            File.ReadLines(Fixtures.Path($"{scenario}/crash/commands.tsv"))
                .Where(l => l.Length > 0 && !l.StartsWith('#'))
                .Skip(1)
                .Select(l => l.Split('\t'))
                .Where(f => f[3] == "ok" && f[1].StartsWith("dis ", StringComparison.Ordinal))
                .SelectMany(f => FixtureDumps.AllDumps[scenario].Select(d => new object[] { scenario, d, new CrashCase(f[0], f[1]) })));
    }

    [FixtureTheory]
    [MemberData(nameof(FixtureCases))]
    public void FixtureGoldenMatchesOnEveryFormat(string scenario, string dump, CrashCase recorded)
    {
        var session = new CommandSession(FixtureDumps.OpenDump($"{scenario}/{dump}"));
        var actual = session.ExecuteAndCapture(recorded.Command);
        var expected = Fixtures.ReadText($"{scenario}/crash/{recorded.File}");
        GoldenText.AssertMatches(expected, actual, $"dis-{scenario}-{dump}", recorded.File);
    }

    public static IEnumerable<object[]> RecordedCases() =>
        CrashRecording.Read(RepoPaths.Golden("crash-dis-sysrq/commands.tsv")).Select(c => new object[] { c });

    [FixtureTheory]
    [MemberData(nameof(RecordedCases))]
    public void RecordedSysrqGoldenMatches(CrashCase recorded)
    {
        var session = new CommandSession(FixtureDumps.Open("sysrq"));
        var actual = session.ExecuteAndCapture(recorded.Command);
        var expected = File.ReadAllText(RepoPaths.Golden("crash-dis-sysrq/" + recorded.File));
        GoldenText.AssertMatches(expected, actual, "crash-dis-sysrq", recorded.File);
    }

    public static IEnumerable<object[]> ModuleCases() =>
        CrashRecording.Read(RepoPaths.Golden("crash-dis-oops-module/commands.tsv")).Select(c => new object[] { c });

    /// <summary>
    /// Module code on the oops-module dump with lkdtm.ko's debug info (crash ran <c>mod -s lkdtm</c>
    /// first): routines bounded by the next module symbol, calls into the kernel, -r on the
    /// module return address of the oops backtrace, and a kernel routine of the same dump.
    /// </summary>
    [FixtureTheory]
    [MemberData(nameof(ModuleCases))]
    public void RecordedModuleGoldenMatches(CrashCase recorded)
    {
        var session = new CommandSession(FixtureDumps.Open("oops-module"));
        var actual = session.ExecuteAndCapture(recorded.Command);
        var expected = File.ReadAllText(RepoPaths.Golden("crash-dis-oops-module/" + recorded.File));
        GoldenText.AssertMatches(expected, actual, "crash-dis-oops-module", recorded.File);
    }
}
