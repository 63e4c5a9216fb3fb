using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Commands.Tests.RealDump;

/// <summary>
/// sys, ps, log, bt, foreach bt and set on every fixture scenario, against crash 8.0.2's goldens
/// where crash is right (sys fields but TASKS, bt, bt -a/-f/-l, log) and drgn's where crash is
/// wrong on these 6.1 kernels (the task list: drgn/tasks.json, drgn/all-stacks.txt).
/// </summary>
public sealed partial class TaskCommandGoldenTests
{
    public static readonly TheoryData<string> Scenarios = new() { "sysrq", "sysrq-qemu", "oops-module", "sysrq-la57" };

    /// <summary>Scenarios drgn could open (not the QEMU dumps).</summary>
    public static readonly TheoryData<string> DrgnScenarios = new() { "sysrq", "oops-module", "sysrq-la57" };

    static string Run(string scenario, params string[] commands)
    {
        var session = new CommandSession(FixtureDumps.Open(scenario));
        return string.Concat(commands.Select(session.ExecuteAndCapture));
    }

    static string Golden(string scenario, string file) => Fixtures.ReadText($"{scenario}/crash/{file}");

    static void AssertSameText(string expected, string actual, string what)
    {
        var e = expected.TrimEnd('\n').Split('\n');
        var a = actual.TrimEnd('\n').Split('\n');
        for (var i = 0; i < Math.Min(e.Length, a.Length); i++)
            Assert.True(e[i] == a[i], $"{what} line {i + 1}:\n crash: {e[i]}\n ours:  {a[i]}");
        if (e.Length != a.Length)
            Assert.Fail($"{what}: crash has {e.Length} lines, ours {a.Length}; first extra: {(a.Length > e.Length ? a[e.Length] : e[a.Length])}");
    }

    static List<(int Pid, char State, ulong Address, string Comm)> DrgnTasks(string scenario)
    {
        using var doc = JsonDocument.Parse(Fixtures.ReadText($"{scenario}/drgn/tasks.json"));
        return doc.RootElement.EnumerateArray().Select(t => (t.GetProperty("pid").GetInt32(), t.GetProperty("state").GetString()![0],
            Convert.ToUInt64(t.GetProperty("address").GetString()!, 16), t.GetProperty("comm").GetString()!)).ToList();
    }

    static Dictionary<string, string> Fields(string text) =>
        text.Split('\n').Where(l => l.Length > 13 && l[12] == ':').ToDictionary(l => l[..12].Trim(), l => l[14..]);

    [FixtureTheory]
    [MemberData(nameof(Scenarios))]
    public void SysFieldsEqualCrashsAndTheTaskCountIsEveryTask(string scenario)
    {
        var ours = Fields(Run(scenario, "sys"));
        var crash = Fields(Golden(scenario, "sys.txt"));
        foreach (var (label, value) in crash)
        {
            if (label is "KERNEL" or "DUMPFILE" or "TASKS") continue;
            // crash prints "unknown Mhz" on the QEMU dump although cpu_khz is in it (it reads the clock differently there).
            if (label == "MACHINE" && scenario == "sysrq-qemu") continue;
            Assert.True(ours.TryGetValue(label, out var mine), $"no {label} line");
            Assert.Equal(value, mine);
        }
        Assert.EndsWith(crash["DUMPFILE"], ours["DUMPFILE"]);
        // crash 8.0.2 counts 4 tasks (its PID-hash walk fails on 6.1.192); every task plus one idle task per CPU is the truth.
        var idle = 2;
        if (scenario != "sysrq-qemu") Assert.Equal(DrgnTasks(scenario).Count + idle, int.Parse(ours["TASKS"], CultureInfo.InvariantCulture));
        var facts = JsonDocument.Parse(Fixtures.ReadText($"{scenario}/facts.json")).RootElement;
        Assert.Equal(facts.GetProperty("panic_pid").GetInt32().ToString(CultureInfo.InvariantCulture), ours["PID"]);
        Assert.Equal($"{facts.GetProperty("panic_task").GetString()}  [THREAD_INFO: {facts.GetProperty("panic_task").GetString()}]", ours["TASK"]);
        Assert.Equal("TASK_RUNNING (PANIC)", ours["STATE"]);
    }

