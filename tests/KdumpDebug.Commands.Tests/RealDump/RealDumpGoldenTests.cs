using KdumpDebug.TestSupport;

namespace KdumpDebug.Commands.Tests.RealDump;

/// <summary>
/// rd and sym on the real dumps against crash 8.0.2's output: every rd/sym command of each
/// scenario's crash/commands.tsv (the exact command lines crash ran, e.g. <c>rd -64 TASK 8</c>,
/// <c>rd -a linux_banner</c>, <c>sym sysrq_handle_crash</c>, oops-module's <c>sym lkdtm_EXCEPTION</c>),
/// and the extra cases recorded for this project on the sysrq dump (Golden/crash-sysrq).
/// Mismatches are written to tests/artifacts/golden/.
/// </summary>
public sealed class RealDumpGoldenTests
{
    public static IEnumerable<object[]> FixtureCases()
    {
        if (!Fixtures.Available) return [new object[] { "none", new CrashCase("none", "none") }];
        return Fixtures.Scenarios.SelectMany(scenario =>
            File.ReadLines(Fixtures.Path($"{scenario}/crash/commands.tsv"))
                .Where(l => l.Length > 0 && !l.StartsWith('#'))
                .Skip(1)
                .Select(l => l.Split('\t'))
                .Where(f => f[3] == "ok" && (f[1].StartsWith("rd ", StringComparison.Ordinal) || f[1].StartsWith("sym ", StringComparison.Ordinal)))
                .Select(f => new object[] { scenario, new CrashCase(f[0], f[1]) }));
    }

    [FixtureTheory]
    [MemberData(nameof(FixtureCases))]
    public void FixtureGoldenMatches(string scenario, CrashCase recorded)
    {
        var session = new CommandSession(FixtureDumps.Open(scenario));
        var actual = session.ExecuteAndCapture(recorded.Command);
        var expected = Fixtures.ReadText($"{scenario}/crash/{recorded.File}");
        GoldenText.AssertMatches(expected, actual, $"fixtures-{scenario}", recorded.File);
    }

    /// <summary>
    /// The same rd/sym commands on every other format of the same crash (crash printed identical
    /// output on all of them: crash-other-formats.txt, crash-elf-vs-kdump.diff).
    /// </summary>
    public static IEnumerable<object[]> OtherFormatCases()
    {
        if (!Fixtures.Available) return [new object[] { "none", "none", new CrashCase("none", "none") }];
        return FixtureCases().SelectMany(c =>
        {
            var scenario = (string)c[0];
            return FixtureDumps.AllDumps[scenario]
                .Where(d => d != FixtureDumps.MainDump(scenario))
                .Select(d => new object[] { scenario, d, c[1] });
        });
    }

    [FixtureTheory]
    [MemberData(nameof(OtherFormatCases))]
    public void FixtureGoldenMatchesOnEveryFormat(string scenario, string dump, CrashCase recorded)
    {
        var session = new CommandSession(FixtureDumps.OpenDump($"{scenario}/{dump}"));
        var actual = session.ExecuteAndCapture(recorded.Command);
        var expected = Fixtures.ReadText($"{scenario}/crash/{recorded.File}");
        GoldenText.AssertMatches(expected, actual, $"fixtures-{scenario}-{dump}", recorded.File);
    }

    public static IEnumerable<object[]> RecordedCases() =>
        CrashRecording.Read(RepoPaths.Golden("crash-sysrq/commands.tsv")).Select(c => new object[] { c });

    [FixtureTheory]
    [MemberData(nameof(RecordedCases))]
    public void RecordedSysrqGoldenMatches(CrashCase recorded)
    {
        var session = new CommandSession(FixtureDumps.Open("sysrq"));
        var actual = session.ExecuteAndCapture(recorded.Command);
        var expected = File.ReadAllText(RepoPaths.Golden("crash-sysrq/" + recorded.File));
        GoldenText.AssertMatches(expected, actual, "crash-sysrq-real", recorded.File);
    }

    public static IEnumerable<object[]> SymbolNamingCases() =>
        CrashRecording.Read(RepoPaths.Golden("crash-sysrq/symbols.tsv")).Select(c => new object[] { c });

    /// <summary>
    /// Address -> symbol naming (sym ADDR, sym NAME, rd -s) against crash 8.0.2 on the sysrq dump:
    /// every section start, addresses holding several symbols (exact and inside), text-region
    /// delimiters, GCC clones (.isra/.part stripped, .constprop/.cold kept), padding between
    /// sections, absolute and per-cpu symbols, random addresses, and symbol-laden memory
    /// (Golden/crash-sysrq/symbols.tsv, recorded in one crash session, exact addresses first:
    /// crash's value cache can change an exact answer after a search inside a symbol).
    /// </summary>
    [FixtureTheory]
    [MemberData(nameof(SymbolNamingCases))]
    public void SymbolNamingMatchesCrash(CrashCase recorded)
    {
        var session = new CommandSession(FixtureDumps.Open("sysrq"));
        var actual = session.ExecuteAndCapture(recorded.Command);
        var expected = File.ReadAllText(RepoPaths.Golden("crash-sysrq/" + recorded.File));
        GoldenText.AssertMatches(expected, actual, "crash-sysrq-real", recorded.File);
    }

    [FixtureFact]
    public void AddressBelowTheSlidKernelIsNoSymbol()
    {
        // Between the link-time _text (ffffffff81000000) and the run-time one (KASLR 0xe00000)
        // crash 8.0.2 prints "ffffffff81dfffff (D) __per_cpu_end+-2116157097": in_ksymbol_range()
        // compares the run-time value with the link-time _text. We do not copy that.
        var session = new CommandSession(FixtureDumps.Open("sysrq"));
        Assert.Equal("sym: invalid address: ffffffff81dfffff\n", session.ExecuteAndCapture("sym ffffffff81dfffff"));
        Assert.Equal("ffffffff81e00000 (T) _stext ./arch/x86/kernel/head_64.S: 65\n", session.ExecuteAndCapture("sym ffffffff81e00000"));
    }

    [FixtureFact]
    public void TextAddressWithoutALineEndsWithASpaceLikeCrash()
    {
        // show_symbol() prints " FILE: LINE" for kernel text; without a line only the space stays.
        var session = new CommandSession(FixtureDumps.Open("sysrq"));
        Assert.Equal("ffffffff824de12c (T) _etext+907322 \n", session.ExecuteAndCapture("sym ffffffff824de12c"));
        Assert.Equal("ffffffff82800000 (d) .data\n", session.ExecuteAndCapture("sym ffffffff82800000"));
    }

    [FixtureFact]
    public void ExcludedPageIsReportedWithItsAddressPfnAndDumpLevel()
    {
        // makedumpfile -d 31 left physical page 0x264a out of the sysrq dump (crash: "rd: page
        // excluded: kernel virtual address: ffffa0f7c264ae60"); we name the PFN and dump level too.
        var session = new CommandSession(FixtureDumps.Open("sysrq"));
        Assert.Equal(
            "rd: page excluded: virtual address ffffa0f7c264ae60, PFN 264a (dump level 31)  type: \"64-bit KVADDR\"\n",
            session.ExecuteAndCapture("rd ffffa0f7c264ae60 2"));
        Assert.Equal(
            "rd: page excluded: PFN 264a (dump level 31)  type: \"64-bit PHYSADDR\"\n",
            session.ExecuteAndCapture("rd -p 264ae60 2"));
    }
}
