using KdumpDebug.Commands.Tests.RealDump;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Commands.Tests.Cli;

/// <summary>
/// The command-line contract (ARCHITECTURE.md "Command line"), through the built executable:
/// files in either order, -c (repeatable), -i scripts, commands on standard input, -s, and
/// unusable input ending in exit code 2 with one line on standard error and no stack trace.
/// </summary>
public sealed class CommandLineTests
{
    static string Vmlinux => Fixtures.Path("kernel/vmlinux.xz");
    static string Vmcore => Fixtures.Path("sysrq/vmcore.kdump-zlib");

    /// <summary>What crash printed for these two commands on this dump (the fixture goldens).</summary>
    static string ExpectedSymAndBanner() =>
        Fixtures.ReadText("sysrq/crash/sym-sysrq_handle_crash.txt") + Fixtures.ReadText("sysrq/crash/rd-linux_banner.txt");

    static void AssertOneLineError(ProcessResult result, string mustContain)
    {
        Assert.Equal(2, result.ExitCode);
        var lines = result.StandardError.TrimEnd('\n').Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("kdumpdebug: ", lines[0]);
        Assert.Contains(mustContain, lines[0]);
        Assert.DoesNotContain("   at ", result.StandardError + result.StandardOutput);
    }

    [Fact]
    public void MissingFileExitsTwoNamingIt()
    {
        var missing = Path.Combine(Path.GetTempPath(), "kdumpdebug-no-such-vmcore");
        AssertOneLineError(KdumpdebugProcess.Run([missing]), missing + ": no such file");
        AssertOneLineError(KdumpdebugProcess.Run(["-c", "sym x", missing]), missing);
    }

