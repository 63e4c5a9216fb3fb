namespace KdumpDebug.Target.Modules;

/// <summary>
/// The crashed kernel's loaded modules, indexed for symbol lookups by address (sorted by base)
/// and by name. Immutable once built; thread-safe.
/// </summary>
public sealed class ModuleSet
{
    readonly KernelModule[] _byBase;
    readonly Dictionary<string, KernelSymbol> _symbolsByName = new(StringComparer.Ordinal);

    public ModuleSet(IReadOnlyList<KernelModule> modules, IReadOnlyList<string> problems)
    {
        Modules = modules;
        Problems = problems;
        _byBase = modules.OrderBy(m => m.BaseAddress).ToArray();
        foreach (var m in modules)
            foreach (var s in m.Symbols)
                _symbolsByName.TryAdd(s.Name, s);
    }

    public static readonly ModuleSet Empty = new([], []);

    /// <summary>Modules in the kernel's list order (most recently loaded first, as crash shows them).</summary>
    public IReadOnlyList<KernelModule> Modules { get; }

    /// <summary>One line per problem met while reading the module list.</summary>
    public IReadOnlyList<string> Problems { get; }

    public bool TryLookupSymbol(string name, out KernelSymbol symbol) => _symbolsByName.TryGetValue(name, out symbol);

    /// <summary>The module whose core allocation holds <paramref name="address"/>.</summary>
    public KernelModule? FindModule(ulong address)
    {
        int lo = 0, hi = _byBase.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >> 1;
            if (_byBase[mid].BaseAddress <= address) lo = mid + 1; else hi = mid - 1;
        }
        return hi >= 0 && _byBase[hi].Contains(address) ? _byBase[hi] : null;
    }

    /// <summary>The last module symbol at or below <paramref name="address"/> inside the module that holds it.</summary>
    public bool TryFindSymbol(ulong address, out KernelSymbol symbol, out ulong offset)
    {
        symbol = default;
        offset = 0;
        var module = FindModule(address);
        if (module is null) return false;
        var symbols = module.Symbols;
        int lo = 0, hi = symbols.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >> 1;
            if (symbols[mid].Address <= address) lo = mid + 1; else hi = mid - 1;
        }
        if (hi < 0) return false;
        symbol = symbols[hi];
        offset = address - symbol.Address;
        return true;
    }
}
