using KdumpDebug.TestSupport;

namespace KdumpDebug.Commands.Tests.RealDump;

/// <summary>
/// <c>kmem -s</c>, <c>kmem -S</c> and <c>kmem ADDRESS</c> on the SLUB fixture kernels against
/// crash 8.0.2 (Golden/crash-kmem: sessions recorded by record.sh on sysrq and oops-module, and
/// shorter ones on sysrq-qemu (a CPU stopped by the panic NMI, offline) and sysrq-la57: every
/// cache, per-CPU and per-node slabs with their objects, objects allocated, free on a CPU
/// freelist, free in a partial slab, a task_struct, a vmalloc'd stack, a module function, struct
/// pages, text, direct-map and physical addresses). Where crash 8.0.2 is wrong, drgn 0.0.22 is the
/// witness and the truth is asserted instead (see <see cref="CrashIsWrong"/>).
/// </summary>
public sealed class KmemSlabTests
{
    /// <summary>
    /// Recorded commands whose crash output is wrong, with the reason; each has its own test below.
    /// </summary>
    static readonly Dictionary<string, string> CrashIsWrong = new()
    {
        // crash keeps the first address's slab (meminfo.slab is not reset between addresses of one
        // kmem -s), so it shows the dentry slab under kmalloc-64 and no object: see SecondAddressOfKmemS.
        ["kmem -s ffffa0f7c0451180 ffffa0f7c029e050"] = "stale slab for the second address",
    };

    [FixtureTheory]
    [InlineData("sysrq")]
    [InlineData("oops-module")]
    [InlineData("sysrq-qemu")]
    [InlineData("sysrq-la57")]
    public void RecordedSessionMatchesCrash(string scenario)
    {
        var cases = RecordedSession.Read($"crash-kmem/session-{scenario}.txt");
        Assert.True(cases.Count >= 3);
        RecordedSession.AssertReplays(new CommandSession(FixtureDumps.Open(scenario)), cases.Where(c => !CrashIsWrong.ContainsKey(c.Command)));
    }

    /// <summary>
    /// The second address of <c>kmem -s A B</c>. drgn 0.0.22's slab_object_info(0xffffa0f7c029e050):
    /// slab_cache 0xffffa0f7c0142500 (kmalloc-64), slab 0xffffd46e0000a780, address
    /// 0xffffa0f7c029e040, allocated=True; crash 8.0.2 prints the first address's dentry slab
    /// (ffffd46e00011440) with no object. The first address's block is crash's, verbatim.
    /// </summary>
    [FixtureFact]
    public void SecondAddressOfKmemS()
    {
        var session = new CommandSession(FixtureDumps.Open("sysrq"));
        var expected = RecordedSession.Read("crash-kmem/session-sysrq.txt")
            .Single(c => c.Command == "kmem -s ffffa0f7c0451180 ffffa0f7c029e050").Expected;
        var crashFirst = expected[..(expected.IndexOf("\n\n", StringComparison.Ordinal) + 2)];
        Assert.Equal(
            crashFirst
            + "CACHE             OBJSIZE  ALLOCATED     TOTAL  SLABS  SSIZE  NAME\n"
            + "ffffa0f7c0142500       64        222       256      4     4k  kmalloc-64\n"
            + "  SLAB              MEMORY            NODE  TOTAL  ALLOCATED  FREE\n"
            + "  ffffd46e0000a780  ffffa0f7c029e000     0     64         54    10\n"
            + "  FREE / [ALLOCATED]\n"
            + "  [ffffa0f7c029e040]\n",
            session.ExecuteAndCapture("kmem -s ffffa0f7c0451180 ffffa0f7c029e050"));
    }

