using System.Globalization;
using KdumpDebug.Dump.Notes;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Dump.Tests;

/// <summary>Every real dump of the fixture set opens with the format, notes and header crash and drgn saw.</summary>
public class FixtureDumpTests
{
    public static TheoryData<string> Paths => DumpFixtures.AllPaths();

    [FixtureTheory]
    [MemberData(nameof(Paths))]
    public void Opens_with_its_format_vmcoreinfo_and_two_cpu_notes(string relative)
    {
        using var dump = DumpFixtures.Open(relative);
        var expected = DumpFixtures.All.Single(f => f.Path == relative).Format;
        Assert.Equal(expected, dump.Format);
        Assert.NotNull(dump.VmcoreInfo);
        Assert.Equal("6.1.192-fixture", VmcoreInfoText.Get(dump.VmcoreInfo, "OSRELEASE"));
        // Two vCPUs in every scenario (README: "2 vCPUs as 2 sockets"; crash: "CPUS: 2").
        Assert.Equal(2, dump.CpuRegisters.Count);
        Assert.Equal([0, 1], dump.CpuRegisters.Select(c => c.CpuIndex));
        Assert.Equal(4096, dump.Memory.PageSize);
        Assert.True(dump.Memory.EnumeratePresentPfns().Any());
        Assert.Equal(dump.Notes.Count(n => n.Type == ElfNote.NtPrStatus && n.Name == "CORE"), dump.CpuRegisters.Count);
    }

