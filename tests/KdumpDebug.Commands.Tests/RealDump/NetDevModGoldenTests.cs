using System.Collections.Concurrent;
using System.Text.Json;
using KdumpDebug.Target;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Commands.Tests.RealDump;

/// <summary>
/// net, dev, kmem -i and mod on every fixture dump against crash 8.0.2's goldens (crash is right
/// there); mod -s/-S loading lkdtm.ko after open, with bt -l then matching crash's (recorded after
/// crash's own mod -s); net -s on fxhold (crash cannot find the pid on these kernels: checked
/// against what the workload created); list, task and runq against goldens recorded for this
/// project (Golden/crash-net-sysrq, record-crash.sh); and the bad inputs: unknown pids and
/// modules, missing files, lists that loop or reach an excluded page.
/// </summary>
public sealed class NetDevModGoldenTests
{
    public static readonly TheoryData<string> Scenarios = new() { "sysrq", "sysrq-qemu", "oops-module", "sysrq-la57" };

    static string Run(string scenario, params string[] commands)
    {
        var session = new CommandSession(FixtureDumps.Open(scenario));
        return string.Concat(commands.Select(session.ExecuteAndCapture));
    }

    /// <summary>The scenario's main dump opened without module folders, as crash was (its mod shows "(not loaded)"); one per scenario.</summary>
    static readonly ConcurrentDictionary<string, Lazy<KernelTarget>> WithoutModules = new();

    static KernelTarget OpenWithoutModules(string scenario) =>
        WithoutModules.GetOrAdd(scenario, s => new Lazy<KernelTarget>(() => KernelTarget.Open(new TargetOptions(
            Fixtures.Plain($"{s}/{FixtureDumps.MainDump(s)}"),
            Fixtures.Path("kernel/vmlinux.xz"),
            CacheDirectory: FixtureDumps.VmlinuxCache)))).Value;

    public static IEnumerable<object[]> CrashCases()
    {
        foreach (var scenario in new[] { "sysrq", "sysrq-qemu", "oops-module", "sysrq-la57" })
        {
            yield return [scenario, "net", "net.txt"];
            yield return [scenario, "dev", "dev.txt"];
            yield return [scenario, "kmem -i", "kmem-i.txt"];
        }
    }

    [FixtureTheory]
    [MemberData(nameof(CrashCases))]
    public void NetDevKmemEqualCrashs(string scenario, string command, string golden) =>
        GoldenText.AssertMatches(Fixtures.ReadText($"{scenario}/crash/{golden}"), Run(scenario, command), $"net-{scenario}", golden);

    public static IEnumerable<object[]> OtherFormatCases()
    {
        if (!Fixtures.Available) return [new object[] { "none", "none", "none", "none" }];
        return CrashCases().SelectMany(c => FixtureDumps.AllDumps[(string)c[0]]
            .Where(d => d != FixtureDumps.MainDump((string)c[0]))
            .Select(d => new object[] { c[0], d, c[1], c[2] }));
    }

    /// <summary>crash printed the same on every format of a scenario (crash-elf-vs-kdump.diff); so do we.</summary>
    [FixtureTheory]
    [MemberData(nameof(OtherFormatCases))]
    public void NetDevKmemEqualCrashsOnEveryFormat(string scenario, string dump, string command, string golden)
    {
        var session = new CommandSession(FixtureDumps.OpenDump($"{scenario}/{dump}"));
        GoldenText.AssertMatches(Fixtures.ReadText($"{scenario}/crash/{golden}"), session.ExecuteAndCapture(command), $"net-{scenario}-{dump}", golden);
    }

    [FixtureTheory]
    [MemberData(nameof(Scenarios))]
    public void ModEqualsCrashs(string scenario)
    {
        var session = new CommandSession(OpenWithoutModules(scenario));
        GoldenText.AssertMatches(Fixtures.ReadText($"{scenario}/crash/mod.txt"), session.ExecuteAndCapture("mod"), $"net-{scenario}", "mod.txt");
    }