    [Fact]
    public void FileThatIsNoDumpExitsTwo()
    {
        var dir = Fixtures.NewTempDirectory();
        var path = Path.Combine(dir, "notes.txt");
        File.WriteAllText(path, "not a dump\n");
        AssertOneLineError(KdumpdebugProcess.Run([path]), path + ": not a vmcore (unrecognized file format)");
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void TriageWithoutUsableInputExitsTwo()
    {
        AssertOneLineError(KdumpdebugProcess.Run(["triage"]), "no vmcore given");
        var missing = Path.Combine(Path.GetTempPath(), "kdumpdebug-no-such-vmcore");
        AssertOneLineError(KdumpdebugProcess.Run(["triage", missing, "--json"]), missing + ": no such file");
        var dir = Fixtures.NewTempDirectory();
        var path = Path.Combine(dir, "notes.txt");
        File.WriteAllText(path, "not a dump\n");
        AssertOneLineError(KdumpdebugProcess.Run(["triage", path]), path + ": not a vmcore (unrecognized file format)");
        Directory.Delete(dir, recursive: true);
    }

    /// <summary>
    /// `kdumpdebug dap` (and no arguments with a redirected standard input) serves DAP on
    /// stdin/stdout, driven here as a client does, one request after the other's response:
    /// a request before launch gets the "no dump is open" error, launch + configurationDone stop
    /// on the panic task, threads lists every task, disconnect ends the process with exit code 0
    /// and nothing on standard error.
    /// </summary>
    [FixtureTheory]
    [InlineData("dap")]
    [InlineData("")]
    public async Task DapServesOverStandardInputAndOutput(string verb)
    {
        await using var dap = DapProcess.Start(verb.Length == 0 ? [] : [verb]);
        var init = await dap.RequestAsync("initialize", """{"adapterID":"kdump"}""");
        Assert.True(init.GetProperty("body").GetProperty("supportsConfigurationDoneRequest").GetBoolean());

        var early = await dap.RequestAsync("threads", "{}");
        Assert.False(early.GetProperty("success").GetBoolean());
        Assert.Equal("no dump is open: send launch first", early.GetProperty("message").GetString());

        var launch = await dap.RequestAsync("launch", System.Text.Json.JsonSerializer.Serialize(new { vmcore = Vmcore, vmlinux = Vmlinux }));
        Assert.True(launch.GetProperty("success").GetBoolean(), launch.ToString());
        await dap.RequestAsync("configurationDone", "{}");
        var stopped = await dap.EventAsync("stopped");
        Assert.Equal("Kernel panic - not syncing: sysrq triggered crash", stopped.GetProperty("body").GetProperty("description").GetString());

        var threads = (await dap.RequestAsync("threads", "{}")).GetProperty("body").GetProperty("threads");
        Assert.Equal(47, threads.GetArrayLength());
        Assert.Equal("68 sh [CPU 0]", threads[0].GetProperty("name").GetString());

        var disconnect = await dap.RequestAsync("disconnect", "{}");
        Assert.True(disconnect.GetProperty("success").GetBoolean());
        var (exitCode, stderr) = await dap.WaitForExitAsync();
        Assert.Equal("", stderr);
        Assert.Equal(0, exitCode);
    }

    [Fact]
    public void UnknownOptionExitsTwo()
    {
        AssertOneLineError(KdumpdebugProcess.Run(["--frobnicate", "x"]), "--frobnicate: unknown option");
    }

    [FixtureFact]
    public void TwoCommandsRunInOrderAndExit()
    {
        var result = KdumpdebugProcess.Run([Vmlinux, Vmcore, "-s", "-c", "sym sysrq_handle_crash", "-c", "rd -a linux_banner"]);
        Assert.Equal("", result.StandardError);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(GoldenText.Normalize(ExpectedSymAndBanner()), GoldenText.Normalize(result.StandardOutput));
    }

    [FixtureFact]
    public void FilesMayComeInEitherOrder()
    {
        var result = KdumpdebugProcess.Run(["-s", Vmcore, Vmlinux, "-c", "sym sysrq_handle_crash", "-c", "rd -a linux_banner"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(GoldenText.Normalize(ExpectedSymAndBanner()), GoldenText.Normalize(result.StandardOutput));
    }

    [FixtureFact]
    public void ScriptFileRunsLikeCrashDashI()
    {
        var dir = Fixtures.NewTempDirectory();
        var script = Path.Combine(dir, "check.crash");
        File.WriteAllText(script, "# symbols first\nsym sysrq_handle_crash\n\nrd -a linux_banner\n");
        var result = KdumpdebugProcess.Run([Vmlinux, Vmcore, "-s", "-i", script]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(GoldenText.Normalize(ExpectedSymAndBanner()), GoldenText.Normalize(result.StandardOutput));
        Directory.Delete(dir, recursive: true);
    }

    [FixtureFact]
    public void CommandsAreReadFromStandardInputWhenItIsNotATerminal()
    {
        var result = KdumpdebugProcess.Run([Vmlinux, Vmcore, "-s"], "sym sysrq_handle_crash\nrd -a linux_banner\nq\nsym jiffies\n");
        Assert.Equal(0, result.ExitCode);
        // Nothing after q runs; no prompt is printed for piped input (as crash).
        Assert.Equal(GoldenText.Normalize(ExpectedSymAndBanner()), GoldenText.Normalize(result.StandardOutput));
    }

    [FixtureFact]
    public void CommandErrorsArePrintedAndTheRunContinues()
    {
        var result = KdumpdebugProcess.Run([Vmlinux, Vmcore, "-s", "-c", "rd -64 linux_banner 0", "-c", "sym sysrq_handle_crash"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            "rd: invalid count request: 0\n" + Fixtures.ReadText("sysrq/crash/sym-sysrq_handle_crash.txt"),
            result.StandardOutput);
    }

    [FixtureFact]
    public void BannerShowsTheSystemFactsInSysLayout()
    {
        var result = KdumpdebugProcess.Run([Vmlinux, Vmcore, "-c", "q"]);
        Assert.Equal(0, result.ExitCode);
        var sys = Fixtures.ReadText("sysrq/crash/sys.txt").Split('\n');
        // The lines crash prints that we know without walking kernel data structures.
        foreach (var label in new[] { "        CPUS:", "        DATE:", "    NODENAME:", "     RELEASE:", "     VERSION:" })
            Assert.Contains(sys.Single(l => l.StartsWith(label, StringComparison.Ordinal)) + "\n", result.StandardOutput);
        Assert.Contains($"      KERNEL: {Vmlinux}\n", result.StandardOutput);
        Assert.Contains($"    DUMPFILE: {Vmcore}  [PARTIAL DUMP]\n", result.StandardOutput);
    }

    [FixtureFact]
    public void ModuleGivenAsVmlinuxIsAMismatchNotACrash()
    {
        // lkdtm.ko is an ELF object, so it is taken for the vmlinux; opening must refuse it in one line.
        var result = KdumpdebugProcess.Run([Fixtures.Path("kernel/lkdtm.ko.xz"), Vmcore, "-c", "q"]);
        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.StandardError.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain("   at ", result.StandardError);
    }

    [FixtureFact]
    public void TruncatedDumpExitsTwoNamingTheFileAndField()
    {
        // Cut the kdump file inside its bitmaps: opening must say which file and which part is short.
        var dir = Fixtures.NewTempDirectory();
        var path = Path.Combine(dir, "vmcore.truncated");
        var bytes = File.ReadAllBytes(Vmcore);
        File.WriteAllBytes(path, bytes.AsSpan(0, 3 * 4096).ToArray());
        var result = KdumpdebugProcess.Run([Vmlinux, path, "-c", "q"]);
        AssertOneLineError(result, path);
        Directory.Delete(dir, recursive: true);
    }

    [FixtureFact]
    public void ExcludedPageIsReportedNotShownAsZeros()
    {
        // A page makedumpfile filtered (-d 31): rd names the address, PFN and dump level, then goes on.
        ulong pfn;
        using (var dump = KdumpDebug.Dump.DumpOpener.Open(Vmcore))
        {
            pfn = 0x100;
            while (dump.Memory.GetPageStatus(pfn) != KdumpDebug.Dump.PageStatus.Excluded) pfn++;
        }
        var result = KdumpdebugProcess.Run([Vmlinux, Vmcore, "-s", "-c", $"rd -p {pfn * 4096:x} 2", "-c", "sym jiffies"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Matches($@"rd: page excluded: .*PFN {pfn:x} \(dump level 31\)", result.StandardOutput);
        Assert.DoesNotContain("0000000000000000 0000000000000000", result.StandardOutput);
        Assert.Contains("(D) jiffies", result.StandardOutput);
    }

    [FixtureFact]
    public void BenchPagesReadsEveryDumpedPage()
    {
        var result = KdumpdebugProcess.Run(["bench", "pages", Vmcore]);
        Assert.Equal(0, result.ExitCode);
        // The dump's second bitmap has this many pages (libkdumpfile agrees); every one decompresses.
        var pages = System.Text.RegularExpressions.Regex.Match(result.StandardOutput, @"pages=(\d+) bytes=(\d+)");
        Assert.True(pages.Success, result.StandardOutput);
        Assert.Equal(long.Parse(pages.Groups[1].Value) * 4096, long.Parse(pages.Groups[2].Value));
        Assert.True(long.Parse(pages.Groups[1].Value) > 5000);
        Assert.Contains("MB/s=", result.StandardOutput);
    }
}
