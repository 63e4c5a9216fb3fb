using System.Globalization;

namespace KdumpDebug.Target;

/// <summary>
/// The VMCOREINFO note: KEY=VALUE lines the crashed kernel wrote about itself
/// (kernel/crash_core.c, arch/x86/kernel/crash_core_64.c). SYMBOL() values are run-time
/// (relocated) addresses; NUMBER() values are decimal; KERNELOFFSET is hex. Immutable, thread-safe.
/// </summary>
public sealed class VmcoreInfo
{
    readonly Dictionary<string, string> _values;

    VmcoreInfo(Dictionary<string, string> values) => _values = values;

    /// <summary>An empty set, for dumps that carry no VMCOREINFO.</summary>
    public static readonly VmcoreInfo Empty = new(new Dictionary<string, string>());

    /// <summary>Parses the note text; malformed lines are ignored (the kernel never writes them).</summary>
    public static VmcoreInfo Parse(string? text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (text is null) return new VmcoreInfo(values);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r', '\0');
            var eq = line.IndexOf('=');
            if (eq <= 0) continue;
            values[line[..eq]] = line[(eq + 1)..];
        }
        return new VmcoreInfo(values);
    }

    public IReadOnlyDictionary<string, string> Values => _values;

    public string? Get(string key) => _values.TryGetValue(key, out var v) ? v : null;

    /// <summary>OSRELEASE: the crashed kernel's `uname -r`.</summary>
    public string? OsRelease => Get("OSRELEASE");

    /// <summary>BUILD-ID: the crashed vmlinux's GNU build-id, lower-case hex (since Linux 5.9).</summary>
    public string? BuildId => Get("BUILD-ID")?.Trim().ToLowerInvariant();

    /// <summary>KERNELOFFSET: the KASLR slide of the kernel image (hex), 0 when absent.</summary>
    public ulong KernelOffset => TryHex(Get("KERNELOFFSET"), out var v) ? v : 0;

    public int? PageSize => int.TryParse(Get("PAGESIZE"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;

    /// <summary>CRASHTIME: seconds since the epoch when the kernel crashed.</summary>
    public DateTimeOffset? CrashTime =>
        long.TryParse(Get("CRASHTIME"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s)
            ? DateTimeOffset.FromUnixTimeSeconds(s) : null;

    /// <summary>SYMBOL(name): a run-time address.</summary>
    public bool TryGetSymbol(string name, out ulong address) => TryHex(Get($"SYMBOL({name})"), out address);

    /// <summary>NUMBER(name): a signed decimal.</summary>
    public bool TryGetNumber(string name, out long value) =>
        long.TryParse(Get($"NUMBER({name})"), NumberStyles.Integer, CultureInfo.InvariantCulture, out value);

    /// <summary>OFFSET(type.member): a member offset the kernel recorded about itself.</summary>
    public bool TryGetOffset(string typeDotMember, out long value) =>
        long.TryParse(Get($"OFFSET({typeDotMember})"), NumberStyles.Integer, CultureInfo.InvariantCulture, out value);

    static bool TryHex(string? text, out ulong value)
    {
        value = 0;
        return text is not null && ulong.TryParse(text.Trim(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }
}