    [FixtureFact]
    public void ModSLoadsLkdtmAfterOpenAndBtThenShowsItsLines()
    {
        // A target of its own: loading debug info changes it for later tests.
        using var target = KernelTarget.Open(new TargetOptions(
            Fixtures.Plain("oops-module/vmcore.kdump-zlib"), Fixtures.Path("kernel/vmlinux.xz"), CacheDirectory: FixtureDumps.VmlinuxCache));
        var session = new CommandSession(target);
        var before = session.ExecuteAndCapture("bt -l");
        Assert.DoesNotContain("./drivers/misc/lkdtm/bugs.c: 95", before);

        // crash ran "mod -s lkdtm lkdtm.ko" in the folder holding it; we give the compressed file's path.
        var ko = Fixtures.Path("kernel/lkdtm.ko.xz");
        var loaded = session.ExecuteAndCapture($"mod -s lkdtm {ko}");
        GoldenText.AssertMatches(Fixtures.ReadText("oops-module/crash/mod-s-lkdtm.txt"), loaded.Replace(ko, "lkdtm.ko", StringComparison.Ordinal), "net-oops-module", "mod-s-lkdtm.txt");
        // crash's bt -l golden was taken after its mod -s: the module frames have their source lines now.
        GoldenText.AssertMatches(Fixtures.ReadText("oops-module/crash/bt-l.txt"), session.ExecuteAndCapture("bt -l"), "net-oops-module", "bt-l.txt");
        Assert.StartsWith("ffffffffc00d6250 (t) lkdtm_EXCEPTION [lkdtm] ./drivers/misc/lkdtm/bugs.c: 9", session.ExecuteAndCapture("sym ffffffffc00d6250"));
        Assert.EndsWith($"57344  {ko}\n", session.ExecuteAndCapture("mod"));
    }

    [FixtureFact]
    public void ModSAndModSWithBadInputsSayOneLineEach()
    {
        using var target = KernelTarget.Open(new TargetOptions(
            Fixtures.Plain("oops-module/vmcore.kdump-zlib"), Fixtures.Path("kernel/vmlinux.xz"), CacheDirectory: FixtureDumps.VmlinuxCache));
        var session = new CommandSession(target);
        Assert.Equal("mod: nosuch: not a loaded module\n", session.ExecuteAndCapture("mod -s nosuch"));
        Assert.Equal("mod: lkdtm: cannot find or load object file: /nonexistent/lkdtm.ko\n", session.ExecuteAndCapture("mod -s lkdtm /nonexistent/lkdtm.ko"));
        Assert.Equal("mod: cannot find or load object file for lkdtm module\n", session.ExecuteAndCapture("mod -s lkdtm"));
        var empty = Directory.CreateTempSubdirectory("kdumpdebug-mod-");
        try
        {
            Assert.Equal("mod: cannot find or load object file for lkdtm module\n", session.ExecuteAndCapture($"mod -S {empty.FullName}"));
            // A file of another build (here: a copy of vmlinux named lkdtm.ko) is refused in one line.
            var wrong = Path.Combine(empty.FullName, "lkdtm.ko");
            File.Copy(Fixtures.Plain("sysrq/vmcore.kdump-zlib"), wrong);
            Assert.StartsWith("mod: cannot load symbols from: ", session.ExecuteAndCapture($"mod -s lkdtm {wrong}"));
            // -S with the fixture's kernel folder loads lkdtm.ko.xz.
            Assert.EndsWith("lkdtm.ko.xz\n", session.ExecuteAndCapture($"mod -S {Fixtures.Path("kernel")}"));
        }
        finally
        {
            empty.Delete(recursive: true);
        }
        Assert.Equal("no modules installed\n", new CommandSession(OpenWithoutModules("sysrq")).ExecuteAndCapture("mod"));
    }

    static int FxholdPid(string scenario) =>
        JsonDocument.Parse(Fixtures.ReadText($"{scenario}/facts.json")).RootElement.GetProperty("fxhold_pid").GetInt32();

    [FixtureTheory]
    [MemberData(nameof(Scenarios))]
    public void NetSShowsFxholdsListenersConnectionsAndUnixPair(string scenario)
    {
        // crash 8.0.2: "net: invalid task or pid value" (its pid table is empty on 6.1.192).
        var pid = FxholdPid(scenario);
        var lines = Run(scenario, $"net -s {pid}").TrimEnd('\n').Split('\n');
        Assert.Matches($@"^PID: {pid}\s+TASK: [0-9a-f]+  CPU: \d+\s+COMMAND: ""fxhold""$", lines[0]);
        Assert.Equal("FD      SOCKET            SOCK       FAMILY:TYPE SOURCE-PORT DESTINATION-PORT", lines[1]);
        var rows = lines.Skip(2).ToArray();
        Assert.Equal(7, rows.Length);
        Assert.Matches(@"^10  [0-9a-f]{16}  [0-9a-f]{16}  UNIX:STREAM  ESTABLISHED peer [0-9a-f]{16}$", rows[0]);
        Assert.Matches(@"^12  [0-9a-f]{16}  [0-9a-f]{16}  UNIX:STREAM  LISTEN /mnt/data/fx.sock$", rows[2]);
        Assert.Matches(@"^13  [0-9a-f]{16}  [0-9a-f]{16}  INET:STREAM  127\.0\.0\.1-7777 0\.0\.0\.0-0 LISTEN$", rows[3]);
        Assert.Matches(@"^14  [0-9a-f]{16}  [0-9a-f]{16}  INET:STREAM  127\.0\.0\.1-\d+ 127\.0\.0\.1-7777 ESTABLISHED$", rows[4]);
        Assert.Matches(@"^15  [0-9a-f]{16}  [0-9a-f]{16}  INET:STREAM  127\.0\.0\.1-7777 127\.0\.0\.1-\d+ ESTABLISHED$", rows[5]);
        Assert.Matches(@"^16  [0-9a-f]{16}  [0-9a-f]{16}  INET:DGRAM   127\.0\.0\.1-7778 0\.0\.0\.0-0 CLOSE$", rows[6]);
    }

