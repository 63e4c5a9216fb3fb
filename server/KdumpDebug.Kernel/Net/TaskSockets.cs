using KdumpDebug.Core.Errors;
using KdumpDebug.Kernel.Fs;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel.Net;

/// <summary>
/// One socket a task has open: the fd, <c>struct socket</c> and <c>struct sock</c> addresses, the
/// address family and socket type numbers (<c>AF_*</c>, <c>SOCK_*</c>), <c>sk_state</c> and its name
/// (<c>TCP_LISTEN</c>... from the kernel's own enum), and the endpoints: for AF_INET the local and
/// remote IPv4 address and port; for AF_INET6 the IPv6 ones; for AF_UNIX the bound path
/// (<c>@name</c> for an abstract one) and the peer's <c>struct sock</c>.
/// </summary>
public sealed record SocketInfo(
    int Fd,
    ulong Socket,
    ulong Sock,
    int Family,
    int Type,
    int State,
    string? StateName,
    string? LocalAddress,
    int LocalPort,
    string? RemoteAddress,
    int RemotePort,
    string? UnixPath,
    ulong UnixPeer);

/// <summary>
/// The sockets among a task's open files (crash's <c>net -s</c>, net.c sym_socket_dump): a file
/// whose inode is a socket (<c>S_ISSOCK(inode-&gt;i_mode)</c>) is the <c>vfs_inode</c> of a
/// <c>struct socket_alloc</c> (net/socket.c), whose <c>socket.sk</c> is the <c>struct sock</c>.
/// INET endpoints come from <c>sock_common</c> (<c>skc_rcv_saddr</c>, <c>skc_daddr</c>,
/// <c>skc_dport</c>) and <c>inet_sock.inet_sport</c>; INET6 from <c>skc_v6_rcv_saddr</c>/<c>skc_v6_daddr</c>;
/// UNIX from <c>unix_sock.addr</c> and <c>unix_sock.peer</c>. All member offsets come from DWARF.
/// Cost: a handful of reads per open file. A socket that cannot be read is one line in <c>problems</c>.
/// </summary>
public static class TaskSockets
{
    /// <summary>S_IFMT and S_IFSOCK (include/uapi/linux/stat.h).</summary>
    const int SIfMt = 0xf000, SIfSock = 0xc000;

    /// <summary>AF_UNIX, AF_INET, AF_INET6 (include/linux/socket.h).</summary>
    public const int AfUnix = 1, AfInet = 2, AfInet6 = 10;

    public static IReadOnlyList<SocketInfo> ForTask(KernelTarget target, ulong task, ICollection<string> problems)
    {
        var result = new List<SocketInfo>();
        var files = KernelMemory.ReadU64(target, task + KernelMemory.Offset(target, "task_struct", "files"));
        foreach (var (fd, file, error) in FdTable.ForEachOpenFd(target, files))
        {
            if (error is not null)
            {
                problems.Add($"fd {fd}: {error}");
                continue;
            }
            try
            {
                if (Read(target, fd, file) is { } socket) result.Add(socket);
            }
            catch (KdumpDebugException e)
            {
                problems.Add($"fd {fd} (file {file:x}): {e.Message}");
            }
        }
        return result;
    }

    /// <summary>The socket behind an open file, or null when the file is not a socket.</summary>
    public static SocketInfo? Read(KernelTarget target, int fd, ulong file)
    {
        var inode = FileInode(target, file);
        if (inode == 0) return null;
        var mode = KernelMemory.ReadU16(target, inode + KernelMemory.Offset(target, "inode", "i_mode"));
        if ((mode & SIfMt) != SIfSock) return null;
        var socket = inode - KernelMemory.Offset(target, "socket_alloc", "vfs_inode");
        var sk = KernelMemory.ReadU64(target, socket + KernelMemory.Offset(target, "socket", "sk"));
        if (sk == 0) return new SocketInfo(fd, socket, 0, 0, 0, 0, null, null, 0, null, 0, null, 0);

        var family = KernelMemory.ReadU16(target, sk + KernelMemory.Offset(target, "sock", "__sk_common.skc_family"));
        var type = KernelMemory.ReadU16(target, sk + KernelMemory.Offset(target, "sock", "sk_type"));
        var state = KernelMemory.ReadU8(target, sk + KernelMemory.Offset(target, "sock", "__sk_common.skc_state"));
        string? local = null, remote = null, path = null;
        int localPort = 0, remotePort = 0;
        ulong peer = 0;
        switch (family)
        {
            case AfInet:
                local = Inet.NtoA(KernelMemory.ReadU32(target, sk + KernelMemory.Offset(target, "sock", "__sk_common.skc_rcv_saddr")));
                remote = Inet.NtoA(KernelMemory.ReadU32(target, sk + KernelMemory.Offset(target, "sock", "__sk_common.skc_daddr")));
                localPort = Inet.NtoHs(KernelMemory.ReadU16(target, sk + KernelMemory.Offset(target, "inet_sock", "inet_sport")));
                remotePort = Inet.NtoHs(KernelMemory.ReadU16(target, sk + KernelMemory.Offset(target, "sock", "__sk_common.skc_dport")));
                break;
            case AfInet6 when KernelMemory.TryOffset(target, "sock", "__sk_common.skc_v6_rcv_saddr", out var v6Local):
                local = Inet.Ipv6(KernelMemory.ReadBytes(target, sk + v6Local, 16));
                remote = Inet.Ipv6(KernelMemory.ReadBytes(target, sk + KernelMemory.Offset(target, "sock", "__sk_common.skc_v6_daddr"), 16));
                localPort = Inet.NtoHs(KernelMemory.ReadU16(target, sk + KernelMemory.Offset(target, "inet_sock", "inet_sport")));
                remotePort = Inet.NtoHs(KernelMemory.ReadU16(target, sk + KernelMemory.Offset(target, "sock", "__sk_common.skc_dport")));
                break;
            case AfUnix:
                (path, peer) = UnixEndpoint(target, sk);
                break;
        }
        return new SocketInfo(fd, socket, sk, family, type, state, StateName(target, family, state), local, localPort, remote, remotePort, path, peer);
    }

