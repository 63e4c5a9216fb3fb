using KdumpDebug.Debuginfo.Cfi;
using KdumpDebug.Debuginfo.Orc;
using KdumpDebug.Target.Unwind;

namespace KdumpDebug.Target.Tests.Unwind;

/// <summary>
/// Memory for unwinder tests: 8-byte words in a dictionary, plus optional generated ranges; any
/// other address is unreadable ("no memory at ADDR"), as a hole in a dump would be.
/// </summary>
internal sealed class DictionaryMemory : IUnwindMemory
{
    readonly Dictionary<ulong, ulong> _words = new();
    readonly List<(ulong Start, ulong End, Func<ulong, ulong> Value)> _generated = [];

    public int Reads { get; private set; }

    public ulong this[ulong address]
    {
        set => _words[address] = value;
    }

    /// <summary>Every 8-byte word in [start, end) reads as <paramref name="value"/>(address).</summary>
    public DictionaryMemory Generate(ulong start, ulong end, Func<ulong, ulong> value)
    {
        _generated.Add((start, end, value));
        return this;
    }

    /// <summary>Writes a struct pt_regs at <paramref name="address"/>.</summary>
    public void WritePtRegs(ulong address, RegisterSet regs)
    {
        for (var i = 0; i < PtRegs.Order.Length; i++)
            _words[address + (ulong)i * 8] = regs[PtRegs.Order[i]] ?? 0;
    }

    public bool TryReadUInt64(ulong address, out ulong value, out string? error)
    {
        Reads++;
        if (_words.TryGetValue(address, out value))
        {
            error = null;
            return true;
        }
        foreach (var (s, e, f) in _generated)
        {
            if (address >= s && address < e)
            {
                value = f(address);
                error = null;
                return true;
            }
        }
        error = $"no memory at {address:x}";
        return false;
    }
}

/// <summary>Rows for address ranges, in the order added; a test's stand-in for one ORC or CFI table.</summary>
internal sealed class ListRowSource(string name = "test") : IUnwindRowSource
{
    readonly List<(ulong Start, ulong End, Func<UnwindRow?> Row)> _rows = [];

    public string Name { get; } = name;

    public int Lookups { get; private set; }

    public List<ulong> LookedUp { get; } = [];

    /// <summary>An ORC entry over [start, end), translated as the vmlinux's would be.</summary>
    public ListRowSource Orc(ulong start, ulong end, OrcEntry entry)
    {
        _rows.Add((start, end, () => entry.ToUnwindRow(start, end)));
        return this;
    }

    /// <summary>Any row over [start, end).</summary>
    public ListRowSource Row(ulong start, ulong end, Func<UnwindRow> row)
    {
        _rows.Add((start, end, row));
        return this;
    }

    public bool TryFindRow(ulong address, out UnwindRow row)
    {
        Lookups++;
        LookedUp.Add(address);
        foreach (var (s, e, f) in _rows)
        {
            if (address < s || address >= e) continue;
            var r = f();
            if (r is null) break;
            row = r;
            return true;
        }
        row = null!;
        return false;
    }
}

internal static class Regs
{
    public const ulong TextStart = 0xffff_ffff_8100_0000, TextEnd = 0xffff_ffff_8200_0000;
    public const ulong Stack = 0xffff_c900_0001_0000;

    public static bool IsText(ulong a) => a >= TextStart && a < TextEnd;

    public static RegisterSet Of(params (UnwindRegister Register, ulong Value)[] values)
    {
        var set = new RegisterSet();
        foreach (var (r, v) in values) set.Set(r, v);
        return set;
    }

    public static OrcEntry Call(short spOffset, OrcRegister sp = OrcRegister.Sp, OrcRegister bp = OrcRegister.Undefined, short bpOffset = 0) =>
        new(spOffset, bpOffset, sp, bp, OrcType.Call, false);

    public static readonly OrcEntry End = new(0, 0, OrcRegister.Undefined, OrcRegister.Undefined, OrcType.EndOfStack, false);

    public static StackWalker Walker(DictionaryMemory memory, params IUnwindRowSource[] sources) =>
        new(memory, sources, IsText, (a, ret) => $"{a:x}{(ret ? "(ret)" : "")}");
}
