using System.Text.Json;

namespace KdumpDebug.Lsp;

/// <summary>
/// The client's <c>kdumpDebug.*</c> settings the server uses: the dump (<c>vmcore</c>) and its
/// <c>vmlinux</c> for crash-script symbols and C hovers, and where DWARF source paths live
/// locally (<c>sourceFileMap</c>: DWARF path prefix -> local folder, as in the DAP launch
/// arguments; <c>kernelSource</c>: the local tree that relative DWARF paths such as
/// <c>./include/linux/sched.h</c> are under).
/// </summary>
public sealed record LspSettings(
    string? Vmcore = null,
    string? Vmlinux = null,
    IReadOnlyDictionary<string, string>? SourceFileMap = null,
    string? KernelSource = null)
{
    /// <summary>
    /// Reads the settings from <c>initializationOptions</c> or <c>workspace/didChangeConfiguration</c>
    /// <c>settings</c>: a <c>kdumpDebug</c> object, the same keys at the top level, or flat
    /// <c>"kdumpDebug.vmcore"</c> keys. Anything else (wrong types, no object) yields no change:
    /// <paramref name="current"/> is returned with only the keys present replaced.
    /// </summary>
    public static LspSettings From(JsonElement? element, LspSettings current)
    {
        if (element is not { ValueKind: JsonValueKind.Object } root) return current;
        var section = root.TryGetProperty("kdumpDebug", out var nested) && nested.ValueKind == JsonValueKind.Object ? nested : root;
        string? Text(string key, string? old)
        {
            if (section.TryGetProperty(key, out var v) || root.TryGetProperty("kdumpDebug." + key, out v))
                return v.ValueKind == JsonValueKind.String && v.GetString()!.Length > 0 ? v.GetString() : v.ValueKind == JsonValueKind.Null || v.ValueKind == JsonValueKind.String ? null : old;
            return old;
        }
        var map = current.SourceFileMap;
        if ((section.TryGetProperty("sourceFileMap", out var m) || root.TryGetProperty("kdumpDebug.sourceFileMap", out m)) && m.ValueKind == JsonValueKind.Object)
        {
            map = m.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String)
                .ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
        }
        return new LspSettings(Text("vmcore", current.Vmcore), Text("vmlinux", current.Vmlinux), map, Text("kernelSource", current.KernelSource));
    }

    /// <summary>
    /// The local path of a DWARF source path: the longest matching <see cref="SourceFileMap"/>
    /// prefix replaced, else a relative path joined to <see cref="KernelSource"/> (or
    /// <paramref name="workspaceRoot"/>); null when nothing maps it.
    /// </summary>
    public string? MapSource(string dwarfPath, string? workspaceRoot)
    {
        if (SourceFileMap is { } map)
        {
            foreach (var (from, to) in map.OrderByDescending(p => p.Key.Length))
            {
                if (from.Length > 0 && dwarfPath.StartsWith(from, StringComparison.Ordinal))
                    return Path.GetFullPath(to + dwarfPath[from.Length..]);
            }
        }
        if (Path.IsPathRooted(dwarfPath)) return dwarfPath;
        var root = KernelSource ?? workspaceRoot;
        return root is null ? null : Path.GetFullPath(Path.Combine(root, dwarfPath));
    }
}
