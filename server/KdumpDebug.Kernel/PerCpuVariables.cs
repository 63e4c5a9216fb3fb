using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Dwarf;
using KdumpDebug.Debuginfo.Dwarf.Index;
using KdumpDebug.Debuginfo.Symbols;
using KdumpDebug.Debuginfo.Types;
using KdumpDebug.Target;
using KdumpDebug.Target.Objects;

namespace KdumpDebug.Kernel;

/// <summary>
/// Every per-CPU variable of the vmlinux (<c>DEFINE_PER_CPU</c> and its kin, placed in the
/// <c>.data..percpu</c> section: include/linux/percpu-defs.h), sorted by name: the object symbols
/// between <c>__per_cpu_start</c> and <c>__per_cpu_end</c> (link-time offsets into the per-CPU area,
/// e.g. <c>runqueues</c> at 0x2edc0) that have a DWARF definition at that offset. Symbols without
/// debug information are left out; a name defined <c>static</c> in several files appears once per
/// definition. CPU N's copy of variable i is <see cref="ValueOn"/>(i, N), read at
/// <c>__per_cpu_offset[N]</c> + offset (<see cref="PerCpu.PerCpuPtr"/>).
/// <para>
/// Cost: building the list (once per target, <see cref="LinuxKernel.PerCpuVariables"/>) is a pass
/// over the symbol table's per-CPU range and one name-index probe per symbol (a few hundred on a
/// distribution kernel); a variable's type is built on first use, and nothing is read from the dump
/// until a value is. Thread-safe.
/// </para>
/// </summary>
public sealed class PerCpuVariables
{
    readonly KernelTarget _target;
    readonly (string Name, ulong Offset, Die Die)[] _entries;
    readonly Lazy<GlobalVariable?>[] _variables;

    PerCpuVariables(KernelTarget target, (string, ulong, Die)[] entries)
    {
        _target = target;
        _entries = entries;
        _variables = new Lazy<GlobalVariable?>[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            var die = entries[i].Item3;
            _variables[i] = new Lazy<GlobalVariable?>(() =>
            {
                try { return target.Vmlinux.Types.VariableOf(die); }
                catch (KdumpDebugException) { return null; }
            }, LazyThreadSafetyMode.ExecutionAndPublication);
        }
    }

    /// <summary>The per-CPU variables of <paramref name="target"/>; an empty list without DWARF or per-CPU symbols.</summary>
    internal static PerCpuVariables Find(KernelTarget target)
    {
        var types = target.Vmlinux.Types;
        var symbols = target.Vmlinux.Symbols;
        if (!types.HasDebugInfo || !symbols.TryLookup("__per_cpu_start", out var start) || !symbols.TryLookup("__per_cpu_end", out var end))
            return new PerCpuVariables(target, []);
        var sorted = symbols.SortedByAddress;
        int lo = 0, hi = sorted.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid].Address < start.Address) lo = mid + 1; else hi = mid;
        }
        // Absolute symbols may have small values too: only the per-CPU section's own count.
        var section = target.Vmlinux.Elf.TryGetSection(".data..percpu", out var s) ? s.Index : (int?)null;
        var entries = new List<(string, ulong, Die)>();
        var seen = new HashSet<(string, ulong)>();
        for (var i = lo; i < sorted.Count && sorted[i].Address < end.Address; i++)
        {
            var symbol = sorted[i];
            if (symbol.Kind != SymbolKind.Object || symbol.Name.Length == 0 || (section is int index && symbol.SectionIndex != index)
                || !seen.Add((symbol.Name, symbol.Address))) continue;
            if (DefinitionAt(types, symbol.Name, symbol.Address) is { IsNull: false } die)
                entries.Add((symbol.Name, symbol.Address, die));
        }
        entries.Sort(static (a, b) =>
        {
            var byName = string.CompareOrdinal(a.Item1, b.Item1);
            return byName != 0 ? byName : a.Item2.CompareTo(b.Item2);
        });
        return new PerCpuVariables(target, [.. entries]);
    }

    /// <summary>The DW_TAG_variable definition named <paramref name="name"/> located at <paramref name="offset"/>, or default.</summary>
    static Die DefinitionAt(TypeSystem types, string name, ulong offset)
    {
        foreach (var match in types.Index.Find(name, NameKinds.Variable))
        {
            try
            {
                if (TypeSystem.TryGetStaticAddress(match.Die, out var address) && address == offset) return match.Die;
            }
            catch (KdumpDebugException)
            {
                // A corrupt location is not this definition; another may be.
            }
        }
        return default;
    }

    /// <summary>Number of variables.</summary>
    public int Count => _entries.Length;

    /// <summary>The name of variable <paramref name="index"/> (in name order).</summary>
    public string NameOf(int index) => _entries[index].Name;

    /// <summary>The offset of variable <paramref name="index"/> in the per-CPU area.</summary>
    public ulong OffsetOf(int index) => _entries[index].Offset;

    /// <summary>The DWARF variable <paramref name="index"/> (type built on first use); null when its DIE is corrupt.</summary>
    public GlobalVariable? VariableOf(int index) => _variables[index].Value;

    /// <summary>
    /// CPU <paramref name="cpu"/>'s copy of variable <paramref name="index"/> as an lvalue of its type
    /// (<c>per_cpu(name, cpu)</c>); an absent value saying why when it cannot be placed.
    /// </summary>
    public TargetObject ValueOn(int index, int cpu)
    {
        var types = _target.Vmlinux.Types;
        if (VariableOf(index) is not { } variable)
            return TargetObject.Absent(_target, types, types.Void, $"{NameOf(index)}: corrupt debug information");
        try
        {
            return PerCpu.PerCpuPtr(_target, types, variable.Type, OffsetOf(index), cpu);
        }
        catch (KdumpDebugException e)
        {
            return TargetObject.Absent(_target, types, variable.Type, e.Message);
        }
    }
}
