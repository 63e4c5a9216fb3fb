using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel.Devices;

/// <summary>A registered block major (<c>struct blk_major_name</c>) and a disk of that major with its <c>block_device_operations</c> (0, 0 when none).</summary>
public sealed record BlockDevice(int Major, string Name, ulong Gendisk, ulong Fops);

/// <summary>
/// The block majors, crash's <c>dev</c> order (dev.c dump_blkdevs_v3): the first entry of each of
/// the <c>major_names[BLKDEV_MAJOR_HASH_SIZE]</c> hash chains (block/genhd.c) in index order. Its
/// disk is the first whose major matches among the block device inodes: since v5.11 the inodes on
/// <c>blockdev_superblock-&gt;s_inodes</c> (each the <c>vfs_inode</c> of a <c>struct bdev_inode</c>
/// whose <c>bdev.bd_disk</c> is the gendisk); before, the probes of <c>bdev_map</c>.
/// Cost: one pass over the block device inodes per major. Broken lists are lines in <c>problems</c>.
/// </summary>
public static class BlockDevices
{
    const int MaxInodes = 1 << 20;
    const int MaxChain = 1 << 12;
    const int MinorBits = 20;

    public static IReadOnlyList<BlockDevice> Read(KernelTarget target, ICollection<string> problems)
    {
        var majorNames = target.Objects.Variable("major_names");
        var count = (int)Math.Min(majorNames.UnderlyingType.Count ?? 255, 4096);
        var table = majorNames.Address!.Value;
        var majorOffset = KernelMemory.Offset(target, "blk_major_name", "major");
        var nameOffset = KernelMemory.Offset(target, "blk_major_name", "name");
        var nameSize = (int)Math.Min(KernelMemory.MemberSize(target, "blk_major_name", "name"), 256);
        var disks = Disks(target, problems);
        var usesBdevMap = KernelMemory.SymbolAddress(target, "blockdev_superblock") is null && KernelMemory.SymbolAddress(target, "bdev_map") is not null;
        var devices = new List<BlockDevice>();
        for (var i = 0; i < count; i++)
        {
            try
            {
                var entry = KernelMemory.ReadU64(target, table + (ulong)i * 8);
                if (entry == 0) continue;
                var major = (int)KernelMemory.ReadU32(target, entry + majorOffset);
                var name = KernelMemory.ReadString(target, entry + nameOffset, nameSize);
                // With bdev_map crash looks the disk up by the hash index (search_bdev_map_probes(major == i ? major : i)).
                var (gendisk, fops) = disks(usesBdevMap ? i : major);
                devices.Add(new BlockDevice(major, name, gendisk, fops));
            }
            catch (KdumpDebugException e)
            {
                problems.Add($"major_names[{i}]: {e.Message}");
            }
        }
        return devices;
    }

    /// <summary>A lookup from a major to (gendisk, fops) of its first disk with operations.</summary>
    static Func<int, (ulong, ulong)> Disks(KernelTarget target, ICollection<string> problems)
    {
        var fopsOffset = KernelMemory.Offset(target, "gendisk", "fops");
        var majorOffset = KernelMemory.Offset(target, "gendisk", "major");
        var list = new List<ulong>();
        if (KernelMemory.SymbolAddress(target, "blockdev_superblock") is { } sbVariable)
        {
            try
            {
                var sb = KernelMemory.ReadU64(target, sbVariable);
                var head = sb + KernelMemory.Offset(target, "super_block", "s_inodes");
                // struct bdev_inode { struct block_device bdev; struct inode vfs_inode; } (block/bdev.c).
                var inodeInBdev = KernelMemory.TryOffset(target, "bdev_inode", "vfs_inode", out var o) ? o : KernelMemory.SizeOf(target, "block_device");
                var bdDisk = KernelMemory.Offset(target, "block_device", "bd_disk");
                foreach (var inode in KernelMemory.ListEntries(target, head, "inode", "i_sb_list", MaxInodes, "blockdev_superblock inodes", problems))
                {
                    try
                    {
                        var disk = KernelMemory.ReadU64(target, inode - inodeInBdev + bdDisk);
                        if (disk != 0) list.Add(disk);
                    }
                    catch (KdumpDebugException)
                    {
                        // crash skips an unreadable inode (QUIET|RETURN_ON_ERROR).
                    }
                }
            }
            catch (KdumpDebugException e)
            {
                problems.Add($"blockdev_superblock: {e.Message}");
            }
        }
        else if (KernelMemory.SymbolAddress(target, "bdev_map") is { } mapVariable)
        {
            return major => BdevMapProbe(target, mapVariable, major, fopsOffset, majorOffset);
        }
        return major =>
        {
            foreach (var disk in list)
            {
                try
                {
                    if ((int)KernelMemory.ReadU32(target, disk + majorOffset) != major) continue;
                    var fops = KernelMemory.ReadU64(target, disk + fopsOffset);
                    if (fops != 0) return (disk, fops);
                }
                catch (KdumpDebugException)
                {
                }
            }
            return (0, 0);
        };
    }

    /// <summary>crash's search_bdev_map_probes (kernels before v5.11): the probes of <c>bdev_map-&gt;probes[major]</c> whose data is a gendisk with operations.</summary>
    static (ulong, ulong) BdevMapProbe(KernelTarget target, ulong mapVariable, int major, ulong fopsOffset, ulong majorOffset)
    {
        try
        {
            var map = KernelMemory.ReadU64(target, mapVariable);
            var probe = KernelMemory.ReadU64(target, map + KernelMemory.Offset(target, "kobj_map", "probes") + (ulong)(major % 255) * 8);
            var seen = new HashSet<ulong>();
            while (probe != 0 && seen.Add(probe) && seen.Count <= MaxChain)
            {
                var data = KernelMemory.ReadU64(target, probe + KernelMemory.Offset(target, "probe", "data"));
                var dev = KernelMemory.ReadU32(target, probe + KernelMemory.Offset(target, "probe", "dev"));
                if (data != 0 && (int)(dev >> MinorBits) == major)
                {
                    var fops = KernelMemory.ReadU64(target, data + fopsOffset);
                    if (fops != 0) return (data, fops);
                }
                probe = KernelMemory.ReadU64(target, probe + KernelMemory.Offset(target, "probe", "next"));
            }
        }
        catch (KdumpDebugException)
        {
        }
        return (0, 0);
    }
}
