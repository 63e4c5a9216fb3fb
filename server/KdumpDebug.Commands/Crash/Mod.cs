using KdumpDebug.Commands.Parsing;
using KdumpDebug.Core.Errors;
using KdumpDebug.Target;
using KdumpDebug.Target.Modules;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>mod</c> (kernel.c cmd_mod / do_module_cmd): the loaded modules with their
/// <c>struct module</c>, name, base, size and debug object file; <c>-s NAME [file]</c> loads one
/// module's debug file (a .ko with DWARF, plain, .xz or .zst) at the module's section addresses and
/// <c>-S [dir]</c> every module's it can find, so module frames then resolve with lines and inline
/// frames in bt, sym, dis and the DAP. Without a file, debug files are searched (recursively) under
/// the folder given, else the --modules folders and /lib/modules/RELEASE and
/// /usr/lib/debug/lib/modules/RELEASE. A module or file that cannot be loaded is one line and the
/// command goes on.
/// </summary>
public sealed class ModCommand : ICommand
{
    public CommandHelp Help { get; } = new(
        Name: "mod",
        Aliases: [],
        Summary: "module information and loading of symbols and debugging data",
        Synopsis: "mod [ -s module [objfile] | -S [directory] ]",
        Description: """
            With no arguments, display the loaded modules: the struct module address,
            name, base address, size, and the object file whose debug information is
            loaded ("(not loaded)  [CONFIG_KALLSYMS]" when only the kernel's own symbol
            table of the module is known).

              -s module [objfile]  load the debug information of one module from objfile,
                                   or from a file found in the module search folders.
              -S [directory]       load the debug information of every module whose
                                   object file is found in directory (searched
                                   recursively), or in the module search folders.
            """,
        Examples: """
              crash> mod
                   MODULE       NAME         BASE         SIZE  OBJECT FILE
              ffffffffc00e0940  lkdtm  ffffffffc00d6000  57344  (not loaded)  [CONFIG_KALLSYMS]
              crash> mod -s lkdtm lkdtm.ko
                   MODULE       NAME         BASE         SIZE  OBJECT FILE
              ffffffffc00e0940  lkdtm  ffffffffc00d6000  57344  lkdtm.ko
            """);

    public void Execute(CommandContext context)
    {
        var parsed = GetOpt.Parse(context.Arguments, "s:S");
        if (context.Target is not KernelTarget target) throw new CommandException("this command needs a kernel dump opened with its vmlinux");
        var modules = Sorted(target);
        var load = parsed.Options.FirstOrDefault(o => o.Name == 's');
        var loadAll = parsed.Options.Any(o => o.Name == 'S');
        if (load.Name != default && loadAll) throw CommandException.Usage();
        if (modules.Count == 0)
        {
            // crash: "no modules loaded in this kernel" for -s/-S; plain mod prints crash's line.
            context.Out.Write(load.Name == default && !loadAll ? "no modules installed\n" : "mod: no modules loaded in this kernel\n");
            return;
        }
        if (load.Name != default)
        {
            if (parsed.Operands.Count > 1) throw CommandException.Usage();
            LoadOne(context, target, load.Argument!, parsed.Operands.Count == 1 ? parsed.Operands[0] : null);
            return;
        }
        if (loadAll)
        {
            if (parsed.Operands.Count > 1) throw CommandException.Usage();
            LoadAll(context, target, parsed.Operands.Count == 1 ? [parsed.Operands[0]] : SearchFolders(target));
            return;
        }
        if (parsed.Operands.Count > 0) throw CommandException.Usage();
        WriteHeader(context.Out, modules);
        foreach (var m in modules) WriteModule(context.Out, modules, m);
        foreach (var p in target.Modules.Problems) context.Out.Write($"mod: {p}\n");
    }