    /// <summary>
    /// The whole <c>kmem -S</c> (every cache, 7,177 lines) equals crash's: checked line by line
    /// against crash's counts in the recorded <c>kmem -s</c>, and by its size and its shape here.
    /// </summary>
    [FixtureFact]
    public void EveryCacheInKmemSHasCrashsCountsAndDetail()
    {
        var session = new CommandSession(FixtureDumps.Open("sysrq"));
        var all = session.ExecuteAndCapture("kmem -S");
        var summary = RecordedSession.Read("crash-kmem/session-sysrq.txt").Single(c => c.Command == "kmem -s").Expected;
        var cacheLines = summary.Split('\n').Skip(1).Where(l => l.Length > 0).ToList();
        Assert.Equal(80, cacheLines.Count);
        var lines = all.Split('\n');
        Assert.Equal(7177, lines.Length - 1);
        Assert.Equal(cacheLines, lines.Where((l, i) => i > 0 && lines[i - 1].StartsWith("CACHE ", StringComparison.Ordinal)).ToList());
        Assert.Equal(80, lines.Count(l => l == "KMEM_CACHE_NODE   NODE  SLABS  PARTIAL  PER-CPU"));
    }

    /// <summary>
    /// A vmalloc address no page table maps: crash 8.0.2 translates it as if it were in the direct
    /// map (vtop prints 280840000000, see VtopKmemPtovTests) and reports that bogus address; the
    /// page tables say it is not mapped, so the one line names the address itself.
    /// </summary>
    [FixtureFact]
    public void UnmappedAddressIsNotInTheMemMap()
    {
        var session = new CommandSession(FixtureDumps.Open("sysrq"));
        Assert.Equal("ffffc90000000000: kernel virtual address not found in mem map\n", session.ExecuteAndCapture("kmem ffffc90000000000"));
    }

    /// <summary>
    /// A task crash 8.0.2 does not know (its task list is broken on this kernel: fixtures README):
    /// kworker/1:1H, PID 43, whose task_struct drgn's tasks.txt places at ffffa0f7c0a22880. Its
    /// object is found in the task_struct cache and the task block follows it; an address just past
    /// the object (arch_task_struct_size 5128, while the DWARF sizeof is 6528) is the next, free, object.
    /// </summary>
    [FixtureFact]
    public void ATaskCrashCannotSeeIsShownWithItsObject()
    {
        var session = new CommandSession(FixtureDumps.Open("sysrq"));
        var drgn = File.ReadLines(Fixtures.Path("sysrq/drgn/tasks.txt")).Single(l => l.Contains("ffffa0f7c0a22880", StringComparison.Ordinal));
        Assert.Contains("kworker/1:1H", drgn);
        var output = session.ExecuteAndCapture("kmem ffffa0f7c0a22900");
        Assert.Contains("  [ffffa0f7c0a22880]\n\n    PID: 43\nCOMMAND: \"kworker/1:1H\"\n   TASK: ffffa0f7c0a22880  [THREAD_INFO: ffffa0f7c0a22880]\n    CPU: 1\n  STATE: TASK_IDLE\n\n", output);
        Assert.DoesNotContain("PID:", session.ExecuteAndCapture("kmem ffffa0f7c0a23cc0"));
    }

    [FixtureFact]
    public void BadInputGivesOneLineEach()
    {
        var session = new CommandSession(FixtureDumps.Open("sysrq"));
        Assert.Equal("kmem: nosuch: no slab cache of that name\n", session.ExecuteAndCapture("kmem -s nosuch"));
        Assert.Contains("kmem: only one kmem_cache reference is allowed", session.ExecuteAndCapture("kmem -s task_struct kmalloc-64"));
        Assert.Equal("kmem: address is not allocated in slab subsystem: ffffa0f7c0000000\n", session.ExecuteAndCapture("kmem -s ffffa0f7c0000000"));
        Assert.Contains("kmem: invalid address: xyz", session.ExecuteAndCapture("kmem xyz"));
        Assert.Contains("only one flag allowed", session.ExecuteAndCapture("kmem -s -i"));
    }
}
