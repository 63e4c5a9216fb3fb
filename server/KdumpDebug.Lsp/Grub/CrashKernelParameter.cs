using System.Globalization;
using System.Text;

namespace KdumpDebug.Lsp.Grub;

/// <summary>
/// The value of the kernel's <c>crashkernel=</c> parameter, parsed by the rules of the kernel's
/// kernel/crash_core.c (parse_crashkernel) and Documentation/admin-guide/kdump/kdump.rst:
/// <c>size[@offset]</c>, <c>range1:size1[,range2:size2,...][@offset]</c> with a range
/// <c>start-[end]</c>, <c>size,high</c> and <c>size,low</c>. Sizes are memparse numbers
/// (<c>K M G T P E</c> suffixes, bytes without). <c>auto</c> was a RHEL/CentOS extension, never
/// upstream, and removed in RHEL 9.
/// </summary>
public sealed record CrashKernelParameter(
    string Text,
    string? Error,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<(ulong Start, ulong? End, ulong Size)> Ranges,
    ulong? Size,
    ulong? Offset,
    string? Placement,
    bool IsAuto)
{
    public static CrashKernelParameter Parse(string text)
    {
        var warnings = new List<string>();
        CrashKernelParameter Fail(string error) => new(text, error, warnings, [], null, null, null, false);
        if (text == "auto")
            return new(text, null, ["crashkernel=auto was removed (RHEL 9; it was never in the upstream kernel): no memory is reserved and kdump cannot start. Give a size, e.g. 1G-4G:192M,4G-64G:256M,64G-:512M, or run `kdumpctl reset-crashkernel`"],
                [], null, null, null, true);
        if (text.Length == 0) return Fail("crashkernel= needs a value: size[@offset], start-[end]:size,... or size,high|low");

        var body = text;
        string? placement = null;
        var comma = body.LastIndexOf(',');
        if (comma >= 0 && body[(comma + 1)..] is "high" or "low" or "cma")
        {
            placement = body[(comma + 1)..];
            body = body[..comma];
        }
        ulong? offset = null;
        var at = body.IndexOf('@');
        if (at >= 0)
        {
            if (!TryMemparse(body[(at + 1)..], out var o, out var unitless)) return Fail($"cannot read the offset '{body[(at + 1)..]}' (a size such as 16M)");
            if (unitless && o != 0) warnings.Add($"offset {o} has no unit: {o} bytes");
            if (placement is not null) return Fail($"an offset (@) cannot be combined with ,{placement}");
            offset = o;
            body = body[..at];
        }
        if (!body.Contains(':'))
        {
            if (!TryMemparse(body, out var size, out var unitless)) return Fail($"cannot read the size '{body}' (e.g. 256M, or ranges such as 1G-4G:192M,4G-:256M)");
            if (unitless && size != 0) warnings.Add($"size {size} has no unit: {size} bytes are reserved (write {size}M for MiB)");
            if (size == 0) warnings.Add("a size of 0 reserves nothing: kdump cannot start");
            return new(text, null, warnings, [], size, offset, placement, false);
        }
        if (placement is not null) return Fail($",{placement} takes a plain size, not ranges");
        var ranges = new List<(ulong, ulong?, ulong)>();
        foreach (var part in body.Split(','))
        {
            var colon = part.IndexOf(':');
            var dash = colon < 0 ? -1 : part.IndexOf('-');
            if (colon < 0 || dash < 0 || dash > colon) return Fail($"'{part}' is not start-[end]:size");
            if (!TryMemparse(part[..dash], out var start, out _)) return Fail($"cannot read the range start '{part[..dash]}'");
            ulong? end = null;
            if (dash + 1 < colon)
            {
                if (!TryMemparse(part[(dash + 1)..colon], out var e, out _)) return Fail($"cannot read the range end '{part[(dash + 1)..colon]}'");
                if (e <= start) return Fail($"the range {part[..colon]} ends before it starts");
                end = e;
            }
            if (!TryMemparse(part[(colon + 1)..], out var size, out var unitless)) return Fail($"cannot read the size '{part[(colon + 1)..]}'");
            if (unitless && size != 0) warnings.Add($"size {size} in {part} has no unit: {size} bytes");
            if (ranges.Count > 0 && ranges[^1].Item2 is { } previousEnd && start < previousEnd)
                warnings.Add($"the range {part[..colon]} overlaps the one before it (the kernel takes the first range that holds the RAM size)");
            if (ranges.Count > 0 && ranges[^1].Item2 is null)
                warnings.Add($"the range {part[..colon]} follows an open-ended range and is never used");
            ranges.Add((start, end, size));
        }
        return new(text, null, warnings, ranges, null, offset, placement, false);
    }

    /// <summary>The kernel's memparse(): a decimal (or 0x hex) number with an optional K/M/G/T/P/E suffix.</summary>
    public static bool TryMemparse(string text, out ulong value, out bool unitless)
    {
        value = 0;
        unitless = true;
        if (text.Length == 0) return false;
        var shift = char.ToUpperInvariant(text[^1]) switch { 'K' => 10, 'M' => 20, 'G' => 30, 'T' => 40, 'P' => 50, 'E' => 60, _ => 0 };
        var digits = shift == 0 ? text : text[..^1];
        unitless = shift == 0;
        var ok = digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(digits.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
            : ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        if (!ok || (shift > 0 && value > ulong.MaxValue >> shift)) return false;
        value <<= shift;
        return true;
    }

    /// <summary>A size the way people write it: 192 MiB, 4 GiB, 1536 bytes.</summary>
    public static string FormatSize(ulong bytes)
    {
        foreach (var (shift, unit) in new[] { (60, "EiB"), (50, "PiB"), (40, "TiB"), (30, "GiB"), (20, "MiB"), (10, "KiB") })
            if (bytes >= 1UL << shift && bytes % (1UL << shift) == 0) return $"{bytes >> shift} {unit}";
        return $"{bytes} bytes";
    }

    /// <summary>Markdown saying what the value reserves.</summary>
    public string Describe()
    {
        if (IsAuto) return "`crashkernel=auto`: " + Warnings[0] + ".";
        if (Error is not null) return $"`crashkernel={Text}`: {Error}.";
        var sb = new StringBuilder($"`crashkernel={Text}`: memory reserved at boot for the kdump (capture) kernel");
        if (Ranges.Count > 0)
        {
            sb.Append(", chosen by the size of system RAM:\n\n| System RAM | Reserved |\n| --- | --- |\n");
            foreach (var (start, end, size) in Ranges)
                sb.Append($"| {FormatSize(start)} – {(end is { } e ? "below " + FormatSize(e) : "and more")} | {FormatSize(size)} |\n");
            sb.Append("\nWith less RAM than the first range, nothing is reserved.");
        }
        else
        {
            sb.Append($": {FormatSize(Size ?? 0)}");
            sb.Append(Placement switch
            {
                "high" => ", above 4 GiB if possible (add crashkernel=N,low for the DMA memory below 4 GiB; 256 MiB by default on x86-64)",
                "low" => ", the part below 4 GiB that goes with a crashkernel=N,high reservation",
                "cma" => ", taken from CMA (usable by the running kernel until a crash)",
                _ => "",
            });
            sb.Append('.');
        }
        if (Offset is { } o) sb.Append($" At physical address {FormatSize(o)} (0x{o:x}); 0 or no @ lets the kernel choose.");
        return sb.ToString();
    }
}
