using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo;
using KdumpDebug.Debuginfo.Symbols;
using KdumpDebug.Dump;
using KdumpDebug.Target.Arch.X86_64;
using KdumpDebug.Target.Modules;

namespace KdumpDebug.Target;

/// <summary>
/// A vmcore and its vmlinux opened together: the dump's physical memory, the x86-64 kernel address
/// space (KASLR slide and phys_base from VMCOREINFO), and the vmlinux's symbols at their run-time
/// addresses. Opening checks that the vmlinux matches the dump. Symbols and line tables are
/// loaded on first use. Thread-safe for reads. Dispose closes both files.
/// </summary>
public sealed class KernelTarget : IKernelTarget, IDisposable
{
    readonly Lazy<KernelSymbol[]> _symbolsByAddress;
    readonly Lazy<TargetSummary> _summary;
    readonly Lazy<ITypeLayouts> _layouts;
    readonly Lazy<ModuleSet> _modules;
    readonly TargetOptions _options;
    readonly (ulong Start, ulong End) _allocatedSpan;

    KernelTarget(IDumpFile dump, Vmlinux vmlinux, VmcoreInfo info, KernelAddressSpace addressSpace, TargetOptions options)
    {
        _options = options;
        _allocatedSpan = vmlinux.Elf.AllocatedSpan;
        _layouts = new Lazy<ITypeLayouts>(() => new DwarfTypeLayouts(Vmlinux!.Types));
        _modules = new Lazy<ModuleSet>(LoadModules);
        Dump = dump;
        Vmlinux = vmlinux;
        VmcoreInfo = info;
        AddressSpace = addressSpace;
        KaslrOffset = info.KernelOffset;
        _symbolsByAddress = new Lazy<KernelSymbol[]>(BuildRelocatedSymbols);
        _summary = new Lazy<TargetSummary>(BuildSummary);
    }

    public IDumpFile Dump { get; }
    public Vmlinux Vmlinux { get; }
    public VmcoreInfo VmcoreInfo { get; }
    public KernelAddressSpace AddressSpace { get; }

    /// <summary>KASLR slide of the kernel image (VMCOREINFO KERNELOFFSET).</summary>
    public ulong KaslrOffset { get; }

    /// <summary>
    /// Opens the dump, finds (if not given) and opens the vmlinux, checks that they match, and sets
    /// up address translation. Every failure is a one-line KdumpDebugException naming the file.
    /// </summary>
    public static KernelTarget Open(TargetOptions options)
    {
        var dump = DumpOpener.Open(options.VmcorePath);
        Vmlinux? vmlinux = null;
        try
        {
            var info = VmcoreInfo.Parse(dump.VmcoreInfo);
            if (dump.VmcoreInfo is null)
                throw new KdumpDebugException($"{options.VmcorePath}: no VMCOREINFO note: cannot locate the kernel in this dump");
            var vmlinuxPath = options.VmlinuxPath
                ?? VmlinuxLocator.Find(info.OsRelease, info.BuildId, options.DebugInfoDirectories)
                ?? throw new KdumpDebugException(
                    $"{options.VmcorePath}: no vmlinux given and none found for release {info.OsRelease ?? "?"} build-id {info.BuildId ?? "?"} (use --debuginfo-dir or pass the vmlinux)");
            if (!File.Exists(vmlinuxPath))
                throw new KdumpDebugException($"{vmlinuxPath}: no such file");
            vmlinux = Vmlinux.Open(vmlinuxPath, options.CacheDirectory);
            VmlinuxMatch.Check(vmlinux, info, options.VmcorePath);
            // Nearly every command needs types too: start the DWARF name index (loaded from the
            // cache, or one parallel pass over .debug_info on a distribution kernel) now, so it
            // overlaps with setting up the address space and the caller's first steps. Same lease
            // and Lazy reasoning as the symbol table below; an error is reported on real use.
            var typesLease = vmlinux.Elf.TryLease();
            var typesVmlinux = vmlinux;
            var types = Task.Run(() =>
            {
                try { _ = typesVmlinux.Types; }
                catch (KdumpDebugException) { }
                catch (ObjectDisposedException) { }
                finally { typesLease?.Dispose(); }
            });
            var addressSpace = CreateAddressSpace(dump, vmlinux, info, options.VmcorePath);
            var target = new KernelTarget(dump, vmlinux, info, addressSpace, options);
            // Nearly every first command needs the symbol table: build it in the background too
            // (Lazy makes a concurrent first use wait for this one, or build it at once if this
            // has not started). It starts after the types: built side by side, the two took one
            // core each and the index's second worker had no thread until the table was done;
            // a command that needs symbols first builds them on its own thread meanwhile.
            // The lease keeps the vmlinux mapped if the caller disposes the target first (a
            // one-shot command that never needed the table): the unmap waits for the build.
            var lease = vmlinux.Elf.TryLease();
            _ = types.ContinueWith(typesDone =>
            {
                try { _ = target.SymbolsByAddress; }
                catch (KdumpDebugException) { /* reported on real use */ }
                catch (ObjectDisposedException) { /* the target was closed first */ }
                finally { lease?.Dispose(); }
            }, TaskScheduler.Default);
            return target;
        }
        catch
        {
            vmlinux?.Dispose();
            dump.Dispose();
            throw;
        }
    }

