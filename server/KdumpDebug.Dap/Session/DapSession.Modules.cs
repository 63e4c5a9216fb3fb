using KdumpDebug.Dap.Protocol;
using KdumpDebug.Target;

namespace KdumpDebug.Dap.Session;

// modules: the kernel image and its loaded modules.
public sealed partial class DapSession
{
    /// <summary>
    /// DAP modules: the kernel image ("vmlinux", from <c>_stext</c> to <c>_end</c>) first, then
    /// the loaded modules in the kernel's list order with their core address range and whether
    /// a debug file (.ko with DWARF) was found in the launch's <c>modules</c> folders. Paged with
    /// <c>startModule</c>/<c>moduleCount</c>.
    /// </summary>
    private ModulesResponseBody Modules(ModulesArguments args)
    {
        var dump = Dump;
        var target = dump.Target;
        var all = new List<Module>();
        var kernel = new Module
        {
            Id = "vmlinux",
            Name = "vmlinux",
            Path = target.Vmlinux.OriginalPath,
            SymbolFilePath = target.Vmlinux.OriginalPath,
            SymbolStatus = target.Vmlinux.Types.HasDebugInfo ? "Symbols loaded." : "Symbols loaded (no DWARF: no types or locals).",
            Version = target.Summary.Release,
            IsUserCode = false,
            IsOptimized = true,
        };
        if (target.TryLookupSymbol("_stext", out var stext) && target.TryLookupSymbol("_end", out var end))
            kernel.AddressRange = $"0x{stext.Address:x}-0x{end.Address:x}";
        all.Add(kernel);
        foreach (var module in target.Modules.Modules)
        {
            var debug = module.DebugFile?.Path;
            all.Add(new Module
            {
                Id = module.Name,
                Name = module.Name,
                Path = debug,
                SymbolFilePath = debug,
                SymbolStatus = debug is null
                    ? "Symbols from kallsyms only (no debug file: add its folder to 'modules')."
                    : "Symbols loaded.",
                AddressRange = $"0x{module.BaseAddress:x}-0x{module.BaseAddress + module.Size:x}",
                IsUserCode = false,
                IsOptimized = true,
            });
        }
        var first = Math.Clamp(args.StartModule ?? 0, 0, all.Count);
        var count = args.ModuleCount is long n && n > 0 ? (int)Math.Min(n, all.Count - first) : all.Count - first;
        return new ModulesResponseBody { Modules = all.GetRange(first, count), TotalModules = all.Count };
    }
}
