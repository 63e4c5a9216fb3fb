using System.Text.RegularExpressions;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel.Tests;

/// <summary>
/// The Debian 6.1 cloud kernel dump that shared/fixtures/distro/make.sh builds in
/// <c>~/.cache/kdumpdebug-fixtures/ABI/sysrq</c> (or <c>$KDUMPDEBUG_FIXTURES</c>): the task list
/// against the guest's own record of its tasks (the KDD-GROUND-TRUTH block of console.log, written
/// from /proc just before the crash), where crash 8.0.2 lists 4 tasks. Skipped when absent.
/// </summary>
public sealed partial class DistroDumpTests
{
    public const string Abi = "6.1.0-53-cloud-amd64";

    public static string? Directory
    {
        get
        {
            var root = Environment.GetEnvironmentVariable("KDUMPDEBUG_FIXTURES") is { Length: > 0 } env
                ? env
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "kdumpdebug-fixtures");
            var dir = Path.Combine(root, Abi, "sysrq");
            return File.Exists(Path.Combine(dir, "vmlinux")) && File.Exists(Path.Combine(dir, "vmcore.kdump")) && File.Exists(Path.Combine(dir, "console.log"))
                ? dir
                : null;
        }
    }

    static readonly Lazy<LinuxKernel> Shared = new(() =>
    {
        var dir = Directory!;
        return LinuxKernel.For(KernelTarget.Open(new TargetOptions(Path.Combine(dir, "vmcore.kdump"), Path.Combine(dir, "vmlinux"))));
    });

    [GeneratedRegex(@"^task (\d+) ([A-Z]) (.+)$")]
    private static partial Regex StatLine();

    /// <summary>"task PID STATE NAME" lines of the ground-truth block (/proc/PID/stat: state letter and the name /proc shows).</summary>
    static List<(int Pid, char State, string Name)> GroundTruthTasks(string consoleLog)
    {
        var lines = File.ReadAllLines(consoleLog);
        var begin = Array.FindIndex(lines, l => l.TrimEnd() == "KDD-GROUND-TRUTH-BEGIN");
        var end = Array.FindIndex(lines, begin + 1, l => l.TrimEnd() == "KDD-GROUND-TRUTH-END");
        Assert.True(begin >= 0 && end > begin, "console.log has no KDD-GROUND-TRUTH block");
        return lines[(begin + 1)..end].Select(l => StatLine().Match(l.TrimEnd())).Where(m => m.Success)
            .Select(m => (int.Parse(m.Groups[1].Value), m.Groups[2].Value[0], m.Groups[3].Value)).ToList();
    }

    [DistroDumpFact]
    public void TheTaskListHasEveryTaskTheGuestRecorded()
    {
        var truth = GroundTruthTasks(Path.Combine(Directory!, "console.log"));
        Assert.True(truth.Count > 50, $"only {truth.Count} tasks in the ground truth");
        var kernel = Shared.Value;
        var tasks = kernel.Tasks.Tasks;
        Assert.Empty(kernel.Tasks.Problems);
        foreach (var (pid, state, name) in truth)
        {
            var task = tasks.SingleOrDefault(t => t.Pid == pid);
            Assert.True(task is not null, $"PID {pid} ({name}) is not in the task list");
            // task->comm holds 15 characters; /proc shows a kthread's full name and a kworker's
            // current workqueue after a '-' (fs/proc/array.c proc_task_name, wq_worker_comm).
            Assert.True(name.StartsWith(task.Comm, StringComparison.Ordinal)
                        && (task.Comm.Length == Math.Min(15, name.Length) || name[task.Comm.Length] == '-'),
                $"PID {pid}: comm {task.Comm}, /proc says {name}");
            // The workload's tasks keep the state they were put in until the crash.
            if (name.StartsWith("kdd-", StringComparison.Ordinal) && state is 'T' or 'D' or 'Z')
                Assert.Equal(state switch { 'T' => "ST", 'D' => "UN", _ => "ZO" }, task.State);
        }
        // The tasks the guest had, plus the shell that wrote to /proc/sysrq-trigger, the idle
        // tasks, and tasks started after the listing; never fewer.
        Assert.True(tasks.Count(t => t.Pid != 0) >= truth.Count);
    }

    [GeneratedRegex(@"^#(\d+) at 0x([0-9a-f]+)(?: \(\S+\))?(?: in (\S+))?(?: at (\S+?):(\d+)(?::\d+)?)?( \(inlined\))?$")]
    private static partial Regex DrgnFrameLine();

    /// <summary>
    /// The panic task's logical frames (inline expansion from the distro kernel's DWARF) against
    /// drgn's bt of the crashed thread (drgn/vmcore.kdump/bt.txt): same pcs, functions, inline
    /// flags and file:line.
    /// </summary>
    [DistroDumpFact]
    public void ThePanicTasksLogicalFramesMatchDrgns()
    {
        var lines = File.ReadAllLines(Path.Combine(Directory!, "drgn", "vmcore.kdump", "bt.txt"))
            .Where(l => l.StartsWith('#')).Select(l => DrgnFrameLine().Match(l.TrimEnd())).ToList();
        Assert.All(lines, m => Assert.True(m.Success, m.Value));
        var kernel = Shared.Value;
        var task = kernel.Tasks.FindByAddress(kernel.Panic!.TaskAddress)!;
        var ours = TaskLogicalStack.Unwind(kernel, task).Frames;
        Assert.Equal(lines.Count, ours.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            var m = lines[i];
            Assert.Equal(Convert.ToUInt64(m.Groups[2].Value, 16), ours[i].Physical.Pc);
            if (!m.Groups[3].Success) continue;
            Assert.Equal((m.Groups[3].Value, m.Groups[6].Success), (ours[i].Function!, ours[i].IsInline));
            // Paths as crash prints them carry the unit's directory (the build tree here), drgn's do not.
            var file = ours[i].File ?? "";
            Assert.True(file.EndsWith("/" + m.Groups[4].Value, StringComparison.Ordinal) && ours[i].Line == int.Parse(m.Groups[5].Value),
                $"#{i}: drgn {m.Groups[4].Value}:{m.Groups[5].Value}, ours {file}:{ours[i].Line}");
        }
    }
}

/// <summary>A [Fact] skipped unless the distro dump of make.sh is present.</summary>
public sealed class DistroDumpFactAttribute : FactAttribute
{
    public DistroDumpFactAttribute()
    {
        if (DistroDumpTests.Directory is null)
            Skip = $"distro dump {DistroDumpTests.Abi}/sysrq not found (run shared/fixtures/distro/make.sh)";
    }
}