    static KernelAddressSpace CreateAddressSpace(IDumpFile dump, Vmlinux vmlinux, VmcoreInfo info, string vmcorePath)
    {
        if (!info.TryGetNumber("phys_base", out var physBase))
            throw new KdumpDebugException($"{vmcorePath}: VMCOREINFO has no NUMBER(phys_base)");
        // KERNEL_IMAGE_SIZE is 1 GiB with KASLR and 512 MiB without (arch/x86/include/asm/page_64_types.h);
        // the kernel records it since v4.19 (commit 1303a27c9c32).
        var imageSize = info.TryGetNumber("KERNEL_IMAGE_SIZE", out var size) ? (ulong)size : 512UL << 20;
        var levels = info.TryGetNumber("pgtable_l5_enabled", out var l5) && l5 != 0 ? 5 : 4;
        ulong root;
        if (!info.TryGetSymbol("init_top_pgt", out root))
        {
            // Older kernels name the top table init_level4_pgt; fall back to the vmlinux symbol.
            if (!vmlinux.Symbols.TryLookup("init_top_pgt", out var sym) && !vmlinux.Symbols.TryLookup("init_level4_pgt", out sym))
                throw new KdumpDebugException($"{vmcorePath}: cannot find the kernel page tables (no SYMBOL(init_top_pgt) in VMCOREINFO)");
            root = sym.Address + info.KernelOffset;
        }
        return new KernelAddressSpace(dump.Memory, (ulong)physBase, imageSize, root, levels);
    }

    public TargetSummary Summary => _summary.Value;

    public void ReadVirtual(ulong address, Span<byte> buffer) => AddressSpace.Read(address, buffer);

    public void ReadPhysical(ulong address, Span<byte> buffer) => Dump.Memory.Read(address, buffer);

    public bool TryTranslate(ulong virtualAddress, out ulong physicalAddress) =>
        AddressSpace.TryTranslate(virtualAddress, out physicalAddress);

    public IReadOnlyList<KernelSymbol> SymbolsByAddress => _symbolsByAddress.Value;

    public IReadOnlyList<KernelSymbol> LookupSymbols(string name)
    {
        var symbols = Vmlinux.Symbols;
        var found = symbols.Crash is { } crash ? crash.LookupAll(name) : symbols.LookupAll(name);
        return found.Select(Relocate).ToArray();
    }

    public IReadOnlyList<KernelSymbol> ModuleSymbolsByAddress =>
        _moduleSymbols ??= Modules.Modules.OrderBy(m => m.BaseAddress).SelectMany(m => m.Symbols).ToArray();

    KernelSymbol[]? _moduleSymbols;

