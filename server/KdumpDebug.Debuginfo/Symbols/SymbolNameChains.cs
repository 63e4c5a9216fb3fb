using System.Runtime.InteropServices;

namespace KdumpDebug.Debuginfo.Symbols;

/// <summary>
/// Name lookup over a table of symbols in address order: each name's first index, and from each
/// index the next one with the same name, so every symbol of a name comes back in table order.
/// Built on the first lookup, not with the table: a backtrace names frames by address only, and
/// one dictionary over a distribution kernel's 117k names costs ~15 ms it does not need.
/// Thread-safe.
/// </summary>
sealed class SymbolNameChains
{
    readonly ElfSymbol[] _symbols;
    readonly Lazy<(Dictionary<string, int> First, int[] Next)> _chains;

    public SymbolNameChains(ElfSymbol[] symbols)
    {
        _symbols = symbols;
        _chains = new Lazy<(Dictionary<string, int>, int[])>(Build, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The first index of a symbol named <paramref name="name"/>, or -1.</summary>
    public int First(string name) => _chains.Value.First.TryGetValue(name, out var i) ? i : -1;

    /// <summary>The next index after <paramref name="index"/> with the same name, or -1.</summary>
    public int Next(int index) => _chains.Value.Next[index];

    (Dictionary<string, int>, int[]) Build()
    {
        var first = new Dictionary<string, int>(_symbols.Length, StringComparer.Ordinal);
        var next = new int[_symbols.Length];
        // Walk backwards so each name's chain runs in table order.
        for (var i = _symbols.Length - 1; i >= 0; i--)
        {
            // One hash lookup per symbol (not a TryGetValue and a store).
            ref var head = ref CollectionsMarshal.GetValueRefOrAddDefault(first, _symbols[i].Name, out var seen);
            next[i] = seen ? head : -1;
            head = i;
        }
        return (first, next);
    }
}
