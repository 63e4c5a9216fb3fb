using System.Globalization;
using System.Text.RegularExpressions;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Commands.Tests.RealDump;

/// <summary>
/// files, vm, mount and foreach on the real dumps: crash 8.0.2's goldens where crash succeeded
/// (files of the panic task, mount), drgn's files-PID.txt / vm-PID.txt for the fxhold workload and
/// the panic task (crash 8.0.2 cannot find those PIDs, and its vm fails on the 6.1 maple tree).
/// </summary>
public sealed class FilesVmMountTests
{
    public static IEnumerable<object[]> CrashCases()
    {
        if (!Fixtures.Available) return [new object[] { "none", "none", "none" }];
        return Fixtures.Scenarios.SelectMany(scenario =>
            File.ReadLines(Fixtures.Path($"{scenario}/crash/commands.tsv"))
                .Where(l => l.Length > 0 && !l.StartsWith('#'))
                .Skip(1)
                .Select(l => l.Split('\t'))
                .Where(f => f[3] == "ok" && (f[1] == "files" || f[1] == "mount"))
                .SelectMany(f => FixtureDumps.AllDumps[scenario].Select(dump => new object[] { scenario, dump, f[1] })));
    }

    /// <summary>Every format of each scenario gives crash's output for files (panic task) and mount.</summary>
    [FixtureTheory]
    [MemberData(nameof(CrashCases))]
    public void FilesAndMountMatchCrash(string scenario, string dump, string command)
    {
        var session = new CommandSession(FixtureDumps.OpenDump($"{scenario}/{dump}"));
        var expected = Fixtures.ReadText($"{scenario}/crash/{(command == "files" ? "files-panic.txt" : "mount.txt")}");
        GoldenText.AssertMatches(expected, session.ExecuteAndCapture(command), $"fsmm-{scenario}-{dump}", command + ".txt");
    }

    public static IEnumerable<object[]> DrgnCases()
    {
        if (!Fixtures.Available) return [new object[] { "none", 0 }];
        return new[] { "sysrq", "oops-module", "sysrq-la57" }.SelectMany(scenario =>
        {
            var facts = System.Text.Json.JsonDocument.Parse(Fixtures.ReadText($"{scenario}/facts.json")).RootElement;
            return new[] { facts.GetProperty("fxhold_pid").GetInt32(), facts.GetProperty("panic_pid").GetInt32() }
                .Select(pid => new object[] { scenario, pid });
        });
    }

