using KdumpDebug.Target;

namespace KdumpDebug.Kernel.Fs;

/// <summary>
/// crash's four-letter file type of an inode (filesys.c inode_type) from <c>i_mode</c>'s S_IFMT
/// bits: REG, DIR, LNK, CHR, BLK, FIFO, SOCK, and UNKN for none (anon inodes have no type bits).
/// A FIFO whose <c>i_op</c> is <c>pipe_inode_operations</c> (or <c>i_fop</c> is
/// <c>rdwr_pipe_fops</c>, both gone before v6.1) is crash's PIPE.
/// </summary>
public static class InodeType
{
    // include/uapi/linux/stat.h
    const uint SIfmt = 0xf000, SIfsock = 0xc000, SIflnk = 0xa000, SIfreg = 0x8000, SIfblk = 0x6000,
        SIfdir = 0x4000, SIfchr = 0x2000, SIfifo = 0x1000;

    /// <summary>The type of <paramref name="inode"/>, padded to four characters as crash prints it.</summary>
    public static string Of(KernelTarget target, ulong inode)
    {
        var mode = (uint)KernelMemory.ReadMember(target, inode, "inode", "i_mode");
        var type = FromMode(mode);
        if (type == "FIFO" && IsOldPipe(target, inode)) type = "PIPE";
        return type;
    }

    /// <summary>The type for an <c>i_mode</c> value (FIFO is not told from PIPE here).</summary>
    public static string FromMode(uint mode) => (mode & SIfmt) switch
    {
        SIfreg => "REG ",
        SIflnk => "LNK ",
        SIfdir => "DIR ",
        SIfchr => "CHR ",
        SIfblk => "BLK ",
        SIfifo => "FIFO",
        SIfsock => "SOCK",
        _ => "UNKN",
    };

    static bool IsOldPipe(KernelTarget target, ulong inode)
    {
        if (target.TryLookupSymbol("pipe_inode_operations", out var iop))
            return KernelMemory.ReadU64(target, inode + KernelMemory.Offset(target, "inode", "i_op")) == iop.Address;
        if (target.TryLookupSymbol("rdwr_pipe_fops", out var fop))
            return KernelMemory.ReadU64(target, inode + KernelMemory.Offset(target, "inode", "i_fop")) == fop.Address;
        return false;
    }
}