    [FixtureTheory]
    [MemberData(nameof(Paths))]
    public void Kaslr_offset_in_vmcoreinfo_matches_facts(string relative)
    {
        var scenario = relative.Split('/')[0];
        using var dump = DumpFixtures.Open(relative);
        var expected = DumpFixtures.Facts(scenario).GetProperty("kaslr_offset_vmcoreinfo").GetString()!;
        var actual = ulong.Parse(VmcoreInfoText.Get(dump.VmcoreInfo, "KERNELOFFSET")!, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        Assert.Equal(Convert.ToUInt64(expected, 16), actual);
    }

    [FixtureTheory]
    [InlineData("sysrq/vmcore.kdump-zlib", "zlib", 1u)]
    [InlineData("sysrq/vmcore.kdump-lzo", "lzo", 2u)]
    [InlineData("sysrq/vmcore.kdump-raw.zst", "uncompressed", 0u)]
    [InlineData("sysrq/vmcore.kdump-zlib.flat", "zlib", 1u)]
    [InlineData("oops-module/vmcore.kdump-zlib", "zlib", 1u)]
    [InlineData("sysrq-la57/vmcore.kdump-zlib", "zlib", 1u)]
    public void Makedumpfile_kdump_header_has_utsname_and_dump_level_31(string relative, string compression, uint status)
    {
        using var dump = DumpFixtures.Open(relative);
        var h = dump.KdumpHeader!;
        Assert.Equal("KDUMP", h.Signature);
        Assert.Equal(6, h.HeaderVersion);
        Assert.Equal(("Linux", "fixture-vm", "6.1.192-fixture", "#1 SMP 2025-01-01 00:00:00 UTC", "x86_64", "(none)"),
            (h.SysName, h.NodeName, h.Release, h.Version, h.Machine, h.DomainName));
        Assert.Equal(4096, h.BlockSize);
        Assert.Equal(2, h.NrCpus);
        Assert.Equal(31, h.DumpLevel);
        Assert.Equal(31, dump.DumpLevel);
        Assert.Equal(compression, h.Compression);
        Assert.Equal(status, h.Status);
        // crash: "DUMPFILE: vmcore.kdump-zlib  [PARTIAL DUMP]".
        Assert.True(dump.IsPartial);
        // crash's "DATE:" is the crash time; the header's timestamp is when makedumpfile wrote it,
        // a few seconds later, and VMCOREINFO's CRASHTIME is the kernel's own.
        var crashTime = long.Parse(VmcoreInfoText.Get(dump.VmcoreInfo, "CRASHTIME")!, CultureInfo.InvariantCulture);
        Assert.InRange(h.Timestamp.ToUnixTimeSeconds() - crashTime, 0, 60);
        var desc = dump.Format == DumpFormat.KdumpFlattened ? $"kdump-compressed, flattened ({compression})" : $"kdump-compressed ({compression})";
        Assert.Equal(desc, dump.Description);
    }

    [FixtureFact]
    public void Sysrq_dump_date_is_the_one_crash_prints()
    {
        // crash/sys.txt: "DATE: Thu Nov 26 09:54:50 UTC 2026" (crash takes it from the header).
        using var dump = DumpFixtures.Open("sysrq/vmcore.kdump-zlib");
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 9, 54, 50, TimeSpan.Zero), dump.KdumpHeader!.Timestamp);
        Assert.Contains("DATE: Thu Nov 26 09:54:50 UTC 2026", Fixtures.ReadText("sysrq/crash/sys.txt"));
    }

    [FixtureFact]
    public void Qemu_kdump_is_flattened_zlib_with_empty_utsname_and_dump_level_1()
    {
        using var dump = DumpFixtures.Open("sysrq-qemu/vmcore.qemu-kdump-zlib");
        var h = dump.KdumpHeader!;
        Assert.Equal(DumpFormat.KdumpFlattened, dump.Format);
        Assert.Equal("kdump-compressed, flattened (zlib)", dump.Description);
        // QEMU's dump.c fills only utsname.machine and always writes dump_level 1 (DUMP_LEVEL).
        Assert.Equal(("", "", "x86_64"), (h.SysName, h.Release, h.Machine));
        Assert.Equal(1, dump.DumpLevel);
        Assert.True(dump.IsPartial); // crash: "vmcore.qemu-kdump-zlib  [PARTIAL DUMP]"
        Assert.Contains("vmcore.qemu-kdump-zlib  [PARTIAL DUMP]", Fixtures.ReadText("sysrq-qemu/crash/sys.txt"));
        // QEMU adds a "QEMU" CPU-state note per vCPU.
        Assert.Equal(2, dump.Notes.Count(n => n.Name == "QEMU"));
        // Nothing was filtered: every RAM page is present (320 MB + the 256 KiB BIOS ROM at 0xfffc0000).
        Assert.Equal(81920 + 64, dump.Memory.EnumeratePresentPfns().Count());
    }

    [FixtureTheory]
    [InlineData("sysrq/vmcore.elf.zst", "ELF")]
    [InlineData("oops-module/vmcore.elf.zst", "ELF")]
    [InlineData("sysrq-qemu/vmcore.qemu.elf.zst", "ELF (QEMU)")]
    public void Elf_dumps_are_not_partial_and_have_no_kdump_header(string relative, string description)
    {
        using var dump = DumpFixtures.Open(relative);
        Assert.Equal(description, dump.Description);
        // crash-other-formats.txt: "DUMPFILE: vmcore.elf" with no "[PARTIAL DUMP]".
        Assert.False(dump.IsPartial);
        Assert.Null(dump.DumpLevel);
        Assert.Null(dump.KdumpHeader);
    }

    [FixtureTheory]
    [InlineData("sysrq", "sysrq/vmcore.kdump-zlib")]
    [InlineData("sysrq", "sysrq/vmcore.elf.zst")]
    [InlineData("oops-module", "oops-module/vmcore.kdump-zlib")]
    [InlineData("oops-module", "oops-module/vmcore.elf.zst")]
    [InlineData("sysrq-la57", "sysrq-la57/vmcore.kdump-zlib")]
    public void Panic_cpu_note_carries_the_panic_pid(string scenario, string relative)
    {
        var facts = DumpFixtures.Facts(scenario);
        using var dump = DumpFixtures.Open(relative);
        var cpu = facts.GetProperty("panic_cpu").GetInt32();
        Assert.Equal(facts.GetProperty("panic_pid").GetInt32(), dump.CpuRegisters[cpu].Pid);
        var regs = dump.CpuRegisters[cpu].Registers;
        Assert.Equal(CpuRegisters.X86_64Names.Length, regs.Count);
        // Kernel mode: the saved RIP is a kernel text address, CS is __KERNEL_CS (0x10).
        Assert.True(regs["rip"] >= 0xffffffff80000000UL, $"rip {regs["rip"]:x}");
        Assert.Equal(0x10UL, regs["cs"]);
    }

    [FixtureFact]
    public void Sysrq_second_cpu_note_is_the_busy_loop()
    {
        // README: "CPU 1 is the busy sh loop, stopped by the crash NMI in user mode".
        var facts = DumpFixtures.Facts("sysrq");
        using var dump = DumpFixtures.Open("sysrq/vmcore.kdump-zlib");
        Assert.Equal(facts.GetProperty("workload_pids").GetProperty("spin").GetInt32(), dump.CpuRegisters[1].Pid);
    }

    [FixtureTheory]
    [MemberData(nameof(Paths))]
    public void Kernel_banner_is_at_its_physical_address(string relative)
    {
        // crash/rd-linux_banner.txt reads linux_banner at its virtual address. In the kernel-text
        // mapping physical = virtual - __START_KERNEL_map (0xffffffff80000000) + phys_base, and
        // VMCOREINFO gives phys_base (as a signed number: QEMU's is negative).
        var scenario = relative.Split('/')[0];
        var rd = Fixtures.ReadText($"{scenario}/crash/rd-linux_banner.txt");
        var va = ulong.Parse(rd[..rd.IndexOf(':')], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        using var dump = DumpFixtures.Open(relative);
        var physBase = long.Parse(VmcoreInfoText.Get(dump.VmcoreInfo, "NUMBER(phys_base)")!, CultureInfo.InvariantCulture);
        var pa = va - 0xffffffff80000000UL + (ulong)physBase;
        var buffer = new byte[64];
        dump.Memory.Read(pa, buffer);
        Assert.StartsWith("Linux version 6.1.192-fixture (fixture@fixture-factory) (gcc", System.Text.Encoding.ASCII.GetString(buffer));
    }
}