    /// <summary>
    /// crash's symbol_search(): the first symbol of that name in crash's table (stripped clone
    /// names, e.g. "rapl_event_update" for rapl_event_update.isra.0), else any ELF symbol of that
    /// exact name (a global one first), so absolute and full clone names still resolve.
    /// </summary>
    public bool TryLookupSymbol(string name, out KernelSymbol symbol) => TryLookupSymbol(name, includeModules: true, out symbol);

    public bool TryLookupKernelSymbol(string name, out KernelSymbol symbol) => TryLookupSymbol(name, includeModules: false, out symbol);

    bool TryLookupSymbol(string name, bool includeModules, out KernelSymbol symbol)
    {
        // The first command often needs one name while the table is still being built on the
        // other core (a few hundred ms on a distribution kernel): a scan answers most names at once.
        if (!Vmlinux.SymbolsBuilt)
        {
            switch (SymbolNameScan.Find(Vmlinux.Elf, name, out var quick))
            {
                case SymbolScanResult.Found:
                    symbol = Relocate(quick);
                    return true;
                case SymbolScanResult.NotFound:
                    symbol = default;
                    return includeModules && Modules.TryLookupSymbol(name, out symbol);
            }
        }
        var symbols = Vmlinux.Symbols;
        if ((symbols.Crash is { } crash && crash.TryLookup(name, out var s)) || symbols.TryLookup(name, out s))
        {
            symbol = Relocate(s);
            return true;
        }
        // Kernel symbols win over module symbols of the same name, as in crash.
        symbol = default;
        return includeModules && Modules.TryLookupSymbol(name, out symbol);
    }

    /// <summary>
    /// crash's value_search() at a run-time address (see CrashSymbolTable.TryFindByAddress). An
    /// address in the kernel map below the slid kernel (between the link-time and the run-time
    /// _text) is no symbol: crash names it "__per_cpu_end+-N" there (it compares run-time values
    /// with the link-time _text), which we do not copy.
    /// </summary>
    public bool TryFindSymbol(ulong address, out KernelSymbol symbol, out ulong offset)
    {
        if (IsModuleAddress(address))
            return Modules.TryFindSymbol(address, out symbol, out offset);
        symbol = default;
        offset = 0;
        ulong link;
        if (address >= KernelAddressSpace.StartKernelMap + KaslrOffset) link = address - KaslrOffset;
        else if (address >= KernelAddressSpace.StartKernelMap) return false;
        else link = address;
        if (!Vmlinux.Symbols.TryFindByAddress(link, out var s, out offset)) return false;
        symbol = Relocate(s);
        return true;
    }

    /// <summary>
    /// The code the vmlinux file holds for a run-time address of the kernel image (an executable
    /// section), as linked: what a page of kernel text the dump lacks held at boot, before the
    /// kernel patched itself and before KASLR relocated it: absolute addresses inside instructions
    /// keep their link-time values (the relocations the boot applied are not in the vmlinux).
    /// Data sections are refused: their link-time bytes are not what the crashed kernel had.
    /// False when the range is not inside one executable section. No allocation.
    /// </summary>
    public bool TryReadImageCode(ulong address, Span<byte> buffer)
    {
        if (IsModuleAddress(address) || address < KernelAddressSpace.StartKernelMap) return false;
        var link = Unrelocate(address);
        if (!Vmlinux.Elf.TryFindSectionByAddress(link, out var section) || section.IsNoBits || section.IsCompressed
            || (section.Flags & Debuginfo.Elf.ElfConstants.ShfExecinstr) == 0) return false;
        var offset = link - section.Address;
        if (offset + (ulong)buffer.Length > section.Size) return false;
        if (!Vmlinux.Elf.TryReadFileBytes(section.FileOffset + offset, buffer.Length, out var bytes)) return false;
        bytes.CopyTo(buffer);
        return true;
    }

    /// <summary>Member offsets from the vmlinux's DWARF, for the structures the target walks itself.</summary>
    public ITypeLayouts TypeLayouts => _layouts.Value;