    [GeneratedRegex(@"^([ >])\s*(\d+)\s+(-?\d+)\s+(\d+)\s+([0-9a-f]+)\s+([A-Z?]{2})\s+([\d.]+)\s+(\d+)\s+(\d+)\s+(.*)$")]
    private static partial Regex PsRow();

    [FixtureTheory]
    [MemberData(nameof(DrgnScenarios))]
    public void PsListsEveryTaskDrgnFindsInCrashsColumns(string scenario)
    {
        var text = Run(scenario, "ps");
        var lines = text.TrimEnd('\n').Split('\n');
        Assert.Equal(Golden(scenario, "ps.txt").Split('\n')[0], lines[0]);
        var rows = lines.Skip(1).Select(l => PsRow().Match(l)).ToList();
        Assert.All(rows, r => Assert.True(r.Success, r.Value));
        var byAddress = rows.ToDictionary(r => Convert.ToUInt64(r.Groups[5].Value, 16));
        var letters = new Dictionary<char, string> { ['R'] = "RU", ['S'] = "IN", ['D'] = "UN", ['I'] = "ID", ['Z'] = "ZO", ['T'] = "ST" };
        foreach (var (pid, state, address, comm) in DrgnTasks(scenario))
        {
            Assert.True(byAddress.TryGetValue(address, out var row), $"task {address:x} (pid {pid} {comm}) missing");
            Assert.Equal(pid.ToString(CultureInfo.InvariantCulture), row.Groups[2].Value);
            Assert.Equal(letters[state], row.Groups[6].Value);
            Assert.Equal(comm, row.Groups[10].Value.Trim('[', ']'));
        }
        // crash's rows (idle tasks and the two running shells) are ours too, but for the PPID crash could not find (-1).
        foreach (var line in Golden(scenario, "ps.txt").TrimEnd('\n').Split('\n').Skip(1))
        {
            var c = PsRow().Match(line);
            var o = byAddress[Convert.ToUInt64(c.Groups[5].Value, 16)];
            for (var g = 1; g <= 10; g++)
                if (!(g == 3 && c.Groups[3].Value == "-1")) Assert.True(c.Groups[g].Value == o.Groups[g].Value, $"column {g}: crash '{line}' ours '{o.Value}'");
        }
        Assert.Equal(2, rows.Count(r => r.Groups[1].Value == ">"));
    }

    [FixtureFact]
    public void PsListsTheWholeWorkloadOfTheQemuDump()
    {
        var text = Run("sysrq-qemu", "ps");
        var facts = JsonDocument.Parse(Fixtures.ReadText("sysrq-qemu/facts.json")).RootElement;
        foreach (var p in facts.GetProperty("workload_pids").EnumerateObject())
            Assert.Matches(new Regex($@"^[ >]\s*{p.Value.GetInt32()}\s", RegexOptions.Multiline), text);
        Assert.Contains("  [kthreadd]\n", text);
    }

    [FixtureTheory]
    [MemberData(nameof(Scenarios))]
    public void LogEqualsCrashs(string scenario) => AssertSameText(Golden(scenario, "log.txt"), Run(scenario, "log"), $"{scenario} log");

    [FixtureTheory]
    [MemberData(nameof(Scenarios))]
    public void BtOfThePanicTaskEqualsCrashs(string scenario) => AssertSameText(Golden(scenario, "bt.txt"), Run(scenario, "bt"), $"{scenario} bt");

    [FixtureTheory]
    [MemberData(nameof(DrgnScenarios))]
    public void BtAEqualsCrashs(string scenario) => AssertSameText(Golden(scenario, "bt-a.txt"), Run(scenario, "bt -a"), $"{scenario} bt -a");

