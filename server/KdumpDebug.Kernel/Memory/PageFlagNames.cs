using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel.Memory;

/// <summary>
/// Names of the <c>page-&gt;flags</c> bits as the kernel prints them (<c>%pGp</c>): the kernel's own
/// <c>pageflag_names[]</c> table (mm/debug.c, <c>struct trace_print_flags { mask; name; }</c>, ended
/// by a NULL name), read from the dump, in table order, as crash does (page_flags_init_from_pageflag_names).
/// A kernel without the table falls back to <c>enum pageflags</c> from DWARF, each PG_xxx as "xxx"
/// up to __NR_PAGEFLAGS. One instance per target (<see cref="For"/>).
/// </summary>
public sealed class PageFlagNames
{
    // The table has ~25 entries; a corrupt one must not make us read on for ever.
    const int MaxEntries = 128;

    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<KernelTarget, PageFlagNames> Instances = new();

    readonly (ulong Mask, string Name)[] _entries;

    PageFlagNames((ulong, string)[] entries) => _entries = entries;

    public static PageFlagNames For(KernelTarget target) => Instances.GetValue(target, Load);

    /// <summary>The names of the bits set in <paramref name="flags"/>, comma-separated ("locked,uptodate,lru"); empty when none.</summary>
    public string Describe(ulong flags) =>
        string.Join(',', _entries.Where(e => e.Mask != 0 && (flags & e.Mask) == e.Mask).Select(e => e.Name));

    static PageFlagNames Load(KernelTarget target)
    {
        try
        {
            if (KernelMemory.SymbolAddress(target, "pageflag_names") is ulong table)
            {
                var size = KernelMemory.SizeOf(target, "trace_print_flags");
                var maskOffset = KernelMemory.Offset(target, "trace_print_flags", "mask");
                var nameOffset = KernelMemory.Offset(target, "trace_print_flags", "name");
                var entries = new List<(ulong, string)>();
                for (var i = 0; i < MaxEntries; i++)
                {
                    var entry = table + (ulong)i * size;
                    var name = KernelMemory.ReadU64(target, entry + nameOffset);
                    if (name == 0) break;
                    entries.Add((KernelMemory.ReadU64(target, entry + maskOffset), KernelMemory.ReadCString(target, name, 64)));
                }
                if (entries.Count > 0) return new PageFlagNames(entries.ToArray());
            }
        }
        catch (KdumpDebugException)
        {
            // fall back to the enum below
        }
        return new PageFlagNames(FromEnum(target));
    }

    static (ulong, string)[] FromEnum(KernelTarget target)
    {
        var count = KernelMemory.Enumerator(target, "__NR_PAGEFLAGS") ?? 0;
        var entries = new List<(ulong, string)>();
        if (!target.Objects.Types.TryFindType("enum pageflags", out var type)) return [];
        foreach (var e in type.Enumerators)
        {
            if (!e.Name.StartsWith("PG_", StringComparison.Ordinal) || e.Value < 0 || e.Value >= Math.Min(count, 64)) continue;
            // Aliases (PG_checked = PG_owner_priv_1, ...) share a bit: keep the first name, as the kernel's table does.
            if (entries.Any(x => x.Item1 == 1UL << (int)e.Value)) continue;
            entries.Add((1UL << (int)e.Value, e.Name[3..]));
        }
        return entries.ToArray();
    }
}
