using System.Security.Cryptography;
using System.Text;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Commands.Tests.RealDump;

/// <summary>
/// vtop, kmem -p and ptov on the real dumps. Kernel addresses against crash 8.0.2: the fixtures'
/// own vtop golden (the panic task's address, every scenario) and sessions recorded for this
/// project (Golden/crash-vtop: text, vmalloc'd stack, vmemmap and direct-map addresses, 4- and
/// 5-level page tables, several addresses in one command, struct page lines, ptov). User addresses
/// and unmapped ones are where crash 8.0.2 is wrong on 6.1 (it fails on the maple tree, and
/// computes a physical address for any direct-map-looking address): there drgn is the witness.
/// </summary>
public sealed class VtopKmemPtovTests
{
    public static IEnumerable<object[]> Scenarios() =>
        Fixtures.Available ? new[] { "sysrq", "oops-module", "sysrq-la57" }.Select(s => new object[] { s }) : [new object[] { "none" }];

    /// <summary>The fixture's vtop-task.txt (crash's vtop of the panic task's task_struct).</summary>
    [FixtureTheory]
    [MemberData(nameof(Scenarios))]
    public void PanicTaskAddressMatchesTheFixtureGolden(string scenario)
    {
        var row = File.ReadLines(Fixtures.Path($"{scenario}/crash/commands.tsv")).Select(l => l.Split('\t')).Single(f => f[0] == "vtop-task.txt");
        var session = new CommandSession(FixtureDumps.Open(scenario));
        GoldenText.AssertMatches(Fixtures.ReadText($"{scenario}/crash/vtop-task.txt"), session.ExecuteAndCapture(row[1]), $"vtop-{scenario}", "vtop-task.txt");
    }

    [FixtureTheory]
    [InlineData("sysrq")]
    [InlineData("sysrq-la57")]
    public void RecordedSessionMatchesCrash(string scenario) =>
        RecordedCrashSessions.AssertMatches(new CommandSession(FixtureDumps.Open(scenario)), $"crash-vtop/session-{scenario}.txt", minCases: 5);

    /// <summary>
    /// Every struct page of the dump, as crash 8.0.2 lists them: `kmem -p` on sysrq/vmcore.kdump-zlib,
    /// its 98,305 lines (every page of the three present 128 MiB memory sections, past max_pfn to the
    /// end of the last one) hashed here rather than stored (7 MB): sha256 of crash's output with its
    /// start-up WARNING lines and blank lines removed.
    /// </summary>
    [FixtureFact]
    public void WholeMemoryMapMatchesCrash()
    {
        var session = new CommandSession(FixtureDumps.Open("sysrq"));
        var output = session.ExecuteAndCapture("kmem -p");
        Assert.Equal(98_305, output.Count(c => c == '\n'));
        Assert.StartsWith("      PAGE       PHYSICAL      MAPPING       INDEX CNT FLAGS\nffffd46e00000000        0                0        0  1 1000 reserved\n", output);
        Assert.Equal("e8973e943a9f71e09ace4fff0b8e9c7ff56b43ba7750a12dcd1dd8d49dee0fab", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(output))));
    }

    /// <summary>
    /// A user address of the panic task (sh, PID 68): its first text page. drgn 0.0.22 agrees on
    /// each value: access_process_vm(task, 0x400000) fails with "Excluded page: 0x6705000" (the
    /// physical address, left out by makedumpfile -d 31), and phys_to_page(0x6705000) is
    /// 0xffffd46e0019c140 with flags 0x8003e, _refcount 11, mapping 0xffffa0f7c03a8750, index 0.
    /// The VMA row is the one `vm` prints for the task.
    /// </summary>
    [FixtureFact]
    public void UserAddressWalksTheTasksPageTablesAndShowsItsVma()
    {
        var session = new CommandSession(FixtureDumps.Open("sysrq"));
        var lines = session.ExecuteAndCapture("vtop -c 68 400000").Split('\n');
        Assert.Equal("VIRTUAL     PHYSICAL", lines[0].TrimEnd());
        Assert.Equal("400000      6705000  (excluded)", lines[1]);
        Assert.Contains("   PTE: b7c000 => 8000000006705025", lines);
        Assert.Contains("8000000006705025   6705000  (PRESENT|USER|ACCESSED|NX)", lines);
        var vmRow = session.ExecuteAndCapture("vm 68").Split('\n').Single(l => l.Contains("     400000     401000 ", StringComparison.Ordinal));
        Assert.Contains(vmRow, lines);
        Assert.Equal("ffffd46e0019c140  6705000 ffffa0f7c03a8750        0 11 8003e referenced,uptodate,dirty,lru,active,swapbacked", lines.Where(l => l.Length > 0).Last());
        // The same page through the current context (set to 68), and an address in no VMA.
        session.ExecuteAndCapture("set 68");
        Assert.Equal(string.Join('\n', lines), session.ExecuteAndCapture("vtop 400000"));
        Assert.Equal("VIRTUAL     PHYSICAL\n0           (not accessible)", GoldenText.Normalize(session.ExecuteAndCapture("vtop -u 0")));
    }

    /// <summary>
    /// A vmalloc-area address no page table maps: crash 8.0.2 prints a physical address computed as
    /// if it were in the direct map (280840000000); the page tables say the PGD entry is empty.
    /// </summary>
    [FixtureFact]
    public void UnmappedKernelAddressIsNotMapped()
    {
        var session = new CommandSession(FixtureDumps.Open("sysrq"));
        Assert.Equal(
            "VIRTUAL           PHYSICAL\nffffc90000000000  (not mapped)\n\nPGD DIRECTORY: ffffffff8280a000\nPAGE DIRECTORY: 0",
            GoldenText.Normalize(session.ExecuteAndCapture("vtop ffffc90000000000")));
    }

    [FixtureFact]
    public void BadInputGivesOneLineEach()
    {
        var session = new CommandSession(FixtureDumps.Open("sysrq"));
        Assert.Contains("vtop: invalid address: nosuchsymbol", session.ExecuteAndCapture("vtop nosuchsymbol"));
        Assert.Contains("-u and -k options are mutually exclusive", session.ExecuteAndCapture("vtop -u -k 400000"));
        // PID 2 (kthreadd) has no user address space.
        Assert.Contains("is a kernel thread", session.ExecuteAndCapture("vtop -c 2 400000"));
        Assert.Contains("kmem: ffffd46e0002a681: not a page structure address", session.ExecuteAndCapture("kmem ffffd46e0002a681"));
        Assert.Contains("ptov: invalid physical address: xyz", session.ExecuteAndCapture("ptov xyz"));
    }
}
