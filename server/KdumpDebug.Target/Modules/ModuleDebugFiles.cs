using KdumpDebug.Debuginfo;
using KdumpDebug.Debuginfo.Elf;
using KdumpDebug.Debuginfo.Lines;
using KdumpDebug.Debuginfo.Symbols;

namespace KdumpDebug.Target.Modules;

/// <summary>
/// Finds a loaded module's debug file (`NAME.ko`, compressed or not, or `NAME.ko.debug`) under the
/// user's --modules folders and places its sections where the kernel loaded them. The placement
/// comes from the module's own symbols: a .ko symbol at offset v in section S that kallsyms shows
/// at address A puts S at A - v. That needs no version-specific sect_attrs walk and works on
/// kernels whose debug files were stripped of nothing but DWARF.
/// </summary>
public static class ModuleDebugFiles
{
    static readonly string[] Suffixes = [".ko", ".ko.debug", ".ko.xz", ".ko.zst", ".ko.gz"];

    /// <summary>The first debug file for <paramref name="moduleName"/> under the folders, searched recursively.</summary>
    public static string? Find(string moduleName, IReadOnlyList<string> directories)
    {
        // Module names use '_' where file names may use '-' (kbuild's modname rule).
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var suffix in Suffixes)
        {
            wanted.Add(moduleName + suffix);
            wanted.Add(moduleName.Replace('_', '-') + suffix);
        }
        foreach (var directory in directories)
        {
            if (File.Exists(directory) && wanted.Contains(Path.GetFileName(directory))) return directory;
            if (!Directory.Exists(directory)) continue;
            foreach (var file in Directory.EnumerateFiles(directory, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }))
                if (wanted.Contains(Path.GetFileName(file))) return file;
        }
        return null;
    }

    /// <summary>
    /// Opens <paramref name="path"/> (plain, .xz, .zst or .gz) and attaches it to
    /// <paramref name="module"/> with its sections placed, replacing a debug file attached before.
    /// Returns false (and leaves the module as it was) when no symbol of the file matches the
    /// module's kallsyms: the file is for another build. Thread-safe; the replaced file stays open
    /// (<see cref="KernelModule.RetiredDebugFiles"/>) until the target is disposed, since readers may still hold it.
    /// </summary>
    public static bool Attach(KernelModule module, string path, string? cacheDirectory)
    {
        ArgumentNullException.ThrowIfNull(module);
        var plain = DebugFileCache.Materialize(path, cacheDirectory);
        var elf = ElfFile.Open(plain);
        try
        {
            var placed = PlaceSections(elf, module);
            if (placed.Count == 0)
            {
                elf.Dispose();
                return false;
            }
            var lines = LineTable.FromElf(elf, s => placed.TryGetValue(s.Index, out var a) ? a : 0);
            lock (module.SyncRoot)
            {
                if (module.DebugFile is { } previous) module.RetiredDebugFiles.Add(previous);
                module.SectionAddresses = placed;
                module.Lines = lines;
                module.DebugInfo = new ModuleDebugInfo(elf, placed);
                module.DebugFilePath = path;
                module.DebugFile = elf;
            }
            return true;
        }
        catch
        {
            elf.Dispose();
            throw;
        }
    }


    static Dictionary<int, ulong> PlaceSections(ElfFile elf, KernelModule module)
    {
        var runtime = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var s in module.Symbols) runtime.TryAdd(s.Name, s.Address);
        var placed = new Dictionary<int, ulong>();
        foreach (var symbol in SymbolTable.FromElf(elf).SortedByAddress)
        {
            if (symbol.SectionIndex <= 0 || placed.ContainsKey(symbol.SectionIndex)) continue;
            if (symbol.Kind is not (SymbolKind.Function or SymbolKind.Object)) continue;
            if (!runtime.TryGetValue(symbol.Name, out var address)) continue;
            // ET_REL symbols are section offsets (sh_addr is 0 in a .ko).
            placed[symbol.SectionIndex] = address - symbol.Address;
        }
        return placed;
    }
}
