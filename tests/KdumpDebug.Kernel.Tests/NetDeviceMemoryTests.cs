using KdumpDebug.Kernel.Devices;
using KdumpDebug.Kernel.Memory;
using KdumpDebug.Kernel.Net;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Kernel.Tests;

/// <summary>
/// The net, socket, device and memory helpers on the fixture dumps, against what the workload
/// created (fixtures README: fxhold's fds 10-16) and crash's goldens (net.txt, dev.txt, kmem-i.txt).
/// </summary>
public class NetDeviceMemoryTests
{
    public static readonly TheoryData<string> Scenarios = new() { "sysrq", "sysrq-qemu", "oops-module", "sysrq-la57" };

    [FixtureTheory]
    [MemberData(nameof(Scenarios))]
    public void TheOnlyDeviceIsLoopbackWith127001(string scenario)
    {
        var problems = new List<string>();
        var devices = NetDevices.ForEachNetdev(FixtureKernels.Open(scenario), problems);
        Assert.Empty(problems);
        var lo = Assert.Single(devices);
        Assert.Equal("lo", lo.Name);
        Assert.Equal(["127.0.0.1"], lo.Ipv4Addresses);
        // crash's net.txt names the same net_device.
        Assert.Contains($"{lo.Address:x}  lo", Fixtures.ReadText($"{scenario}/crash/net.txt"), StringComparison.Ordinal);
    }

    [FixtureTheory]
    [MemberData(nameof(Scenarios))]
    public void FxholdsSocketsAreTheOnesTheWorkloadOpened(string scenario)
    {
        var target = FixtureKernels.Open(scenario);
        var pid = FixtureKernels.Facts(scenario).GetProperty("fxhold_pid").GetInt32();
        var task = LinuxKernel.For(target).Tasks.FindByPid(pid).Single(t => t.Pid == t.Tgid);
        var problems = new List<string>();
        var sockets = TaskSockets.ForTask(target, task.Address, problems).ToDictionary(s => s.Fd);
        Assert.Empty(problems);
        Assert.Equal([10, 11, 12, 13, 14, 15, 16], sockets.Keys.Order());
        // 10-11: an AF_UNIX socketpair, each the other's peer.
        Assert.Equal((TaskSockets.AfUnix, 1, "ESTABLISHED"), (sockets[10].Family, sockets[10].Type, sockets[10].StateName));
        Assert.Equal(sockets[11].Sock, sockets[10].UnixPeer);
        Assert.Equal(sockets[10].Sock, sockets[11].UnixPeer);
        // 12: the AF_UNIX listener bound to /mnt/data/fx.sock.
        Assert.Equal(("/mnt/data/fx.sock", "LISTEN"), (sockets[12].UnixPath, sockets[12].StateName));
        // 13: TCP listener 127.0.0.1:7777; 14/15 the connection to it (client, accepted); 16 UDP 127.0.0.1:7778.
        Assert.Equal((TaskSockets.AfInet, "127.0.0.1", 7777, "0.0.0.0", 0, "LISTEN"), (sockets[13].Family, sockets[13].LocalAddress, sockets[13].LocalPort, sockets[13].RemoteAddress, sockets[13].RemotePort, sockets[13].StateName));
        Assert.Equal(("127.0.0.1", 7777, "ESTABLISHED"), (sockets[14].RemoteAddress, sockets[14].RemotePort, sockets[14].StateName));
        Assert.Equal((7777, sockets[14].LocalPort, "ESTABLISHED"), (sockets[15].LocalPort, sockets[15].RemotePort, sockets[15].StateName));
        Assert.Equal((2, "127.0.0.1", 7778), (sockets[16].Type, sockets[16].LocalAddress, sockets[16].LocalPort));
    }

    [FixtureFact]
    public void CharAndBlockDevicesAreCrashs()
    {
        var problems = new List<string>();
        var target = FixtureKernels.Open("sysrq");
        var chr = CharDevices.Read(target, problems);
        var blk = BlockDevices.Read(target, problems);
        Assert.Empty(problems);
        Assert.Equal([1, 2, 3, 4, 5, 5, 5, 10, 128, 136], chr.Select(d => d.Major));
        Assert.Equal(["/dev/tty", "/dev/console", "/dev/ptmx"], chr.Where(d => d.Major == 5).Select(d => d.Name));
        Assert.True(target.TryFindSymbol(chr[0].Fops, out var fops, out _));
        Assert.Equal("memory_fops", fops.Name);
        Assert.Equal([(259, "blkext", 0UL), (254, "virtblk", 0xffffa0f7c09a6400UL)], blk.Select(d => (d.Major, d.Name, d.Gendisk)));
    }

    [FixtureFact]
    public void MemoryCountsAreCrashsKmemI()
    {
        // crash's sysrq/crash/kmem-i.txt.
        var info = MemoryInfo.Read(FixtureKernels.Open("sysrq"));
        Assert.Empty(info.Problems);
        Assert.Equal((52537UL, 47237UL, 637UL, 0UL, 3223UL, 583UL), (info.TotalRam!.Value, info.Free!.Value, info.Shared!.Value, info.Buffers!.Value, info.Cached!.Value, info.Slab!.Value));
        Assert.Equal((0UL, 0UL, 0UL, 0UL), (info.HugeTotal!.Value, info.HugeFree!.Value, info.SwapTotal!.Value, info.SwapFree!.Value));
        Assert.Equal((26268UL, 7929UL), (info.CommitLimit!.Value, info.Committed!.Value));
    }
}
