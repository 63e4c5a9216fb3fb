using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Cfi;
using KdumpDebug.Debuginfo.Elf;
using KdumpDebug.Debuginfo.Orc;
using KdumpDebug.Target.Modules;

namespace KdumpDebug.Target.Unwind;

/// <summary>
/// Unwinds kernel stacks of a <see cref="KernelTarget"/>: the vmlinux's ORC table first (the
/// kernel's own unwind data, checked by objtool), its <c>.debug_frame</c> where ORC has nothing
/// (objtool leaves some functions without ORC, e.g. __crash_kexec in the fixture kernel) and to
/// recover the callee-saved registers ORC does not track, then frame pointers; modules added with
/// <see cref="AddModule"/> bring their own tables. Frames come back with their symbols.
/// <para>
/// The vmlinux tables are loaded on first use (the ORC address array, 1 MiB for the fixture, and the
/// FDE index) and shared by every walk; a table that cannot be read is left out and named in
/// <see cref="Problems"/>. <see cref="Unwind"/> is thread-safe once modules are added (each call has
/// its own walker); <see cref="AddModule"/> is not.
/// </para>
/// </summary>
public sealed partial class KernelUnwinder
{
    /// <summary>Default depth limit, as in <see cref="StackWalker.DefaultMaxFrames"/>.</summary>
    public const int DefaultMaxFrames = StackWalker.DefaultMaxFrames;

    // MODULES_VADDR..MODULES_END on x86-64 (arch/x86/include/asm/pgtable_64_types.h): the end of the
    // kernel image mapping to 0xffffffffff000000 (since v4.x; the FIXADDR area follows).
    const ulong ModulesEnd = 0xffff_ffff_ff00_0000UL;

    readonly KernelTarget _target;
    readonly Lazy<State> _state;
    readonly List<string> _problems = [];
    readonly List<ModuleEntry> _modules = [];

    sealed record ModuleEntry(string Name, ulong Start, ulong End, IReadOnlyList<KernelSymbol> Symbols, OrcRowSource? Orc, CfiRowSource? Cfi);

    sealed record State((ulong Start, ulong End)[] Text, OrcRowSource? Orc, CfiRowSource? Cfi);

    readonly ITypeLayouts? _layouts;

    /// <summary>
    /// An unwinder for <paramref name="target"/>. <paramref name="layouts"/> (the vmlinux's DWARF
    /// type layouts) is optional: it is only needed for kernel data whose layout changed, such as
    /// the per-CPU top of stack in v6.2+ kernels (see <see cref="TryGetTaskStackTop"/>).
    /// </summary>
    public KernelUnwinder(KernelTarget target, ITypeLayouts? layouts = null)
    {
        _target = target ?? throw new ArgumentNullException(nameof(target));
        _layouts = layouts;
        _state = new Lazy<State>(LoadVmlinux, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Unwind tables that could not be loaded, one line each.</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            _ = _state.Value;
            return _problems;
        }
    }

    /// <summary>The vmlinux's ORC table (link-time addresses), or null when it has none.</summary>
    public OrcTable? VmlinuxOrc => _state.Value.Orc?.Table;

    /// <summary>The vmlinux's DWARF CFI (link-time addresses), or null when it has none.</summary>
    public CfiTable? VmlinuxCfi => _state.Value.Cfi?.Table;

