using System.Runtime.CompilerServices;
using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Dwarf;
using KdumpDebug.Debuginfo.Lines;

namespace KdumpDebug.Target.Unwind;

/// <summary>
/// Expands unwound (physical) frames into the logical frames a debugger shows, adding one frame per
/// function inlined at the pc (DWARF 5 §3.3.8, DW_TAG_inlined_subroutine), as gdb and drgn do.
/// <para>
/// For a frame's code address (the pc when it is exact, pc - 1 for a return address, so a call at
/// the very end of an inlined body is attributed to it), the out-of-line DW_TAG_subprogram is found
/// by the symbol's name through the DWARF name index (clone suffixes such as <c>.cold</c> or
/// <c>.isra.0</c> removed) among the functions of that name whose ranges contain the address, else
/// by address among the top-level subprograms of the unit whose ranges hold it (the symbol
/// <c>__x64_sys_pause</c> is <c>__do_sys_pause</c> in DWARF); then
/// the chain of nested DW_TAG_inlined_subroutine DIEs (also inside DW_TAG_lexical_block) whose
/// low_pc/high_pc or DW_AT_ranges contain it. The innermost logical frame takes its file:line from
/// the line table; each outer one from the call site of the instance inside it
/// (DW_AT_call_file/DW_AT_call_line).
/// </para>
/// <para>
/// A module frame is looked up by address in the module's own DWARF (its debug file from
/// --modules, relocated to where its sections were loaded). Frames without a DWARF subprogram
/// (assembly such as the syscall entry, a module without a debug file) stay one logical frame
/// named by the symbol. Cost per frame: a name-index lookup (the index is built on
/// first use), decoding the function's DIE subtree down to the pc, and one line-table lookup.
/// </para>
/// </summary>
public static class InlineFrameExpander
{
    /// <summary>The logical frames of <paramref name="frames"/>, innermost first, in stack order.</summary>
    public static IReadOnlyList<LogicalFrame> Expand(KernelTarget target, IReadOnlyList<StackFrameInfo> frames)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(frames);
        var result = new List<LogicalFrame>(frames.Count + 4);
        foreach (var frame in frames) result.AddRange(ExpandFrame(target, frame));
        return result;
    }

    /// <summary>The logical frames of one physical frame: its inline instances innermost first, then the function itself.</summary>
    public static IReadOnlyList<LogicalFrame> ExpandFrame(KernelTarget target, StackFrameInfo frame)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(frame);
        var codeAddress = frame.IsInterrupted || frame.Pc == 0 ? frame.Pc : frame.Pc - 1;
        string? innerFile = null;
        var innerLine = 0;
        if (target.TryFindSourceLine(codeAddress, out var file, out var line))
        {
            innerFile = file;
            innerLine = line;
        }
        // Without a DWARF subprogram the symbol names the frame; a clone's DWARF name is its base name.
        var symbolName = frame.Symbol is { } s ? BaseName(s.Name) : null;
        LogicalFrame[] Single() => [new LogicalFrame(frame, 0, false, symbolName, innerFile, innerLine)];
        if (frame.Symbol is not { } symbol) return Single();

        // chain[0] is the out-of-line function, chain[^1] the innermost inline instance.
        List<Die> chain;
        LineTable? lines;
        ulong dwarfAddress;
        try
        {
            Die subprogram;
            ulong linkAddress;
            if (symbol.Module is null)
            {
                if (target.Vmlinux.Dwarf is null) return Single();
                linkAddress = codeAddress - (codeAddress >= target.KaslrOffset ? target.KaslrOffset : 0);
                subprogram = FindSubprogram(target, BaseName(symbol.Name), linkAddress);
                lines = target.Vmlinux.Lines;
            }
            else
            {
                // A module's DWARF is relocated to where the kernel loaded its sections: run-time addresses.
                var module = target.Modules.FindModule(codeAddress);
                if (module?.DebugInfo?.Dwarf is not { } dwarf) return Single();
                linkAddress = codeAddress;
                subprogram = FindSubprogramByAddress(dwarf, linkAddress);
                lines = module.Lines;
            }
            if (subprogram.IsNull) return Single();
            dwarfAddress = linkAddress;
            chain = [subprogram];
            for (var depth = 0; depth < 64; depth++)
            {
                var inner = FindInlinedChild(chain[^1], linkAddress, 0);
                if (inner.IsNull) break;
                chain.Add(inner);
            }
        }
        catch (KdumpDebugException)
        {
            // A corrupt DIE tree or range list: the frame is still shown, without inline levels.
            return Single();
        }

        var result = new List<LogicalFrame>(chain.Count);
        for (var i = chain.Count - 1; i >= 0; i--)
        {
            var die = chain[i];
            var name = die.TryGetAttributeFollowingOrigins(DwAt.Name, out var n) ? n.AsString() : symbolName;
            string? frameFile = innerFile;
            var frameLine = innerLine;
            if (i < chain.Count - 1)
                (frameFile, frameLine) = CallSite(lines, chain[i + 1]);
            result.Add(new LogicalFrame(frame, chain.Count - 1 - i, i > 0, name, frameFile, frameLine)
            {
                Scope = die,
                Subprogram = chain[0],
                DwarfAddress = dwarfAddress,
            });
        }
        return result;
    }

    /// <summary>
    /// Builds what the first expansion would otherwise build on the caller's time: the vmlinux's
    /// line table and the compilation units' address ranges (hundreds of milliseconds on a distro
    /// kernel's DWARF). Meant for a second core while the task list loads; thread-safe, idempotent,
    /// and silent on bad DWARF (the expansion reports it).
    /// </summary>
    public static void Prepare(KernelTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        try
        {
            _ = target.Vmlinux.Lines;
            // With a complete .debug_aranges the units' own ranges are never needed.
            if (target.Vmlinux.Dwarf is { } dwarf && target.Vmlinux.UnitsByAddress is not { Complete: true })
                UnitRanges.GetValue(dwarf, BuildUnitRanges);
        }
        catch (KdumpDebugException)
        {
            // Reported when a frame is expanded.
        }
    }

    /// <summary>
    /// A symbol name without the suffixes GCC gives clones and split parts (<c>foo.cold</c>,
    /// <c>foo.isra.0</c>, <c>foo.constprop.0</c>, <c>foo.part.0</c>): their DWARF subprogram is
    /// named <c>foo</c>.
    /// </summary>
    static string BaseName(string symbolName)
    {
        var dot = symbolName.IndexOf('.', 1);
        return dot > 0 ? symbolName[..dot] : symbolName;
    }

    static Die FindSubprogram(KernelTarget target, string name, ulong linkAddress)
    {
        foreach (var function in target.Vmlinux.Types.FindFunctions(name))
            foreach (var range in function.Ranges)
                if (range.Contains(linkAddress)) return function.Die;
        // The symbol is not the DWARF name of the code: e.g. SYSCALL_DEFINE's __x64_sys_pause,
        // whose code DWARF describes as __do_sys_pause. Search the unit holding the address.
        return FindSubprogramByAddress(target.Vmlinux.Dwarf!, linkAddress, target.Vmlinux.UnitsByAddress);
    }

    /// <summary>Every compilation unit's ranges (its root DIE's), sorted by start; built once per DWARF file.</summary>
    static readonly ConditionalWeakTable<DwarfInfo, UnitRange[]> UnitRanges = new();

    readonly record struct UnitRange(ulong Begin, ulong End, DwarfUnit Unit);

    static UnitRange[] BuildUnitRanges(DwarfInfo dwarf)
    {
        var list = new List<UnitRange>();
        foreach (var unit in dwarf.Units)
        {
            try
            {
                foreach (var range in RangeLists.ForDie(unit.Root))
                    if (range.Begin != 0) list.Add(new UnitRange(range.Begin, range.End, unit));
            }
            catch (KdumpDebugException)
            {
                // A unit with a corrupt range list cannot be searched by address; the others still can.
            }
        }
        list.Sort((a, b) => a.Begin.CompareTo(b.Begin));
        return [.. list];
    }

    /// <summary>
    /// The top-level DW_TAG_subprogram whose ranges contain the address, in the unit whose ranges
    /// contain it. Cost: the units' ranges once, then one pass over that unit's top-level DIEs.
    /// </summary>
    static Die FindSubprogramByAddress(DwarfInfo dwarf, ulong linkAddress, UnitAddressIndex? unitsByAddress = null)
    {
        // .debug_aranges names the unit (or, when complete, says there is none: assembly entry
        // code such as entry_SYSCALL_64) without reading every unit's ranges.
        ulong unitOffset = 0;
        switch (unitsByAddress?.TryFind(linkAddress, out unitOffset))
        {
            case UnitAddressIndex.Covered.InNoUnit:
                return default;
            case UnitAddressIndex.Covered.InUnit when dwarf.TryGetUnit(new DebugInfoOffset(unitOffset), out var unit):
                foreach (var child in unit.Root.Children)
                    if (child.Tag == DwTag.Subprogram && Contains(child, linkAddress)) return child;
                return default;
        }
        var ranges = UnitRanges.GetValue(dwarf, BuildUnitRanges);
        int lo = 0, hi = ranges.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (ranges[mid].Begin <= linkAddress) lo = mid + 1; else hi = mid;
        }
        // Unit ranges do not overlap in a linked file; look back a few in case they do.
        for (var i = lo - 1; i >= 0 && i >= lo - 8; i--)
        {
            if (linkAddress >= ranges[i].End) continue;
            foreach (var child in ranges[i].Unit.Root.Children)
                if (child.Tag == DwTag.Subprogram && Contains(child, linkAddress)) return child;
        }
        return default;
    }

    /// <summary>
    /// The DW_TAG_inlined_subroutine child of <paramref name="parent"/> (looking through lexical
    /// blocks) whose ranges contain the address, or default. Blocks nest at most a few levels;
    /// 32 bounds a corrupt file.
    /// </summary>
    static Die FindInlinedChild(Die parent, ulong linkAddress, int level)
    {
        if (level > 32 || !parent.HasChildren) return default;
        foreach (var child in parent.Children)
        {
            var tag = child.Tag;
            if (tag == DwTag.InlinedSubroutine)
            {
                if (Contains(child, linkAddress)) return child;
            }
            else if (tag == DwTag.LexicalBlock)
            {
                var ranges = RangeLists.ForDie(child);
                if (ranges.Count > 0 && !ranges.Exists(r => r.Contains(linkAddress))) continue;
                var found = FindInlinedChild(child, linkAddress, level + 1);
                if (!found.IsNull) return found;
            }
        }
        return default;
    }

    static bool Contains(Die die, ulong linkAddress)
    {
        foreach (var range in RangeLists.ForDie(die))
            if (range.Contains(linkAddress)) return true;
        return false;
    }

    /// <summary>Where <paramref name="inlined"/> was called: DW_AT_call_file through its unit's line program, and DW_AT_call_line.</summary>
    static (string? File, int Line) CallSite(LineTable? lines, Die inlined)
    {
        var line = inlined.TryGetUnsigned(DwAt.CallLine, out var l) ? (int)Math.Min(l, int.MaxValue) : 0;
        string? file = null;
        if (inlined.TryGetUnsigned(DwAt.CallFile, out var fileIndex) && fileIndex <= uint.MaxValue
            && inlined.Unit.LineProgram is { } program && lines is not null)
            file = lines.FilePath(program.Value, (uint)fileIndex);
        return (file, line);
    }
}
