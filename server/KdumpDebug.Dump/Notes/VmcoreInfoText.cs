using System.Globalization;
using System.Text;

namespace KdumpDebug.Dump.Notes;

/// <summary>
/// Helpers for the VMCOREINFO text (kernel/crash_core.c: <c>KEY=VALUE</c> lines, the note named
/// "VMCOREINFO" of type 0, or the offset_vmcoreinfo block of a kdump file).
/// </summary>
internal static class VmcoreInfoText
{
    public const string NoteName = "VMCOREINFO";

    /// <summary>Decodes the bytes as text, without the NUL padding the kernel and makedumpfile leave.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        var nul = bytes.IndexOf((byte)0);
        if (nul >= 0) bytes = bytes[..nul];
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>The text of the first VMCOREINFO note, or null.</summary>
    public static string? FromNotes(IReadOnlyList<ElfNote> notes)
    {
        foreach (var n in notes)
            if (n.Name == NoteName && n.Type == ElfNote.NtVmcoreInfo) return Decode(n.Descriptor);
        return null;
    }

    /// <summary>The value of <c>KEY=</c> in <paramref name="text"/>, or null.</summary>
    public static string? Get(string? text, string key)
    {
        if (text is null) return null;
        foreach (var line in text.AsSpan().EnumerateLines())
            if (line.Length > key.Length && line[key.Length] == '=' && line.StartsWith(key, StringComparison.Ordinal))
                return line[(key.Length + 1)..].ToString();
        return null;
    }

    /// <summary>PAGESIZE from the text when it is a power of two in [512, 64 KiB]; otherwise null.</summary>
    public static int? PageSize(string? text)
    {
        var v = Get(text, "PAGESIZE");
        if (v is null || !int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var size)) return null;
        return size >= 512 && size <= KdumpDebug.Core.DataLimits.MaxPageSize && (size & (size - 1)) == 0 ? size : null;
    }
}
