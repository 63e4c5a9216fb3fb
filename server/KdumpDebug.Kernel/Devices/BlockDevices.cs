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
        var r = new KernelReader(target);
        var majorNames = target.Objects.Variable("major_names");
        var count = (int)Math.Min(majorNames.UnderlyingType.Count ?? 255, 4096);
        var table = majorNames.Address!.Value;
        var majorOffset = r.Offset("blk_major_name", "major");
        var nameOffset = r.Offset("blk_major_name", "name");
        var nameSize = (int)Math.Min(r.MemberSize("blk_major_name", "name"), 256);
        var disks = Disks(r, problems);
        var usesBdevMap = r.SymbolAddress("blockdev_superblock") is null && r.SymbolAddress("bdev_map") is not null;
        var devices = new List<BlockDevice>();
        for (var i = 0; i < count; i++)
        {
            try
            {
                var entry = r.U64(table + (ulong)i * 8);
                if (entry == 0) continue;
                var major = (int)r.U32(entry + majorOffset);
                var name = r.FixedString(entry + nameOffset, nameSize);
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
    static Func<int, (ulong, ulong)> Disks(KernelReader r, ICollection<string> problems)
    {
        var fopsOffset = r.Offset("gendisk", "fops");
        var majorOffset = r.Offset("gendisk", "major");
        var list = new List<ulong>();
        if (r.SymbolAddress("blockdev_superblock") is { } sbVariable)
        {
            try
            {
                var sb = r.U64(sbVariable);
                var head = sb + r.Offset("super_block", "s_inodes");
                // struct bdev_inode { struct block_device bdev; struct inode vfs_inode; } (block/bdev.c).
                var inodeInBdev = r.TryOffset("bdev_inode", "vfs_inode", out var o) ? o : r.SizeOf("block_device");
                var bdDisk = r.Offset("block_device", "bd_disk");
                foreach (var inode in r.ListEntries(head, "inode", "i_sb_list", MaxInodes, "blockdev_superblock inodes", problems))
                {
                    try
                    {
                        var disk = r.U64(inode - inodeInBdev + bdDisk);
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
        else if (r.SymbolAddress("bdev_map") is { } mapVariable)
        {
            return major => BdevMapProbe(r, mapVariable, major, fopsOffset, majorOffset);
        }
        return major =>
        {
            foreach (var disk in list)
            {
                try
                {
                    if ((int)r.U32(disk + majorOffset) != major) continue;
                    var fops = r.U64(disk + fopsOffset);
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
    static (ulong, ulong) BdevMapProbe(KernelReader r, ulong mapVariable, int major, ulong fopsOffset, ulong majorOffset)
    {
        try
        {
            var map = r.U64(mapVariable);
            var probe = r.U64(map + r.Offset("kobj_map", "probes") + (ulong)(major % 255) * 8);
            var seen = new HashSet<ulong>();
            while (probe != 0 && seen.Add(probe) && seen.Count <= MaxChain)
            {
                var data = r.U64(probe + r.Offset("probe", "data"));
                var dev = r.U32(probe + r.Offset("probe", "dev"));
                if (data != 0 && (int)(dev >> MinorBits) == major)
                {
                    var fops = r.U64(data + fopsOffset);
                    if (fops != 0) return (data, fops);
                }
                probe = r.U64(probe + r.Offset("probe", "next"));
            }
        }
        catch (KdumpDebugException)
        {
        }
        return (0, 0);
    }
}