    [FixtureTheory]
    [MemberData(nameof(Scenarios))]
    public void BtLEqualsCrashs(string scenario) => AssertSameText(Golden(scenario, "bt-l.txt"), Run(scenario, "bt -l"), $"{scenario} bt -l");

    [FixtureTheory]
    [MemberData(nameof(Scenarios))]
    public void BtFEqualsCrashs(string scenario) => AssertSameText(Golden(scenario, "bt-f.txt"), Run(scenario, "bt -f"), $"{scenario} bt -f");

    /// <summary>Only the two current tasks are runnable in these dumps (drgn's tasks.json), so crash's runq is right here.</summary>
    [FixtureTheory]
    [MemberData(nameof(DrgnScenarios))]
    public void RunqEqualsCrashs(string scenario) => AssertSameText(Golden(scenario, "runq.txt"), Run(scenario, "runq"), $"{scenario} runq");

    [GeneratedRegex(@"^PID (\d+) TGID \d+ COMM '(.*)' STATE (.) CPU (\d+)$")]
    private static partial Regex DrgnHeader();

    [GeneratedRegex(@"^\s+#\d+\s+0x([0-9a-f]+) (\S+)(.*)$")]
    private static partial Regex DrgnFrame();

    [GeneratedRegex(@"^PID: (\d+)\s+TASK: ([0-9a-f]+)")]
    private static partial Regex CrashHeader();

    [GeneratedRegex(@"^\s*#\d+ \[[0-9a-f]+\] \S+ at ([0-9a-f]+)")]
    private static partial Regex CrashFrame();

    [FixtureTheory]
    [MemberData(nameof(DrgnScenarios))]
    public void ForeachBtShowsEveryTaskWithDrgnsFrames(string scenario)
    {
        // drgn: every task's frames (kernel pcs of the non-inline frames), keyed by pid and comm.
        var drgn = new Dictionary<int, (char State, List<ulong> Pcs)>();
        var drgnErrors = new HashSet<int>();
        var lastPid = -1;
        List<ulong>? current = null;
        foreach (var line in Fixtures.ReadText($"{scenario}/drgn/all-stacks.txt").Split('\n'))
        {
            var h = DrgnHeader().Match(line);
            if (h.Success)
            {
                current = [];
                lastPid = int.Parse(h.Groups[1].Value, CultureInfo.InvariantCulture);
                drgn[lastPid] = (h.Groups[3].Value[0], current);
                continue;
            }
            if (line.Contains("<stack_trace error", StringComparison.Ordinal)) drgnErrors.Add(lastPid);
            var f = DrgnFrame().Match(line);
            if (f.Success && current is not null && !f.Groups[3].Value.Contains("(inline)", StringComparison.Ordinal) && f.Groups[1].Value.StartsWith("ffffffff", StringComparison.Ordinal))
                current.Add(Convert.ToUInt64(f.Groups[1].Value, 16));
        }
        var ours = new Dictionary<int, List<ulong>>();
        var ourErrors = new HashSet<int>();
        var pidNow = -1;
        var text = Run(scenario, "foreach bt");
        foreach (var line in text.Split('\n'))
        {
            var h = CrashHeader().Match(line);
            if (h.Success)
            {
                current = [];
                pidNow = int.Parse(h.Groups[1].Value, CultureInfo.InvariantCulture);
                if (pidNow != 0) ours[pidNow] = current;
                continue;
            }
            var f = CrashFrame().Match(line);
            if (f.Success) current!.Add(Convert.ToUInt64(f.Groups[1].Value, 16));
            if (line.StartsWith("bt: ", StringComparison.Ordinal)) ourErrors.Add(pidNow);
        }
        Assert.Equal(drgn.Keys.Order(), ours.Keys.Order());
        // A stack drgn could not read (a zombie whose stack pages are gone) ends with one "bt:" line here.
        Assert.Equal(drgnErrors.Order(), ourErrors.Order());
        foreach (var (pid, (state, pcs)) in drgn)
        {
            if (drgnErrors.Contains(pid)) continue;
            if (state == 'R')
            {
                // drgn starts a running task at its crash note; crash (and we) where kdump stopped it: drgn's frames after the first end ours.
                Assert.Equal(pcs.Skip(1), ours[pid].TakeLast(Math.Max(0, pcs.Count - 1)));
                continue;
            }
            Assert.True(pcs.SequenceEqual(ours[pid]), $"pid {pid}: drgn {string.Join(" ", pcs.Select(p => p.ToString("x")))}\n ours {string.Join(" ", ours[pid].Select(p => p.ToString("x")))}");
        }
    }