    static void LoadOne(CommandContext context, KernelTarget target, string reference, string? file)
    {
        var modules = Sorted(target);
        var module = FindModule(modules, reference);
        if (module is null)
        {
            context.Out.Write($"mod: {reference}: not a loaded module\n");
            return;
        }
        string? path;
        if (file is not null)
        {
            // crash: a file that does not exist is looked for by its name in the module folders.
            path = File.Exists(file) ? file : FindByFileName(Path.GetFileName(file), SearchFolders(target));
            if (path is null)
            {
                context.Out.Write($"mod: {module.Name}: cannot find or load object file: {file}\n");
                return;
            }
        }
        else
        {
            path = ModuleDebugFiles.Find(module.Name, SearchFolders(target));
            if (path is null)
            {
                context.Out.Write($"mod: cannot find or load object file for {module.Name} module\n");
                return;
            }
        }
        try
        {
            target.LoadModuleDebugFile(module, path);
        }
        catch (KdumpDebugException e)
        {
            context.Out.Write($"mod: cannot load symbols from: {e.Message}\n");
            return;
        }
        WriteHeader(context.Out, modules);
        WriteModule(context.Out, modules, module);
    }

    static void LoadAll(CommandContext context, KernelTarget target, IReadOnlyList<string> folders)
    {
        var modules = Sorted(target);
        var headerWritten = false;
        foreach (var module in modules)
        {
            var path = ModuleDebugFiles.Find(module.Name, folders);
            if (path is null && module.DebugFile is null)
            {
                context.Out.Write($"mod: cannot find or load object file for {module.Name} module\n");
                continue;
            }
            if (path is not null)
            {
                try
                {
                    target.LoadModuleDebugFile(module, path);
                }
                catch (KdumpDebugException e)
                {
                    context.Out.Write($"mod: cannot load symbols from: {e.Message}\n");
                }
            }
            if (!headerWritten) WriteHeader(context.Out, modules);
            headerWritten = true;
            WriteModule(context.Out, modules, module);
        }
    }

    /// <summary>The modules by base address, as crash lists them (it sorts its module table by address).</summary>
    static IReadOnlyList<KernelModule> Sorted(KernelTarget target) => target.Modules.Modules.OrderBy(m => m.BaseAddress).ToList();

    /// <summary>A module by name, or by the address of its struct module or an address inside it (crash accepts both).</summary>
    static KernelModule? FindModule(IReadOnlyList<KernelModule> modules, string reference)
    {
        if (modules.FirstOrDefault(m => m.Name == reference) is { } byName) return byName;
        if (CrashNumber.TryParseHex(reference, out var address))
            return modules.FirstOrDefault(m => m.StructAddress == address || m.Contains(address));
        return null;
    }

    /// <summary>The folders searched without an explicit file: --modules, then the distribution's module and debug folders for this release.</summary>
    static IReadOnlyList<string> SearchFolders(KernelTarget target)
    {
        var folders = new List<string>(target.ModuleDirectories);
        if (target.Summary.Release is { Length: > 0 } release)
        {
            folders.Add($"/lib/modules/{release}");
            folders.Add($"/usr/lib/debug/lib/modules/{release}");
        }
        return folders;
    }

    static string? FindByFileName(string fileName, IReadOnlyList<string> folders)
    {
        foreach (var folder in folders.Where(Directory.Exists))
            foreach (var file in Directory.EnumerateFiles(folder, fileName, new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }))
                return file;
        return null;
    }

    /// <summary>
    /// <c>"%s  %s  %s  %s  OBJECT FILE"</c>: MODULE and BASE centred in 16 columns, NAME left in the
    /// longest name's width, SIZE right in the widest size's.
    /// </summary>
    static void WriteHeader(TextWriter output, IReadOnlyList<KernelModule> modules)
    {
        var (nameWidth, sizeWidth) = Widths(modules);
        output.Write($"     MODULE       {"NAME".PadRight(nameWidth)}        BASE        {"SIZE".PadLeft(sizeWidth)}  OBJECT FILE\n");
    }

    static void WriteModule(TextWriter output, IReadOnlyList<KernelModule> modules, KernelModule m)
    {
        var (nameWidth, sizeWidth) = Widths(modules);
        var file = m.DebugFile is not null && m.DebugFilePath is { } path ? path : "(not loaded)  [CONFIG_KALLSYMS]";
        output.Write($"{m.StructAddress:x}  {m.Name.PadRight(nameWidth)}  {m.BaseAddress:x}  {m.Size.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(sizeWidth)}  {file}\n");
    }

    static (int Name, int Size) Widths(IReadOnlyList<KernelModule> modules) =>
        (modules.Max(m => m.Name.Length), modules.Max(m => m.Size.ToString(System.Globalization.CultureInfo.InvariantCulture).Length));
}
