using System.Buffers.Binary;
using System.Globalization;

namespace KdumpDebug.Kernel.Net;

/// <summary>Address and port formatting for values the kernel keeps in network byte order (<c>__be32</c>, <c>__be16</c>).</summary>
public static class Inet
{
    /// <summary>inet_ntoa(3): a <c>__be32</c> read as a little-endian integer, printed byte by byte in memory order.</summary>
    public static string NtoA(uint beAddress) =>
        string.Create(CultureInfo.InvariantCulture, $"{beAddress & 0xff}.{(beAddress >> 8) & 0xff}.{(beAddress >> 16) & 0xff}.{beAddress >> 24}");

    /// <summary>ntohs(3) of a <c>__be16</c> read as a little-endian integer.</summary>
    public static ushort NtoHs(ushort bePort) => BinaryPrimitives.ReverseEndianness(bePort);

    /// <summary>An IPv6 address as crash prints it (eight groups of <c>%x</c>, no compression).</summary>
    public static string Ipv6(ReadOnlySpan<byte> address16)
    {
        var groups = new string[8];
        for (var i = 0; i < 8; i++) groups[i] = BinaryPrimitives.ReadUInt16BigEndian(address16[(i * 2)..]).ToString("x", CultureInfo.InvariantCulture);
        return string.Join(":", groups);
    }
}
