using System.Globalization;
using KdumpDebug.Core.Errors;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Target.Tests;

/// <summary>Opening every fixture dump: KASLR, paging levels, utsname read through the page tables.</summary>
public class KernelTargetTests
{
    public static IEnumerable<object[]> AllDumps() => FixtureTargets.AllDumps();

    [FixtureTheory]
    [MemberData(nameof(AllDumps))]
    public void Opens_with_kaslr_offset_and_reads_utsname(string scenario, string dump)
    {
        using var target = FixtureTargets.Open(dump);
        var facts = FixtureTargets.Facts(scenario);
        var kaslr = ulong.Parse(facts.GetProperty("kaslr_offset_vmcoreinfo").GetString()![2..], NumberStyles.HexNumber);
        Assert.Equal(kaslr, target.KaslrOffset);
        Assert.Equal(scenario == "sysrq-la57" ? 5 : 4, target.Summary.PagingLevels);
        var uts = target.ReadUtsName();
        Assert.NotNull(uts);
        Assert.Equal("6.1.192-fixture", uts!.Release);
        Assert.Equal("x86_64", uts.Machine);
        Assert.Equal("#1 SMP 2025-01-01 00:00:00 UTC", uts.Version);
        Assert.Equal("fixture-vm", uts.NodeName);
    }

    [FixtureTheory]
    [MemberData(nameof(AllDumps))]
    public void Panic_task_comm_is_readable_through_the_direct_map(string scenario, string dump)
    {
        using var target = FixtureTargets.Open(dump);
        var facts = FixtureTargets.Facts(scenario);
        var task = ulong.Parse(facts.GetProperty("panic_task").GetString()!, NumberStyles.HexNumber);
        Assert.True(target.TryTranslate(task, out var pa));
        // A direct-map address: its physical address is below the machine's 320 MB.
        Assert.True(pa < 320UL << 20, $"{task:x} -> {pa:x}");
        // The task's comm is somewhere in the first 4 KiB of task_struct; find the panic task's name.
        var bytes = new byte[4096];
        target.ReadVirtual(task, bytes);
        var comm = facts.GetProperty("panic_comm").GetString()!;
        Assert.Contains(comm + "\0", System.Text.Encoding.ASCII.GetString(bytes));
    }

    [FixtureFact]
    public void Linux_banner_in_memory_equals_the_vmlinux_banner()
    {
        using var target = FixtureTargets.Open("sysrq/vmcore.kdump-zlib");
        Assert.True(target.TryLookupSymbol("linux_banner", out var sym));
        var bytes = new byte[target.Vmlinux.LinuxBanner!.Length];
        target.ReadVirtual(sym.Address, bytes);
        Assert.Equal(target.Vmlinux.LinuxBanner, System.Text.Encoding.ASCII.GetString(bytes));
        // crash's golden prints linux_banner at ffffffff8264ae60 on this dump (KASLR applied).
        Assert.StartsWith("ffffffff8264ae60:", Fixtures.ReadText("sysrq/crash/rd-linux_banner.txt"));
        Assert.Equal(0xffffffff8264ae60UL, sym.Address);
    }

    [FixtureFact]
    public void Unmapped_address_is_a_fault_naming_the_address()
    {
        using var target = FixtureTargets.Open("sysrq/vmcore.kdump-zlib");
        var e = Assert.Throws<FaultException>(() => target.ReadVirtual(0xffffc90000000000UL - 0x1000, new byte[8]));
        Assert.Equal("invalid kernel virtual address: ffffc8fffffff000", e.Message);
        Assert.Throws<FaultException>(() => target.ReadVirtual(0x0000800000000000UL, new byte[8])); // non-canonical
    }

    [FixtureFact]
    public void Excluded_page_is_reported_with_virtual_address_pfn_and_dump_level()
    {
        using var target = FixtureTargets.Open("sysrq/vmcore.kdump-zlib");
        // Find an excluded page inside the direct map: any PFN the dump marks excluded.
        var memory = target.Dump.Memory;
        ulong pfn = 0;
        for (ulong p = 0x100; p < memory.MaxPfn; p++)
            if (memory.GetPageStatus(p) == Dump.PageStatus.Excluded) { pfn = p; break; }
        Assert.NotEqual(0UL, pfn);
        Assert.True(target.TryLookupSymbol("page_offset_base", out var pob));
        var b = new byte[8];
        target.ReadVirtual(pob.Address, b);
        var directMap = BitConverter.ToUInt64(b);
        var va = directMap + pfn * 4096 + 0x10;
        var e = Assert.Throws<PageExcludedException>(() => target.ReadVirtual(va, new byte[8]));
        Assert.Equal(pfn, e.Pfn);
        Assert.Equal(31, e.DumpLevel);
        Assert.Equal(va, e.VirtualAddress);
        Assert.Contains($"virtual address {va:x}", e.Message);
        Assert.Contains($"PFN {pfn:x}", e.Message);
        Assert.Contains("dump level 31", e.Message);
    }
}
