using KdumpDebug.TestSupport;

namespace KdumpDebug.Commands.Tests.RealDump;

/// <summary>
/// <c>dis</c> on bad input, where the output is ours by design: an address in a page the dump
/// excluded or an unmapped one gives one line naming it; usage errors; options not supported.
/// </summary>
public sealed class DisCommandTests
{
    static ulong ExcludedDirectMapAddress(Target.KernelTarget target)
    {
        var memory = target.Dump.Memory;
        ulong pfn = 0;
        for (ulong p = 0x100; p < memory.MaxPfn && pfn == 0; p++)
            if (memory.GetPageStatus(p) == Dump.PageStatus.Excluded) pfn = p;
        Assert.NotEqual(0UL, pfn);
        Assert.True(target.TryLookupSymbol("page_offset_base", out var pob));
        var b = new byte[8];
        target.ReadVirtual(pob.Address, b);
        return BitConverter.ToUInt64(b) + pfn * 4096;
    }

    [FixtureFact]
    public void An_excluded_page_stops_the_listing_with_one_line_naming_it()
    {
        var target = FixtureDumps.Open("sysrq");
        var va = ExcludedDirectMapAddress(target);
        var output = new CommandSession(target).ExecuteAndCapture($"dis {va:x} 4");
        var lines = output.TrimEnd('\n').Split('\n');
        Assert.Equal($"WARNING: {va:x}: no associated kernel symbol found", lines[0]);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"dis: cannot disassemble at {va:x}: ", lines[1]);
        Assert.Contains("excluded", lines[1]);
    }

    [FixtureFact]
    public void An_unmapped_address_gives_one_line_and_the_session_goes_on()
    {
        var session = new CommandSession(FixtureDumps.Open("sysrq"));
        var output = session.ExecuteAndCapture("dis ffffc8fffffff000 2");
        Assert.Equal("WARNING: ffffc8fffffff000: no associated kernel symbol found\n"
            + "dis: cannot disassemble at ffffc8fffffff000: invalid kernel virtual address: ffffc8fffffff000\n", output);
        Assert.StartsWith("./drivers/tty/sysrq.c: 155\n", session.ExecuteAndCapture("dis -l sysrq_handle_crash"));
    }

    [FixtureFact]
    public void Usage_errors_and_unsupported_options_are_one_line()
    {
        var session = new CommandSession(FixtureDumps.Open("sysrq"));
        Assert.StartsWith("Usage:", session.ExecuteAndCapture("dis").TrimStart());
        Assert.Equal("dis: -r and -f are mutually exclusive", session.ExecuteAndCapture("dis -r -f panic").Split('\n')[0]);
        Assert.Equal("dis: -s (source code listing) is not supported yet\n", session.ExecuteAndCapture("dis -s panic"));
        Assert.Equal("dis: invalid count: 0\n", session.ExecuteAndCapture("dis panic 0"));
    }
}
