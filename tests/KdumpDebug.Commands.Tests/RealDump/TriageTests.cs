using System.Text.Json;
using System.Text.RegularExpressions;
using KdumpDebug.Commands.Triage;
using KdumpDebug.Kernel;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Commands.Tests.RealDump;

/// <summary>
/// <c>kdumpdebug triage</c>'s report on every fixture dump against the scenario's ground truth:
/// facts.json (panic task, CPU, crash_function), the kernel's own console (its Call Trace, its
/// "Not tainted" wording, the panic line), and the text and JSON forms against each other.
/// </summary>
public sealed partial class TriageTests
{
    public static IEnumerable<object[]> AllDumps()
    {
        if (!Fixtures.Available) return [new object[] { "none", "none" }];
        return FixtureDumps.AllDumps.SelectMany(kv => kv.Value.Select(d => new object[] { kv.Key, d }));
    }

    static JsonElement Facts(string scenario) => JsonDocument.Parse(Fixtures.ReadText($"{scenario}/facts.json")).RootElement;

    static TriageReport Collect(string scenario, string dump) =>
        TriageCollector.Collect(FixtureDumps.OpenDump($"{scenario}/{dump}"), "vmlinux", dump);

    /// <summary>The crashed kernel's part of console.log (the capture kernel boots after it), without the "[ seconds]" prefixes.</summary>
    static List<string> CrashedKernelConsole(string scenario)
    {
        var lines = new List<string>();
        var boots = 0;
        foreach (var raw in File.ReadLines(Fixtures.Path($"{scenario}/console.log")))
        {
            var line = Prefix().Replace(raw, "");
            if (line.StartsWith("Linux version ", StringComparison.Ordinal) && ++boots > 1) break;
            lines.Add(line);
        }
        return lines;
    }

    /// <summary>
    /// The function names of the kernel's Call Trace of the crash: the first "Call Trace:" after the
    /// panic or oops line, up to "&lt;/TASK&gt;"; unreliable "? fn" guesses and register lines left out,
    /// and dump_stack_lvl, the printer itself (panic() calls it, and it has returned by the time
    /// kdump saves the stack).
    /// </summary>
    static List<(string Function, string Text)> ConsoleCallTrace(string scenario)
    {
        var lines = CrashedKernelConsole(scenario);
        var crash = lines.FindIndex(l => l.StartsWith("Kernel panic - not syncing", StringComparison.Ordinal) || l.StartsWith("Oops: ", StringComparison.Ordinal));
        Assert.True(crash >= 0, "no panic or oops line in console.log");
        var start = lines.FindIndex(crash, l => l == "Call Trace:");
        var result = new List<(string, string)>();
        for (var i = start + 1; i < lines.Count && lines[i].Trim() != "</TASK>"; i++)
        {
            var m = TraceLine().Match(lines[i]);
            if (m.Success) result.Add((m.Groups[1].Value, m.Groups[0].Value.Trim()));
        }
        if (result.Count > 0 && result[0].Item1 == "dump_stack_lvl") result.RemoveAt(0);
        return result;
    }

    [FixtureTheory]
    [MemberData(nameof(AllDumps))]
    public void PanicTaskAndSuspectMatchFacts(string scenario, string dump)
    {
        var facts = Facts(scenario);
        var report = Collect(scenario, dump);
        Assert.NotNull(report.PanicTask);
        Assert.Equal(facts.GetProperty("panic_pid").GetInt32(), report.PanicTask!.Pid);
        Assert.Equal(facts.GetProperty("panic_cpu").GetInt32(), report.PanicTask.Cpu);
        Assert.Equal(facts.GetProperty("panic_comm").GetString(), report.PanicTask.Comm);
        Assert.Equal(facts.GetProperty("panic_task").GetString(), report.PanicTask.Address.ToString("x"));
        Assert.Equal(facts.GetProperty("crash_function").GetString(), report.Suspect?.Function);
        Assert.Contains(report.OnCpu, c => c.IsPanicCpu && c.Cpu == report.PanicTask.Cpu && c.Task?.Pid == report.PanicTask.Pid);
        Assert.Equal(FixtureDumps.OpenDump($"{scenario}/{dump}").Summary.Cpus, report.OnCpu.Count);
    }