    [FixtureFact]
    public void NetSFollowsTheContextTaskAndGoesOnAfterABadPid()
    {
        var session = new CommandSession(FixtureDumps.Open("sysrq"));
        var fxhold = session.ExecuteAndCapture("net -s 57");
        session.ExecuteAndCapture("set 57");
        Assert.Equal(fxhold, session.ExecuteAndCapture("net -s"));
        Assert.Equal(fxhold, session.ExecuteAndCapture("net -s ffffa0f7c0a9e540"));
        // crash's dump_sockets: the error in place of the task, a blank line between items.
        Assert.Equal("net: invalid task or pid value: 99999\n\n" + fxhold, session.ExecuteAndCapture("net -s 99999 57"));
    }

    public static IEnumerable<object[]> RecordedCases() =>
        CrashRecording.Read(RepoPaths.Golden("crash-net-sysrq/commands.tsv")).Select(c => new object[] { c });

    /// <summary>task, runq -c, list and net -s/-n against crash 8.0.2 on the sysrq dump (commands crash resolves: the panic task, addresses).</summary>
    [FixtureTheory]
    [MemberData(nameof(RecordedCases))]
    public void RecordedGoldenMatches(CrashCase recorded)
    {
        var session = new CommandSession(FixtureDumps.Open("sysrq"));
        GoldenText.AssertMatches(File.ReadAllText(RepoPaths.Golden("crash-net-sysrq/" + recorded.File)), session.ExecuteAndCapture(recorded.Command), "crash-net-sysrq", recorded.File);
    }

    [FixtureFact]
    public void ListOfTheBriefsFormNamesTheListMemberAndMatchesCrashsStructForm()
    {
        // crash rejects "-h init_task.tasks" (invalid argument); we read it as the structure holding that list_head.
        Assert.Equal(Run("sysrq", "list task_struct.tasks -s task_struct.pid,comm -h init_task"), Run("sysrq", "list task_struct.tasks -h init_task.tasks -s task_struct.pid,comm"));
        // -H on the same list_head: every process but init_task, the head.
        var entries = Run("sysrq", "list -H init_task.tasks -o task_struct.tasks").TrimEnd('\n').Split('\n');
        Assert.Equal(Run("sysrq", "list task_struct.tasks -h init_task").TrimEnd('\n').Split('\n').Skip(1), entries);
    }

    [FixtureFact]
    public void ListIntoAnExcludedPageOrUnmappedAddressSaysSoInOneLine()
    {
        Assert.Equal(
            "list: cannot read the next pointer of ffffa0f7c264ae60: page excluded: virtual address ffffa0f7c264ae60, PFN 264a (dump level 31)\n",
            Run("sysrq", "list ffffa0f7c264ae60"));
        Assert.Equal("list: invalid kernel virtual address: 1000\n", Run("sysrq", "list 1000"));
        Assert.Equal("list: invalid argument: nosuchsym\n", Run("sysrq", "list nosuchsym"));
        Assert.Equal("list: invalid data structure reference: nosuch\n", Run("sysrq", "list -s nosuch.x -H init_task.tasks"));
    }

    [FixtureFact]
    public void ListThatLoopsStopsWithOneLine()
    {
        // init_task.tasks.prev (ffffffff828128b8 = init_task + 0x2b0 + 8) points at the last task's
        // list_head; following next pointers from there goes round the task ring, which does not
        // come back to the start: a loop, reported once after every node was listed once.
        var lines = Run("sysrq", "list -o 0 ffffffff828128b8").TrimEnd('\n').Split('\n');
        Assert.Equal("ffffffff828128b8", lines[0]);
        var last = lines[1];
        Assert.Equal($"list: the list loops back to {last} after {lines.Length - 1} entries; stopped there", lines[^1]);
        Assert.Equal(lines.Length - 1, lines[..^1].Distinct().Count());
        Assert.Contains("ffffffff828128b0", lines); // init_task.tasks itself is in the ring
    }
}
