using KdumpDebug.Commands.Output;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Commands.Tests;

/// <summary>The start-up banner in crash's sys layout.</summary>
public sealed class SystemBannerTests
{
    [Fact]
    public void KnownFactsArePrintedInCrashsLayoutAndOrder()
    {
        var summary = MockTarget.DefaultSummary() with
        {
            VmlinuxPath = "/cache/vmlinux",
            DumpPath = "/data/vmcore.kdump-zlib",
            IsPartialDump = true,
            Cpus = 2,
            Date = new DateTimeOffset(2026, 11, 26, 9, 54, 50, TimeSpan.Zero),
            NodeName = "fixture-vm",
            Release = "6.1.192-fixture",
            Version = "#1 SMP 2025-01-01 00:00:00 UTC",
            Machine = "x86_64",
            MemoryBytes = 335020032,
            PanicMessage = "Kernel panic - not syncing: sysrq triggered crash",
        };
        var output = new StringWriter();
        SystemBanner.Write(output, summary, "vmlinux", "vmcore.kdump-zlib");
        // The sysrq fixture's crash/sys.txt without the lines we cannot know yet (UPTIME, LOAD
        // AVERAGE, TASKS) and with the clock rate unknown.
        Assert.Equal(
            "      KERNEL: vmlinux\n" +
            "    DUMPFILE: vmcore.kdump-zlib  [PARTIAL DUMP]\n" +
            "        CPUS: 2\n" +
            "        DATE: Thu Nov 26 09:54:50 UTC 2026\n" +
            "    NODENAME: fixture-vm\n" +
            "     RELEASE: 6.1.192-fixture\n" +
            "     VERSION: #1 SMP 2025-01-01 00:00:00 UTC\n" +
            "     MACHINE: x86_64  (unknown Mhz)\n" +
            "      MEMORY: 319.5 MB\n" +
            "       PANIC: \"Kernel panic - not syncing: sysrq triggered crash\"\n",
            output.ToString());
    }

    [Fact]
    public void UnknownFactsAreLeftOut()
    {
        var output = new StringWriter();
        SystemBanner.Write(output, MockTarget.DefaultSummary());
        Assert.Equal("      KERNEL: vmlinux\n    DUMPFILE: vmcore\n", output.ToString());
    }

    [Theory]
    [InlineData(335020032UL, "319.5 MB")]
    [InlineData(2UL << 30, "2 GB")]
    [InlineData(334757888UL, "319.2 MB")] // 319.25 exactly: ties to even, as glibc's printf
    [InlineData(512UL << 10, "512 KB")]
    public void MemorySizeFollowsPagesToSize(ulong bytes, string expected)
    {
        Assert.Equal(expected, SystemBanner.FormatSize(bytes));
    }

    [Fact]
    public void DateDayIsSpacePadded()
    {
        Assert.Equal("Fri Mar  6 01:02:03 UTC 2026", SystemBanner.FormatDate(new DateTimeOffset(2026, 3, 6, 2, 2, 3, TimeSpan.FromHours(1))));
    }

    [Fact]
    public void OopsPanicGetsCrashsPointerToTheLog()
    {
        Assert.Equal("\"Oops: 0002 [#1] SMP NOPTI\" (check log for details)", SystemBanner.FormatPanic("Oops: 0002 [#1] SMP NOPTI"));
    }
}