    [FixtureTheory]
    [MemberData(nameof(AllDumps))]
    public void CallTraceIsTheConsolesCallTrace(string scenario, string dump)
    {
        var report = Collect(scenario, dump);
        var expected = ConsoleCallTrace(scenario);
        var frames = report.CallTrace.Where(e => e.Kind == CallTraceEntryKind.Frame).ToList();
        Assert.Equal(expected.Select(e => e.Function), frames.Select(e => e.Function));
        // Same offsets and kallsyms sizes, except panic's own frame: the console's is its call of
        // dump_stack_lvl, the dump's its call of __crash_kexec (or its delay loop in a QEMU dump).
        for (var i = 0; i < frames.Count; i++)
            if (!CrashMachinery.IsPanic(frames[i].Function)) Assert.Equal(expected[i].Text, frames[i].Text);
        // The user-mode end, as the console's "RIP: 0033:0x47b7a0".
        var userRip = CrashedKernelConsole(scenario).SkipWhile(l => l != "Call Trace:").First(l => l.StartsWith("RIP: 0033:", StringComparison.Ordinal));
        Assert.Equal(userRip, report.CallTrace[^1].Text);
    }

    [FixtureTheory]
    [MemberData(nameof(AllDumps))]
    public void ReasonTaintAndLogTellTheCrash(string scenario, string dump)
    {
        var report = Collect(scenario, dump);
        var console = CrashedKernelConsole(scenario);
        var cpuLine = console.First(l => l.StartsWith("CPU: ", StringComparison.Ordinal) && l.Contains(" Comm: ", StringComparison.Ordinal));
        // dump_stack_print_info: "CPU: %d PID: %d Comm: %.20s %s%s %s ..." = [Kdump: loaded ]print_tainted() release.
        var consoleTaint = TaintField().Match(cpuLine).Groups[1].Value;
        Assert.Equal(consoleTaint, Taint.PrintTainted(report.TaintedMask!.Value, Taint.ReadTaintFlags(FixtureDumps.OpenDump($"{scenario}/{dump}"))));
        if (scenario == "oops-module")
        {
            Assert.Equal(PanicReason.NullPointerDereference, report.Reason.Kind);
            Assert.Equal("kernel NULL pointer dereference, address: 0000000000000000", report.Reason.Summary);
            Assert.Contains("#PF: supervisor write access in kernel mode", report.Reason.Details);
            // oops_end() calls crash_kexec() before it sets TAINT_DIE (arch/x86/kernel/dumpstack.c), so the dump
            // still says what the oops's CPU line said.
            Assert.Equal(consoleTaint, report.Taint);
            Assert.Equal("lkdtm_EXCEPTION+0x0/0x10 [lkdtm]", report.ExceptionRip?.Text);
            Assert.Equal(console.First(l => l.StartsWith("RIP: 0010:", StringComparison.Ordinal)), "RIP: 0010:" + report.ExceptionRip!.Text);
            Assert.Equal("./drivers/misc/lkdtm/bugs.c:95", report.ExceptionRip.Source);
            Assert.Equal("lkdtm", report.Suspect!.Module);
            Assert.StartsWith("[    ", report.Log[0]);
            Assert.EndsWith("] BUG: kernel NULL pointer dereference, address: 0000000000000000", report.Log[0]);
        }
        else
        {
            Assert.Equal(PanicReason.Sysrq, report.Reason.Kind);
            Assert.Equal(consoleTaint, report.Taint);
            Assert.Null(report.ExceptionRip);
            Assert.Equal("./drivers/tty/sysrq.c:155", report.Suspect!.Source);
            Assert.EndsWith("] sysrq: Trigger a crash", report.Log[0]);
        }
        // The log shows the panic message line (sys's PANIC), with log's "[seconds.micros]" prefix.
        Assert.NotNull(report.PanicMessage);
        Assert.Contains(report.Log, l => LogLine().IsMatch(l) && l.EndsWith("] " + report.PanicMessage, StringComparison.Ordinal));
        Assert.InRange(report.Log.Count, 2, TriageCollector.MaxLogLines);
        Assert.Empty(report.Problems);
    }

    [FixtureTheory]
    [MemberData(nameof(AllDumps))]
    public void TasksCountsAndMemoryMatchTheTaskList(string scenario, string dump)
    {
        var report = Collect(scenario, dump);
        // drgn's task list (empty for the QEMU dumps, which drgn cannot open).
        var drgn = JsonDocument.Parse(Fixtures.ReadText($"{scenario}/drgn/tasks.json")).RootElement.EnumerateArray().ToList();
        if (drgn.Count > 0)
        {
            Assert.Equal(drgn.Count(t => t.GetProperty("state").GetString() == "Z"), report.ZombieCount);
            Assert.Equal(drgn.Count(t => t.GetProperty("state").GetString() == "D"), report.UninterruptibleCount);
        }
        // The workload's zombie (facts: "zombie-parent" never reaps its "sleep 1" child).
        Assert.Equal(1, report.ZombieCount);
        // crash's kmem -i on the scenario's main dump: TOTAL MEM and FREE pages.
        var kmem = Fixtures.ReadText($"{scenario}/crash/kmem-i.txt").Split('\n');
        ulong Pages(string label) => ulong.Parse(kmem.Single(l => l.TrimStart().StartsWith(label + " ", StringComparison.Ordinal))
            .Trim()[label.Length..].Trim().Split(' ')[0]);
        Assert.Equal(Pages("TOTAL MEM") * 4096, report.Memory?.TotalBytes);
        Assert.Equal(Pages("FREE") * 4096, report.Memory?.FreeBytes);
    }

