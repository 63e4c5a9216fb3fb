using System.Text;

namespace KdumpDebug.Target;

/// <summary>
/// The kernel's <c>struct new_utsname</c> (include/uapi/linux/utsname.h: six char[65] fields, a
/// fixed user-space ABI), read from <c>init_uts_ns</c> at the member offset the kernel itself
/// recorded in VMCOREINFO (<c>OFFSET(uts_namespace.name)</c>).
/// </summary>
public sealed record UtsName(string SysName, string NodeName, string Release, string Version, string Machine, string DomainName)
{
    /// <summary>__NEW_UTS_LEN + 1.</summary>
    public const int FieldLength = 65;

    public static UtsName Parse(ReadOnlySpan<byte> bytes)
    {
        var fields = new string[6];
        for (var i = 0; i < fields.Length; i++)
        {
            var f = bytes.Slice(i * FieldLength, FieldLength);
            var end = f.IndexOf((byte)0);
            fields[i] = Encoding.UTF8.GetString(end < 0 ? f : f[..end]);
        }
        return new UtsName(fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]);
    }
}