    /// <summary>
    /// Loaded modules with their kallsyms symbols, and debug files from the --modules folders.
    /// Read on first use (a module symbol lookup), since it needs the DWARF index.
    /// </summary>
    public ModuleSet Modules => _modules.Value;

    /// <summary>The --modules folders the target was opened with (searched for module debug files).</summary>
    public IReadOnlyList<string> ModuleDirectories => _options.ModuleDirectories ?? [];

    /// <summary>
    /// Attaches the debug file at <paramref name="path"/> (a .ko with DWARF, plain or .xz/.zst/.gz)
    /// to a loaded module after the target was opened (crash's <c>mod -s</c>): its lines, inline
    /// frames and DWARF then serve module addresses. Thread-safe. Throws a one-line
    /// KdumpDebugException when the file is missing, unreadable, or from another build.
    /// </summary>
    public void LoadModuleDebugFile(KernelModule module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (!File.Exists(path)) throw new KdumpDebugException($"{path}: no such file");
        if (!ModuleDebugFiles.Attach(module, path, _options.CacheDirectory))
            throw new KdumpDebugException($"{path}: no symbol matches the loaded module {module.Name}: a different build");
    }

    /// <summary>
    /// Modules live above the kernel image mapping (MODULES_VADDR = __START_KERNEL_map +
    /// KERNEL_IMAGE_SIZE, Documentation/x86/x86_64/mm.rst); vmlinux symbols never name them.
    /// </summary>
    bool IsModuleAddress(ulong address) =>
        address >= KernelAddressSpace.StartKernelMap + AddressSpace.KernelImageSize;

    public bool TryFindSourceLine(ulong address, out string file, out int line)
    {
        if (IsModuleAddress(address))
        {
            var module = Modules.FindModule(address);
            if (module?.Lines is { } moduleLines && moduleLines.TryFindLine(address, out var ml))
            {
                file = ml.File;
                line = ml.Line;
                return true;
            }
            file = "";
            line = 0;
            return false;
        }
        var lines = Vmlinux.Lines;
        if (lines is not null && lines.TryFindLine(Unrelocate(address), out var sl))
        {
            file = sl.File;
            line = sl.Line;
            return true;
        }
        file = "";
        line = 0;
        return false;
    }

    /// <summary>
    /// Which link-time values move with KASLR: crash's relocate(), values inside the allocated
    /// sections' span (<see cref="Debuginfo.Elf.ElfFile.AllocatedSpan"/>), absolute ones included
    /// (init_per_cpu__gdt_page); per-cpu offsets and other small absolute values keep their
    /// link-time values. One rule for symbols and for DWARF addresses, and it needs only the
    /// section headers, not the symbol table.
    /// </summary>
    bool MovesWithKaslr(ulong linkAddress) =>
        linkAddress >= _allocatedSpan.Start && linkAddress <= _allocatedSpan.End;

    KernelSymbol Relocate(Debuginfo.Symbols.ElfSymbol s) =>
        new(s.Name, RelocateLinkAddress(s.Address), s.Size, s.NmType);

    /// <summary>
    /// The run-time address of a link-time address from the vmlinux (a symbol value or a DWARF
    /// DW_OP_addr): moved by the KASLR slide when it is in the kernel image (see MovesWithKaslr).
    /// </summary>
    public ulong RelocateLinkAddress(ulong linkAddress) =>
        MovesWithKaslr(linkAddress) ? linkAddress + KaslrOffset : linkAddress;

    /// <summary>Typed access to globals and types (DWARF), built on first use.</summary>
    public Objects.KernelObjects Objects => _objects ??= new Objects.KernelObjects(this);

    Objects.KernelObjects? _objects;

    ulong Unrelocate(ulong runtimeAddress) =>
        runtimeAddress >= KernelAddressSpace.StartKernelMap + KaslrOffset ? runtimeAddress - KaslrOffset : runtimeAddress;