    [FixtureFact]
    public void SetChangesTheContextOfBt()
    {
        var session = new CommandSession(FixtureDumps.Open("sysrq"));
        var set = session.ExecuteAndCapture("set 1");
        Assert.Equal("    PID: 1\nCOMMAND: \"init\"\n   TASK: ffffa0f7c01a0000  [THREAD_INFO: ffffa0f7c01a0000]\n    CPU: 0\n  STATE: TASK_INTERRUPTIBLE\n", set);
        Assert.StartsWith("PID: 1        TASK: ffffa0f7c01a0000  CPU: 0    COMMAND: \"init\"\n #0 [", session.ExecuteAndCapture("bt"));
        Assert.Equal(session.ExecuteAndCapture("bt 1"), session.ExecuteAndCapture("bt ffffa0f7c01a0000"));
        session.ExecuteAndCapture("set -p");
        Assert.Equal(Golden("sysrq", "bt.txt"), session.ExecuteAndCapture("bt"));
        Assert.Equal("set: invalid task or pid value: 99999\n", session.ExecuteAndCapture("set 99999"));
    }
}

/// <summary>ps filters, log options, bt -a on the QEMU dump, and the banner with the kernel's facts.</summary>
public sealed class TaskCommandOptionTests
{
    static string Run(string scenario, params string[] commands)
    {
        var session = new CommandSession(FixtureDumps.Open(scenario));
        return string.Concat(commands.Select(session.ExecuteAndCapture));
    }

    static string[] Rows(string text) => text.TrimEnd('\n').Split('\n').Skip(1).ToArray();

    [FixtureFact]
    public void PsFiltersSelectKernelThreadsUserTasksLeadersAndNames()
    {
        var kernel = Rows(Run("sysrq", "ps -k"));
        var user = Rows(Run("sysrq", "ps -u"));
        var all = Rows(Run("sysrq", "ps"));
        Assert.All(kernel, r => Assert.EndsWith("]", r));
        Assert.All(user, r => Assert.DoesNotContain('[', r));
        Assert.Equal(all.Length, kernel.Length + user.Length);
        // fxhold's three threads are not group leaders.
        Assert.Equal(all.Length - 3, Rows(Run("sysrq", "ps -G")).Length);
        var fxhold = Rows(Run("sysrq", "ps fxhold"));
        Assert.Single(fxhold);
        Assert.Contains(" 57 ", fxhold[0]);
        Assert.Equal(Run("sysrq", "ps 57"), Run("sysrq", "ps ffffa0f7c0a9e540"));
        Assert.Equal("ps: invalid task or pid value: 99999\n", Run("sysrq", "ps 99999"));
    }

    [FixtureFact]
    public void PsParentsAndChildrenFollowTheFamily()
    {
        // The zombie (59) was forked by the "sleep 3000" that exec'd from the zombie's parent shell (56), a child of init.
        Assert.Equal(
            "PID: 0        TASK: ffffffff82812600  CPU: 0    COMMAND: \"swapper/0\"\n" +
            " PID: 1        TASK: ffffa0f7c01a0000  CPU: 0    COMMAND: \"init\"\n" +
            "  PID: 56       TASK: ffffa0f7c0a9d100  CPU: 1    COMMAND: \"sleep\"\n" +
            "   PID: 59       TASK: ffffa0f7c0a25100  CPU: 0    COMMAND: \"sleep\"\n",
            Run("sysrq", "ps -p 59"));
        var children = Run("sysrq", "ps -c 56").Split('\n');
        Assert.Equal("  PID: 59       TASK: ffffa0f7c0a25100  CPU: 0    COMMAND: \"sleep\"", children[1]);
        Assert.Equal("  (no children)", Run("sysrq", "ps -c 59").Split('\n')[1]);
    }