    State LoadVmlinux()
    {
        var elf = _target.Vmlinux.Elf;
        var slide = _target.KaslrOffset;
        var text = new List<(ulong, ulong)>();
        foreach (var s in elf.Sections)
            if (s.IsAllocated && (s.Flags & ElfConstants.ShfExecinstr) != 0 && s.Size > 0)
                text.Add((s.Address + slide, s.Address + slide + s.Size));
        text.Sort();
        var low = text.Count > 0 ? text[0].Item1 : 0;
        var high = text.Count > 0 ? text.Max(t => t.Item2) : 0;
        OrcRowSource? orc = null;
        CfiRowSource? cfi = null;
        try
        {
            var table = OrcTable.FromElf(elf, null, OrcLayoutFromDwarf(_target.Vmlinux.Types));
            if (table is not null) orc = new OrcRowSource(table, low, high, slide, "vmlinux ORC");
            if (table is { ImplausibleEntries: > 0 })
                _problems.Add($"{elf.Path}: {table.ImplausibleEntries} ORC entries do not decode under the {table.Layout.Name} layout");
        }
        catch (KdumpDebugException e)
        {
            _problems.Add($"vmlinux ORC: {e.Message}");
        }
        try
        {
            var table = CfiTable.FromElf(elf);
            if (table is not null)
            {
                _ = table.Fdes; // build the index now, so a corrupt section is reported once here
                cfi = new CfiRowSource(table, low, high, slide, $"vmlinux {table.SectionName}");
            }
        }
        catch (KdumpDebugException e)
        {
            _problems.Add($"vmlinux CFI: {e.Message}");
        }
        return new State(text.ToArray(), orc, cfi);
    }

    /// <summary>
    /// Adds a loaded module's unwind information: its ORC table from the crashed kernel's memory when
    /// <paramref name="layouts"/> is given (<see cref="ModuleOrcReader"/>), else from its debug file
    /// when one is attached (<see cref="KernelModule.DebugFile"/> with section addresses), plus the
    /// debug file's DWARF CFI; its symbols name its frames. Problems are added to <see cref="Problems"/>.
    /// </summary>
    public void AddModule(KernelModule module, ITypeLayouts? layouts = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        var state = _state.Value;
        var start = module.BaseAddress;
        var end = module.BaseAddress + module.Size;
        OrcRowSource? orc = null;
        CfiRowSource? cfi = null;
        if (layouts is not null && state.Orc is not null)
        {
            if (ModuleOrcReader.TryRead(_target, layouts, module.StructAddress, module.Name, state.Orc.Table.Layout, out var table, out var problem))
                orc = new OrcRowSource(table!, start, end, 0, $"{module.Name} ORC");
            else if (problem is not null) _problems.Add(problem);
        }
        if (module.DebugFile is ElfFile elf && module.SectionAddresses is { } placed)
        {
            ulong Place(ElfSection s) => placed.TryGetValue(s.Index, out var a) ? a : 0;
            try
            {
                if (orc is null && OrcTable.FromElf(elf, Place, state.Orc?.Table.Layout) is { } table)
                    orc = new OrcRowSource(table, start, end, 0, $"{module.Name} ORC ({elf.Path})");
                if (CfiTable.FromElf(elf, Place) is { } frames)
                    cfi = new CfiRowSource(frames, start, end, 0, $"{module.Name} {frames.SectionName}");
            }
            catch (KdumpDebugException e)
            {
                _problems.Add($"{module.Name}: {e.Message}");
            }
        }
        _modules.Add(new ModuleEntry(module.Name, start, end, module.Symbols, orc, cfi));
    }

    /// <summary>True for an address in the vmlinux's executable sections or an added module.</summary>
    public bool IsKernelText(ulong address)
    {
        foreach (var (s, e) in _state.Value.Text)
            if (address >= s && address < e) return true;
        foreach (var m in _modules)
            if (address >= m.Start && address < m.End) return true;
        return false;
    }

    /// <summary>
    /// Unwinds from <paramref name="initial"/> (e.g. <see cref="RegisterSet.FromPrStatus"/> of a CPU).
    /// Module code that was not added with <see cref="AddModule"/> is still a frame (named by
    /// address) but ends the walk, since its unwind data is unknown. See <see cref="StackWalker"/>
    /// for the rules and stop conditions; <paramref name="stopReason"/> is null for a normal end.
    /// </summary>
    public IReadOnlyList<StackFrameInfo> Unwind(RegisterSet initial, out string? stopReason, int maxFrames = DefaultMaxFrames) =>
        Unwind(initial, initialPcIsReturnAddress: false, out stopReason, maxFrames);