    /// <summary>crash's table (sym -l order) relocated; the ELF symbols by address when there is none.</summary>
    KernelSymbol[] BuildRelocatedSymbols()
    {
        IReadOnlyList<Debuginfo.Symbols.ElfSymbol> sorted = Vmlinux.Symbols.Crash?.SortedByAddress ?? Vmlinux.Symbols.SortedByAddress;
        var result = new KernelSymbol[sorted.Count];
        for (var i = 0; i < result.Length; i++) result[i] = Relocate(sorted[i]);
        // Per-CPU offsets (which stay) sort below the kernel image (which moves up), so the order
        // almost always survives relocation: check in one pass before paying for a stable re-sort.
        var sortedAlready = true;
        for (var i = 1; i < result.Length && sortedAlready; i++) sortedAlready = result[i - 1].Address <= result[i].Address;
        if (sortedAlready) return result;
        var order = Enumerable.Range(0, result.Length).ToArray();
        Array.Sort(order, (a, b) => result[a].Address != result[b].Address ? result[a].Address.CompareTo(result[b].Address) : a.CompareTo(b));
        return order.Select(i => result[i]).ToArray();
    }

    ModuleSet LoadModules()
    {
        if (!Vmlinux.Types.HasDebugInfo) return ModuleSet.Empty;
        var reader = new ModuleListReader(this, TypeLayouts);
        var modules = reader.ReadAll();
        var problems = reader.Problems.ToList();
        if (_options.ModuleDirectories is { Count: > 0 } directories)
        {
            foreach (var module in modules)
            {
                var path = ModuleDebugFiles.Find(module.Name, directories);
                if (path is null) continue;
                try
                {
                    if (!ModuleDebugFiles.Attach(module, path, _options.CacheDirectory))
                        problems.Add($"{path}: no symbol matches the loaded module {module.Name}: a different build");
                }
                catch (KdumpDebugException e)
                {
                    problems.Add(e.Message);
                }
            }
        }
        return new ModuleSet(modules, problems);
    }

    /// <summary>Reads init_uts_ns.name (offset from VMCOREINFO), or null when it cannot be read.</summary>
    public UtsName? ReadUtsName()
    {
        ulong address;
        if (!VmcoreInfo.TryGetSymbol("init_uts_ns", out address))
        {
            if (!TryLookupSymbol("init_uts_ns", out var sym)) return null;
            address = sym.Address;
        }
        // Since Linux v4.x uts_namespace starts with `name`; the kernel records the offset itself.
        var offset = VmcoreInfo.TryGetOffset("uts_namespace.name", out var o) ? (ulong)o : 0;
        var bytes = new byte[UtsName.FieldLength * 6];
        try
        {
            ReadVirtual(address + offset, bytes);
        }
        catch (KdumpDebugException)
        {
            return null;
        }
        return UtsName.Parse(bytes);
    }

    TargetSummary BuildSummary()
    {
        var uts = ReadUtsName();
        var header = Dump.KdumpHeader;
        var cpus = Dump.CpuRegisters.Count > 0 ? Dump.CpuRegisters.Count : header?.NrCpus;
        var date = VmcoreInfo.CrashTime ?? header?.Timestamp;
        return new TargetSummary(
            VmlinuxPath: Vmlinux.OriginalPath,
            DumpPath: Dump.Path,
            DumpDescription: Dump.Description,
            IsPartialDump: Dump.IsPartial,
            Cpus: cpus,
            Date: date,
            NodeName: uts?.NodeName ?? header?.NodeName,
            Release: uts?.Release ?? VmcoreInfo.OsRelease ?? header?.Release,
            Version: uts?.Version ?? header?.Version,
            Machine: uts?.Machine ?? header?.Machine,
            MemoryBytes: null,
            PanicMessage: null,
            KaslrOffset: KaslrOffset,
            PagingLevels: AddressSpace.PagingLevels);
    }

    public void Dispose()
    {
        if (_modules.IsValueCreated)
            foreach (var m in _modules.Value.Modules)
            {
                m.DebugFile?.Dispose();
                foreach (var retired in m.RetiredDebugFiles) retired.Dispose();
            }
        Vmlinux.Dispose();
        Dump.Dispose();
    }
}