    [FixtureFact]
    public void LogShowsLevelsAndWallClockTimes()
    {
        var plain = Run("sysrq", "log").Split('\n');
        var levels = Run("sysrq", "log -m").Split('\n');
        Assert.Equal(plain.Length, levels.Length);
        Assert.Equal("<5>" + plain[0], levels[0]); // the banner is pr_notice
        var human = Run("sysrq", "log -T").Split('\n');
        // The panic record is at 3.796433 s of an uptime of 3 s ending at the dump's DATE, 09:54:50.
        Assert.Matches(@"^\[Thu Nov 26 09:54:5\d UTC 2026\] Kernel panic - not syncing: sysrq triggered crash$", human.First(l => l.Contains("Kernel panic", StringComparison.Ordinal)));
    }

    [FixtureFact]
    public void BtAOnTheQemuDumpShowsBothCpus()
    {
        // crash 8.0.2 cannot read CPU 1's stack there ("read of stack at fffffe000004f000 failed").
        var text = Run("sysrq-qemu", "bt -a");
        var blocks = text.Split("\n\n");
        Assert.Equal(2, blocks.Length);
        Assert.Equal(Fixtures.ReadText("sysrq-qemu/crash/bt.txt").TrimEnd('\n'), blocks[0]);
        Assert.Contains("] stop_this_cpu at ", blocks[1]);
        Assert.DoesNotContain("bt: ", text);
    }

    [FixtureFact]
    public void TheBannerUsesTheKernelsFacts()
    {
        var target = FixtureDumps.Open("sysrq");
        var output = new StringWriter { NewLine = "\n" };
        Output.SystemBanner.Write(output, target.Summary, "vmlinux", "vmcore.kdump-zlib", Output.SystemFacts.Read(target));
        var crash = Fixtures.ReadText("sysrq/crash/sys.txt").Replace("       TASKS: 4\n", "       TASKS: 47\n", StringComparison.Ordinal);
        Assert.Equal(crash, output.ToString());
    }

    [FixtureFact]
    public void TaskShowsTheHeaderAndTheStructMembers()
    {
        // crash's struct-task-panic.txt is "struct task_struct.pid,comm,__state TASK" on the panic task.
        var golden = Fixtures.ReadText("sysrq/crash/struct-task-panic.txt");
        // crash ends every task with a blank line (task.c do_task; see Golden/crash-sysrq-more/task-R.txt).
        Assert.Equal("PID: 68       TASK: ffffa0f7c0a9a880  CPU: 0    COMMAND: \"sh\"\n" + golden + "\n", Run("sysrq", "task -R pid,comm,__state"));
        Assert.StartsWith("PID: 1        TASK: ffffa0f7c01a0000  CPU: 0    COMMAND: \"init\"\n", Run("sysrq", "task -R pid 1"));
    }

    [FixtureFact]
    public void ForeachSelectsTasksByNameAndKind()
    {
        var text = Run("sysrq", "foreach fxhold bt");
        Assert.StartsWith("PID: 57       TASK: ffffa0f7c0a9e540  CPU: 1    COMMAND: \"fxhold\"\n #0 [", text);
        Assert.Single(text.Split("\n\n"));
        var kernel = Run("sysrq", "foreach kernel bt");
        Assert.DoesNotContain("COMMAND: \"fxhold\"", kernel);
        Assert.Contains("COMMAND: \"kthreadd\"", kernel);
        // ps takes no task context, so foreach cannot run it; the message lists what it can run.
        Assert.Equal("foreach: no command to run: expected one of bt, vm, task, files, net, set, sig, vtop\n", Run("sysrq", "foreach ps"));
    }
}
