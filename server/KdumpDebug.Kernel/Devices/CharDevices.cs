using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel.Devices;

/// <summary>
/// A registered character device range (<c>struct char_device_struct</c>): major, name, the
/// <c>struct cdev</c> (0 when none is known) and its <c>file_operations</c> (0 when none).
/// </summary>
public sealed record CharDevice(int Major, int BaseMinor, string Name, ulong Cdev, ulong Fops);

/// <summary>
/// The character device table, crash's <c>dev</c> order (dev.c dump_chrdevs): each of the
/// <c>chrdevs[CHRDEV_MAJOR_HASH_SIZE]</c> hash chains (fs/char_dev.c) in index order, each entry
/// then its <c>next</c> chain. The cdev is <c>cd-&gt;cdev</c> (set by __register_chrdev); when it is
/// NULL the device was added with cdev_add, and its cdev is found in <c>cdev_map-&gt;probes[major]</c>
/// (drivers/base/map.c struct kobj_map) by major and base minor, as crash does. Cost: a few reads
/// per device. A broken entry or chain is one line in <c>problems</c>.
/// </summary>
public static class CharDevices
{
    const int MaxChain = 1 << 12;
    const int MinorBits = 20;

    public static IReadOnlyList<CharDevice> Read(KernelTarget target, ICollection<string> problems)
    {
        var chrdevs = target.Objects.Variable("chrdevs");
        var count = (int)Math.Min(chrdevs.UnderlyingType.Count ?? 255, 4096);
        var table = chrdevs.Address!.Value;
        var next = KernelMemory.Offset(target, "char_device_struct", "next");
        var major = KernelMemory.Offset(target, "char_device_struct", "major");
        var baseMinor = KernelMemory.Offset(target, "char_device_struct", "baseminor");
        var name = KernelMemory.Offset(target, "char_device_struct", "name");
        var nameSize = (int)Math.Min(KernelMemory.MemberSize(target, "char_device_struct", "name"), 256);
        var hasCdev = KernelMemory.TryOffset(target, "char_device_struct", "cdev", out var cdevOffset);
        var ops = KernelMemory.Offset(target, "cdev", "ops");
        var devices = new List<CharDevice>();
        for (var i = 0; i < count; i++)
        {
            var seen = new HashSet<ulong>();
            ulong cd;
            try
            {
                cd = KernelMemory.ReadU64(target, table + (ulong)i * 8);
            }
            catch (KdumpDebugException e)
            {
                problems.Add($"chrdevs[{i}]: {e.Message}");
                continue;
            }
            while (cd != 0)
            {
                if (!seen.Add(cd) || seen.Count > MaxChain)
                {
                    problems.Add($"chrdevs[{i}]: the chain loops at {cd:x}; stopped there");
                    break;
                }
                try
                {
                    var m = (int)KernelMemory.ReadU32(target, cd + major);
                    var minor = (int)KernelMemory.ReadU32(target, cd + baseMinor);
                    var cdev = hasCdev ? KernelMemory.ReadU64(target, cd + cdevOffset) : 0;
                    ulong fops = 0;
                    if (cdev != 0) fops = KernelMemory.ReadU64(target, cdev + ops);
                    if (fops == 0) (cdev, fops) = SearchCdevMap(target, m, minor, ops, cdev);
                    devices.Add(new CharDevice(m, minor, KernelMemory.ReadString(target, cd + name, nameSize), cdev, fops));
                    cd = KernelMemory.ReadU64(target, cd + next);
                }
                catch (KdumpDebugException e)
                {
                    problems.Add($"char_device_struct {cd:x}: {e.Message}");
                    break;
                }
            }
        }
        return devices;
    }

    /// <summary>
    /// crash's search_cdev_map_probes: the <c>struct probe</c> chain of <c>cdev_map-&gt;probes[major % 255]</c>
    /// whose <c>dev</c> has this major and minor; its <c>data</c> is the cdev. Unreadable entries end the search.
    /// </summary>
    static (ulong Cdev, ulong Fops) SearchCdevMap(KernelTarget target, int major, int minor, ulong opsOffset, ulong cdev)
    {
        if (KernelMemory.SymbolAddress(target, "cdev_map") is not { } mapVariable) return (cdev, 0);
        try
        {
            var map = KernelMemory.ReadU64(target, mapVariable);
            if (map == 0) return (cdev, 0);
            var probes = KernelMemory.Offset(target, "kobj_map", "probes");
            var next = KernelMemory.Offset(target, "probe", "next");
            var dev = KernelMemory.Offset(target, "probe", "dev");
            var data = KernelMemory.Offset(target, "probe", "data");
            var probe = KernelMemory.ReadU64(target, map + probes + (ulong)(major % 255) * 8);
            var seen = new HashSet<ulong>();
            while (probe != 0 && seen.Add(probe) && seen.Count <= MaxChain)
            {
                var d = KernelMemory.ReadU32(target, probe + dev);
                if ((int)(d >> MinorBits) == major && (int)(d & ((1u << MinorBits) - 1)) == minor)
                {
                    var probeData = KernelMemory.ReadU64(target, probe + data);
                    return probeData == 0 ? (cdev, 0) : (probeData, KernelMemory.ReadU64(target, probeData + opsOffset));
                }
                probe = KernelMemory.ReadU64(target, probe + next);
            }
        }
        catch (KdumpDebugException)
        {
            // crash reads the probes QUIET|RETURN_ON_ERROR: no cdev found.
        }
        return (cdev, 0);
    }
}