    [FixtureFact]
    public void TextAndJsonCarryTheSameFacts()
    {
        foreach (var scenario in new[] { "sysrq", "oops-module" })
        {
            var report = Collect(scenario, FixtureDumps.MainDump(scenario));
            var text = new StringWriter();
            TriageTextWriter.Write(text, report);
            var stream = new MemoryStream();
            TriageJsonWriter.Write(stream, report);
            using var json = JsonDocument.Parse(stream.ToArray());
            AssertSameFacts(text.ToString(), json.RootElement);
        }
    }

    /// <summary>The text report's KEY lines and sections against the JSON object's fields.</summary>
    internal static void AssertSameFacts(string text, JsonElement json)
    {
        var lines = text.Split('\n');
        string Key(string key) => lines.Single(l => l.StartsWith(key.PadRight(15) + " ", StringComparison.Ordinal))[16..];
        List<string> Section(string name) =>
            lines.SkipWhile(l => l != name + ":").Skip(1).TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal)).Select(l => l[2..]).ToList();

        var task = json.GetProperty("task");
        Assert.Equal(task.GetProperty("pid").GetInt32().ToString(), Key("PID"));
        Assert.Equal(task.GetProperty("comm").GetString(), Key("COMM"));
        Assert.Equal(task.GetProperty("task").GetString(), Key("TASK"));
        Assert.Equal(task.GetProperty("cpu").GetInt32().ToString(), Key("CPU"));
        Assert.Equal(json.GetProperty("kernel").GetProperty("release").GetString(), Key("RELEASE"));
        Assert.Equal(json.GetProperty("dump").GetProperty("date").GetString(), Key("DATE"));
        Assert.Equal(json.GetProperty("dump").GetProperty("tasks").GetInt32().ToString(), Key("TASKS"));
        Assert.Equal(json.GetProperty("panic").GetProperty("message").GetString(), Key("PANIC"));
        Assert.Equal(json.GetProperty("panic").GetProperty("taint").GetString()!.TrimEnd(), Key("TAINT"));
        var panic = json.GetProperty("panic");
        Assert.Equal($"{panic.GetProperty("kind").GetString()}: {panic.GetProperty("summary").GetString()}", Key("REASON"));
        var suspect = json.GetProperty("suspect");
        Assert.StartsWith(suspect.GetProperty("function").GetString()!, Key("SUSPECT"));
        Assert.EndsWith(suspect.GetProperty("source").GetString()!, Key("SUSPECT"));
        Assert.Equal(json.GetProperty("callTrace").EnumerateArray().Select(e => e.GetProperty("text").GetString()), Section("CALL TRACE"));
        Assert.Equal(json.GetProperty("log").EnumerateArray().Select(e => e.GetString()), Section("LOG"));
        Assert.Equal(json.GetProperty("onCpu").GetArrayLength(), Section("ON CPU").Count);
        Assert.Equal(json.GetProperty("zombies").GetInt32().ToString(), Key("ZOMBIES"));
        if (json.GetProperty("exceptionRip").ValueKind != JsonValueKind.Null)
            Assert.StartsWith(json.GetProperty("exceptionRip").GetProperty("text").GetString()!, Key("RIP"));
        else Assert.DoesNotContain(lines, l => l.StartsWith("RIP ", StringComparison.Ordinal));
        Assert.Equal(0, json.GetProperty("problems").GetArrayLength());
        Assert.DoesNotContain("PROBLEMS:", text);
    }

    [GeneratedRegex(@"^\[\s*\d+\.\d+\] ")]
    private static partial Regex Prefix();

    [GeneratedRegex(@"^\s*([\w.]+)\+0x[0-9a-f]+/0x[0-9a-f]+(?: \[\w+\])?$")]
    private static partial Regex TraceLine();

    [GeneratedRegex(@" Comm: \S+ (?:Kdump: loaded )?(Not tainted|Tainted: .{19}) ")]
    private static partial Regex TaintField();

    [GeneratedRegex(@"^\[\s*\d+\.\d{6}\] ")]
    private static partial Regex LogLine();
}