    /// <summary>
    /// Every fd drgn lists (for_each_file + d_path) is in our files output with the same file
    /// pointer and path; where drgn's d_path has no d_dname support ("[pipefs]", "[sockfs]",
    /// "[anon_inodefs]") ours has the kernel's pipe:[ino] / socket:[ino] / anon_inode:[...], and
    /// the unlinked file carries the kernel's " (deleted)".
    /// </summary>
    [FixtureTheory]
    [MemberData(nameof(DrgnCases))]
    public void FilesMatchDrgn(string scenario, int pid)
    {
        var session = new CommandSession(FixtureDumps.Open(scenario));
        var output = session.ExecuteAndCapture($"files {pid}");
        var ours = output.Split('\n')
            .Select(l => Regex.Match(l, @"^\s*(\d+) ([0-9a-f]{16}) [0-9a-f]{16} [0-9a-f]{16} (\S+)\s+(.*)$"))
            .Where(m => m.Success)
            .ToDictionary(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m => (File: m.Groups[2].Value, Type: m.Groups[3].Value, Path: m.Groups[4].Value));
        var drgn = Fixtures.ReadText($"{scenario}/drgn/files-{pid}.txt").Split('\n')
            .Select(l => Regex.Match(l, @"^\s*(\d+) 0x([0-9a-f]+)\s+0x[0-9a-f]+\s+\d+\s+(.*)$"))
            .Where(m => m.Success)
            .Select(m => (Fd: int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), File: m.Groups[2].Value, Path: m.Groups[3].Value.TrimEnd()))
            .ToList();
        Assert.NotEmpty(drgn);
        Assert.Equal(drgn.Select(d => d.Fd), ours.Keys.Order());
        foreach (var d in drgn)
        {
            var o = ours[d.Fd];
            Assert.Equal(d.File, o.File);
            switch (d.Path)
            {
                case "[pipefs]": Assert.Matches(@"^pipe:\[\d+\]$", o.Path); Assert.Equal("FIFO", o.Type); break;
                case "[sockfs]": Assert.Matches(@"^socket:\[\d+\]$", o.Path); Assert.Equal("SOCK", o.Type); break;
                case "[anon_inodefs]": Assert.Matches(@"^anon_inode:\[(eventpoll|eventfd)\]$", o.Path); Assert.Equal("UNKN", o.Type); break;
                case var p when p.EndsWith("/deleted.tmp", StringComparison.Ordinal): Assert.Equal(p + " (deleted)", o.Path); break;
                default: Assert.Equal(d.Path, o.Path); break;
            }
        }
        if (pid == FxholdPid(scenario))
        {
            foreach (var path in new[] { "/mnt/data/notes.txt", "/mnt/data/append.log", "/mnt/data/mapped.bin", "/mnt/data", "/mnt/data/deleted.tmp (deleted)" })
                Assert.Contains(path, ours.Values.Select(v => v.Path));
            Assert.Equal(2, ours.Values.Count(v => v.Type == "FIFO"));
            Assert.Equal(7, ours.Values.Count(v => v.Type == "SOCK"));
        }
    }

    /// <summary>Every VMA drgn's maple-tree walk found, with the same address, range, flags and file, and nothing else.</summary>
    [FixtureTheory]
    [MemberData(nameof(DrgnCases))]
    public void VmMatchesDrgn(string scenario, int pid)
    {
        var session = new CommandSession(FixtureDumps.Open(scenario));
        var output = session.ExecuteAndCapture($"vm {pid}");
        Assert.DoesNotContain("vm:", output);
        var ours = output.Split('\n')
            .Select(l => Regex.Match(l, @"^([0-9a-f]{16})\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+) ?(.*)$"))
            .Where(m => m.Success)
            .Select(m => string.Join(" ", m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value, m.Groups[4].Value, m.Groups[5].Value.TrimEnd()))
            .ToList();
        var drgn = Fixtures.ReadText($"{scenario}/drgn/vm-{pid}.txt").Split('\n')
            .Select(l => Regex.Match(l, @"^0x([0-9a-f]{16})\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+[0-9a-f]+\s*(.*)$"))
            .Where(m => m.Success)
            .Select(m => string.Join(" ", m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value, m.Groups[4].Value, m.Groups[5].Value.TrimEnd()))
            .ToList();
        Assert.True(drgn.Count >= 10);
        Assert.Equal(drgn, ours);
        if (pid == FxholdPid(scenario)) Assert.Contains(ours, l => l.EndsWith(" /mnt/data/mapped.bin", StringComparison.Ordinal));
    }

    /// <summary>The QEMU dump (drgn cannot open it): the fxhold workload's files and mapping are all there, with no problem lines.</summary>
    [FixtureFact]
    public void QemuDumpHasTheWorkloadsFilesAndMapping()
    {
        var pid = FxholdPid("sysrq-qemu");
        var session = new CommandSession(FixtureDumps.Open("sysrq-qemu"));
        var files = session.ExecuteAndCapture($"files {pid}");
        foreach (var path in new[] { " /mnt/data/notes.txt\n", " /mnt/data/deleted.tmp (deleted)\n", " /mnt/data/mapped.bin\n", " anon_inode:[eventpoll]\n" })
            Assert.Contains(path, files);
        Assert.Equal(2, Regex.Matches(files, @" FIFO pipe:\[\d+\]\n").Count);
        var vm = session.ExecuteAndCapture($"vm {pid}");
        Assert.DoesNotContain("vm:", vm);
        Assert.Contains(" /mnt/data/mapped.bin\n", vm);
    }

    /// <summary>vm -p: every page of a VMA gets a line; on a -d 31 dump the user pages are marked excluded, a never-touched page says not mapped or names its file.</summary>
    [FixtureFact]
    public void VmPhysicalMarksExcludedPages()
    {
        var session = new CommandSession(FixtureDumps.Open("sysrq"));
        var output = session.ExecuteAndCapture("vm -p 68");
        Assert.Contains("VIRTUAL     PHYSICAL\n", output);
        // busybox text: 0x401000-0x585000 is 388 pages, one line each.
        var text = output[output.IndexOf("ffffa0f7c0b3c198", StringComparison.Ordinal)..];
        text = text[..text.IndexOf("      VMA", StringComparison.Ordinal)];
        Assert.Equal(0x184, text.Split('\n').Count(l => Regex.IsMatch(l, @"^[0-9a-f]{1,12} {2,}")));
        Assert.Matches(@"\n401000 +[0-9a-f]+  \(excluded\)\n", text);
        Assert.DoesNotContain("vm:", output);
    }

    [FixtureFact]
    public void UnknownPidsGiveOneLineAndTheRestFollows()
    {
        var session = new CommandSession(FixtureDumps.Open("sysrq"));
        var files = session.ExecuteAndCapture("files 99999 68");
        Assert.StartsWith("files: invalid task or pid value: 99999\nPID: 68 ", files);
        var vm = session.ExecuteAndCapture("vm 99999 68");
        Assert.StartsWith("vm: invalid task or pid value: 99999\nPID: 68 ", vm);
    }

    [FixtureFact]
    public void SetContextIsHonoured()
    {
        var session = new CommandSession(FixtureDumps.Open("sysrq"));
        session.ExecuteAndCapture("set 57");
        Assert.StartsWith("PID: 57 ", session.ExecuteAndCapture("files"));
        Assert.Contains(" /mnt/data/mapped.bin\n", session.ExecuteAndCapture("vm"));
    }

    /// <summary>files -d: crash's dentry/inode/superblock line, the path through the dentry's mount.</summary>
    [FixtureFact]
    public void FilesDentryShowsThePath()
    {
        var session = new CommandSession(FixtureDumps.Open("sysrq"));
        // fd 1 of the panic task (crash's files golden): /proc/sysrq-trigger.
        var output = session.ExecuteAndCapture("files -d ffffa0f7c04519c0");
        Assert.Equal(
            "     DENTRY           INODE           SUPERBLK     TYPE PATH\n" +
            "ffffa0f7c04519c0 ffffa0f7c04647e0 ffffa0f7c02bf800 REG  /proc/sysrq-trigger\n", output);
    }

    static int FxholdPid(string scenario) =>
        System.Text.Json.JsonDocument.Parse(Fixtures.ReadText($"{scenario}/facts.json")).RootElement.GetProperty("fxhold_pid").GetInt32();
}
