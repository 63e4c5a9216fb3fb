using System.Text;
using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel;

/// <summary>
/// The kernel's taint state: <c>tainted_mask</c> printed as <c>print_tainted()</c> does
/// (kernel/panic.c): "Not tainted" for a zero mask, else "Tainted: " and one character per entry
/// of <c>taint_flags[]</c>, its <c>c_true</c> when the bit is set and <c>c_false</c> when not. The
/// letters come from the dump's own table (read through DWARF), so a kernel with more or fewer
/// flags prints its own. Cost: two variable reads and one small array.
/// </summary>
public static class Taint
{
    /// <summary>More entries than bits in an unsigned long cannot be a taint table.</summary>
    const int MaxFlags = 64;

    /// <summary><c>tainted_mask</c> (an unsigned long, one bit per TAINT_* number).</summary>
    public static ulong ReadTaintedMask(KernelTarget target) => target.Objects.Variable("tainted_mask").ReadUnsigned();

    /// <summary>
    /// <c>taint_flags[]</c>, index = taint bit. Throws a one-line KdumpDebugException when the
    /// vmlinux has no such table or its size is implausible.
    /// </summary>
    public static IReadOnlyList<TaintFlag> ReadTaintFlags(KernelTarget target)
    {
        var table = target.Objects.Variable("taint_flags");
        if (table.UnderlyingType.Count is not ulong count || count == 0 || count > MaxFlags)
            throw new KdumpDebugException($"taint_flags: {table.UnderlyingType.Count?.ToString() ?? "unknown"} entries is not a taint table");
        var flags = new TaintFlag[count];
        for (var i = 0; i < (int)count; i++)
        {
            var entry = table.Index(i);
            // c_true/c_false are plain chars; `module` is a bool (include/linux/panic.h struct taint_flag).
            flags[i] = new TaintFlag((char)(byte)entry.Member("c_true").ReadUnsigned(), (char)(byte)entry.Member("c_false").ReadUnsigned(),
                entry.UnderlyingType.TryFindMember("module", out _) && entry.Member("module").ReadUnsigned() != 0);
        }
        return flags;
    }

    /// <summary>The taint line of <paramref name="target"/>: <see cref="PrintTainted"/> of its mask and flag table.</summary>
    public static string Describe(KernelTarget target) => PrintTainted(ReadTaintedMask(target), ReadTaintFlags(target));

    /// <summary>
    /// <c>print_tainted()</c>: "Not tainted", or "Tainted: " plus one letter (or the clear-bit
    /// character, often a space) per table entry, exactly as the kernel builds it: the trailing
    /// spaces are kept. Bits past the table's end are not printed, as in the kernel.
    /// </summary>
    public static string PrintTainted(ulong mask, IReadOnlyList<TaintFlag> flags)
    {
        ArgumentNullException.ThrowIfNull(flags);
        if (mask == 0) return "Not tainted";
        var text = new StringBuilder("Tainted: ", 9 + flags.Count);
        for (var i = 0; i < flags.Count && i < MaxFlags; i++)
            text.Append((mask & (1UL << i)) != 0 ? flags[i].CTrue : flags[i].CFalse);
        return text.ToString();
    }

    /// <summary>The letters of the set bits only ("GOE" style without the clear-bit characters), e.g. "D" or "OE".</summary>
    public static string SetLetters(ulong mask, IReadOnlyList<TaintFlag> flags)
    {
        ArgumentNullException.ThrowIfNull(flags);
        var text = new StringBuilder();
        for (var i = 0; i < flags.Count && i < MaxFlags; i++)
            if ((mask & (1UL << i)) != 0) text.Append(flags[i].CTrue);
        return text.ToString();
    }
}