    /// <summary>
    /// As <see cref="Unwind(RegisterSet, out string?, int)"/>, for a start found on the stack: the
    /// initial rip is a return address and rsp points just above its slot.
    /// </summary>
    public IReadOnlyList<StackFrameInfo> Unwind(RegisterSet initial, bool initialPcIsReturnAddress, out string? stopReason, int maxFrames = DefaultMaxFrames)
    {
        ArgumentNullException.ThrowIfNull(initial);
        var state = _state.Value;
        var sources = new List<IUnwindRowSource>(2 + 2 * _modules.Count);
        if (state.Orc is not null) sources.Add(state.Orc);
        foreach (var m in _modules) if (m.Orc is not null) sources.Add(m.Orc);
        if (state.Cfi is not null) sources.Add(state.Cfi);
        foreach (var m in _modules) if (m.Cfi is not null) sources.Add(m.Cfi);
        var walker = new StackWalker(new TargetUnwindMemory(_target), sources, IsWalkable, DescribeAddress)
        {
            FramePointerAllowed = IsKernelText,
            NoInformationHint = a => IsKernelText(a) ? null : "module code whose unwind tables are not loaded",
        };
        var frames = walker.Walk(initial, initialPcIsReturnAddress, out stopReason, maxFrames);
        var named = new StackFrameInfo[frames.Count];
        for (var i = 0; i < frames.Count; i++)
        {
            var f = frames[i];
            named[i] = TryFindSymbol(f.IsInterrupted ? f.Pc : f.Pc - 1, out var symbol)
                ? f with { Symbol = symbol, SymbolOffset = f.Pc - symbol.Address }
                : f;
        }
        return named;
    }

    // Module-area code without an added module is walkable only to be reported as "no information".
    bool IsWalkable(ulong address) =>
        IsKernelText(address) || (address >= KernelAddressSpaceEnd && address < ModulesEnd);

    ulong KernelAddressSpaceEnd => Arch.X86_64.KernelAddressSpace.StartKernelMap + _target.AddressSpace.KernelImageSize;

    /// <summary>The symbol containing <paramref name="address"/>: the vmlinux's, or an added module's.</summary>
    public bool TryFindSymbol(ulong address, out KernelSymbol symbol)
    {
        foreach (var m in _modules)
        {
            if (address < m.Start || address >= m.End) continue;
            var list = m.Symbols;
            int lo = 0, hi = list.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (list[mid].Address <= address) lo = mid + 1;
                else hi = mid;
            }
            if (lo > 0)
            {
                symbol = list[lo - 1];
                return true;
            }
        }
        if (_target.TryFindSymbol(address, out symbol, out _)) return true;
        symbol = default;
        return false;
    }

    string DescribeAddress(ulong address, bool isReturnAddress)
    {
        if (TryFindSymbol(isReturnAddress ? address - 1 : address, out var s))
            return $"{s.Name}+0x{address - s.Address:x}";
        return address.ToString("x");
    }

    /// <summary>
    /// The ORC entry layout of this kernel from its own DWARF: the bit fields of
    /// <c>struct orc_entry</c> (arch/x86/include/asm/orc_types.h, changed in v6.3 and v6.4).
    /// Null when the vmlinux has no DWARF or no such type; OrcTable then falls back to detecting
    /// the layout from the entries themselves.
    /// </summary>
    public static OrcEntryLayout? OrcLayoutFromDwarf(Debuginfo.Types.TypeSystem types)
    {
        try
        {
            if (!types.HasDebugInfo || !types.TryFindType("struct orc_entry", out var type)) return null;
            var members = new Dictionary<string, (int BitOffset, int BitSize)>(StringComparer.Ordinal);
            foreach (var m in type.Unqualified().Members)
                if (m.Name is not null)
                    members[m.Name] = ((int)m.BitOffset, (int)(m.IsBitField ? m.BitSize : (m.Type.Unqualified().Size ?? 0) * 8));
            return OrcEntryLayout.FromMembers(members);
        }
        catch (KdumpDebugException)
        {
            return null;
        }
    }
}
