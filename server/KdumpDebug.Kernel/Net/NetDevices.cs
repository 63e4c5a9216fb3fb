using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel.Net;

/// <summary>A network device (<c>struct net_device</c>) with its IPv4 addresses in list order (dotted quads).</summary>
public sealed record NetDevice(ulong Address, string Name, IReadOnlyList<string> Ipv4Addresses);

/// <summary>
/// The network devices of the initial network namespace: <c>for_each_netdev(&amp;init_net, dev)</c>
/// over <c>init_net.dev_base_head</c> (include/linux/netdevice.h), each device's IPv4 addresses from
/// <c>dev-&gt;ip_ptr</c> (<c>struct in_device</c>) and its <c>ifa_list</c> chain of <c>struct in_ifaddr</c>
/// (<c>ifa_address</c>, network byte order). Kernels before v2.6.24 kept a global
/// <c>dev_base_head</c> list instead, which is used when present (crash's show_net_devices_v2).
/// Cost: a few reads per device. A device that cannot be read is one line in <c>problems</c>.
/// </summary>
public static class NetDevices
{
    const int MaxDevices = 1 << 16;
    const int MaxAddresses = 1024;

    /// <summary>
    /// The devices of the namespace <c>struct net</c> at <paramref name="net"/>, or of <c>init_net</c>
    /// when it is null.
    /// </summary>
    public static IReadOnlyList<NetDevice> ForEachNetdev(KernelTarget target, ICollection<string> problems, ulong? net = null)
    {
        ulong head;
        if (net is { } ns) head = ns + KernelMemory.Offset(target, "net", "dev_base_head");
        else if (KernelMemory.SymbolAddress(target, "dev_base_head") is { } global) head = global;
        else if (KernelMemory.SymbolAddress(target, "init_net") is { } initNet) head = initNet + KernelMemory.Offset(target, "net", "dev_base_head");
        else throw new KdumpDebugException("neither init_net nor dev_base_head is in this kernel");

        var nameOffset = KernelMemory.Offset(target, "net_device", "name");
        var nameSize = (int)Math.Min(KernelMemory.MemberSize(target, "net_device", "name"), 256);
        var ipPtr = KernelMemory.Offset(target, "net_device", "ip_ptr");
        var devices = new List<NetDevice>();
        foreach (var dev in KernelMemory.ListEntries(target, head, "net_device", "dev_list", MaxDevices, "net_device list", problems))
        {
            try
            {
                var name = KernelMemory.ReadString(target, dev + nameOffset, nameSize);
                devices.Add(new NetDevice(dev, name, Ipv4Addresses(target, KernelMemory.ReadU64(target, dev + ipPtr), problems, name)));
            }
            catch (KdumpDebugException e)
            {
                problems.Add($"net_device {dev:x}: {e.Message}");
            }
        }
        return devices;
    }

    /// <summary>A task's network namespace: <c>task-&gt;nsproxy-&gt;net_ns</c> (0 for a task that has exited its namespaces).</summary>
    public static ulong TaskNetNamespace(KernelTarget target, ulong task) => Nsproxy.TaskNamespace(target, task, "net_ns");

    static List<string> Ipv4Addresses(KernelTarget target, ulong inDevice, ICollection<string> problems, string device)
    {
        var addresses = new List<string>();
        if (inDevice == 0) return addresses;
        var seen = new HashSet<ulong>();
        var ifa = KernelMemory.ReadU64(target, inDevice + KernelMemory.Offset(target, "in_device", "ifa_list"));
        var next = KernelMemory.Offset(target, "in_ifaddr", "ifa_next");
        var address = KernelMemory.Offset(target, "in_ifaddr", "ifa_address");
        while (ifa != 0)
        {
            if (!seen.Add(ifa) || addresses.Count >= MaxAddresses)
            {
                problems.Add($"{device}: the in_ifaddr list loops at {ifa:x}; stopped there");
                break;
            }
            addresses.Add(Inet.NtoA(KernelMemory.ReadU32(target, ifa + address)));
            ifa = KernelMemory.ReadU64(target, ifa + next);
        }
        return addresses;
    }
}