    /// <summary>
    /// <c>file_inode(file)</c>: <c>file-&gt;f_inode</c> since v3.9 (commit dd37978c50bc "cache the
    /// value of file_inode() in struct file"), before that <c>file-&gt;f_path.dentry-&gt;d_inode</c>.
    /// </summary>
    static ulong FileInode(KernelTarget target, ulong file)
    {
        if (KernelMemory.TryOffset(target, "file", "f_inode", out var fInode)) return KernelMemory.ReadU64(target, file + fInode);
        var dentry = KernelMemory.ReadU64(target, file + KernelMemory.Offset(target, "file", "f_path.dentry"));
        return dentry == 0 ? 0 : KernelMemory.ReadU64(target, dentry + KernelMemory.Offset(target, "dentry", "d_inode"));
    }

    /// <summary>
    /// A unix socket's bound name and peer: <c>unix_sk(sk)-&gt;addr</c> (struct unix_address: <c>len</c>
    /// and a <c>struct sockaddr_un name[]</c> whose <c>sun_path</c> follows the 2-byte family; a
    /// leading NUL marks an abstract name, shown as <c>@</c> like ss(8)) and <c>unix_sk(sk)-&gt;peer</c>.
    /// </summary>
    static (string? Path, ulong Peer) UnixEndpoint(KernelTarget target, ulong sk)
    {
        var peer = KernelMemory.TryOffset(target, "unix_sock", "peer", out var peerOffset) ? KernelMemory.ReadU64(target, sk + peerOffset) : 0;
        var addr = KernelMemory.ReadU64(target, sk + KernelMemory.Offset(target, "unix_sock", "addr"));
        if (addr == 0) return (null, peer);
        var len = (int)KernelMemory.ReadU32(target, addr + KernelMemory.Offset(target, "unix_address", "len"));
        var nameOffset = KernelMemory.Offset(target, "unix_address", "name");
        const int sunFamilySize = 2, maxSunPath = 108;
        var pathLength = Math.Clamp(len - sunFamilySize, 0, maxSunPath);
        if (pathLength == 0) return (null, peer);
        var bytes = KernelMemory.ReadBytes(target, addr + nameOffset + sunFamilySize, pathLength);
        if (bytes[0] == 0) return ("@" + System.Text.Encoding.UTF8.GetString(bytes, 1, bytes.Length - 1).TrimEnd('\0'), peer);
        return (KernelMemory.DecodeCString(bytes), peer);
    }

    /// <summary>
    /// The name of <c>sk_state</c> for INET, INET6 and UNIX sockets, which all use the TCP state
    /// numbers (include/net/tcp_states.h: unix sockets are TCP_LISTEN, TCP_ESTABLISHED or
    /// TCP_CLOSE), from the kernel's anonymous enum of <c>TCP_*</c> enumerators; null for other families.
    /// </summary>
    static string? StateName(KernelTarget target, int family, int state)
    {
        if (family is not (AfInet or AfInet6 or AfUnix)) return null;
        if (!target.Objects.Types.TryFindEnumerator("TCP_ESTABLISHED", out var enumType, out _)) return null;
        foreach (var e in enumType.Enumerators)
            if (e.Value == state && e.Name.StartsWith("TCP_", StringComparison.Ordinal) && e.Name != "TCP_MAX_STATES")
                return e.Name["TCP_".Length..];
        return null;
    }

    /// <summary>crash's family label (net.c get_sock_info): "UNIX", "INET", "NETLINK/ROUTE"... or the number.</summary>
    public static string FamilyName(int family) => family switch
    {
        0 => "UNSPEC",
        1 => "UNIX",
        2 => "INET",
        3 => "AX25",
        4 => "IPX",
        5 => "APPLETALK",
        6 => "NETROM",
        7 => "BRIDGE",
        8 => "ATMPVC",
        9 => "X25",
        10 => "INET6",
        11 => "ROSE",
        12 => "DECnet",
        13 => "NETBEUI",
        14 => "SECURITY/KEY",
        16 => "NETLINK/ROUTE",
        17 => "PACKET",
        18 => "ASH",
        19 => "ECONET",
        20 => "ATMSVC",
        22 => "SNA",
        23 => "IRDA",
        24 => "PPPOX",
        _ => family.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>crash's socket type label: "STREAM", "DGRAM " (with crash's trailing space), "RAW"... or the number.</summary>
    public static string TypeName(int type) => type switch
    {
        1 => "STREAM",
        2 => "DGRAM ",
        3 => "RAW",
        4 => "RDM",
        5 => "SEQPACKET",
        10 => "PACKET",
        _ => type.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
