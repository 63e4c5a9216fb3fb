using System.Buffers.Binary;
using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Elf;

namespace KdumpDebug.Debuginfo.Orc;

/// <summary>
/// An ORC unwind table: <c>.orc_unwind_ip</c> (one s32 per entry, the entry's address relative to
/// the s32's own address) and <c>.orc_unwind</c> (one 6-byte <c>struct orc_entry</c> per entry),
/// as in the vmlinux file, a module's .ko, or a loaded module's <c>mod->arch.orc_unwind_ip</c>/
/// <c>orc_unwind</c> in memory (<see cref="OrcTable(ReadOnlyMemory{byte}, ulong, ReadOnlyMemory{byte}, OrcEntryLayout?, string)"/>).
/// <para>
/// Lookup is the kernel's <c>__orc_find</c> (arch/x86/kernel/unwind_orc.c): the last entry whose
/// address is at or below the wanted one, by binary search over the entry addresses, which are
/// computed once at construction (8 bytes per entry; 1 MiB for the fixture's 134,000 entries).
/// The optional <c>.orc_lookup</c> block index only speeds this up in the kernel and is NOBITS in
/// the vmlinux file (filled at boot), so it is not used. Tables are sorted by the build
/// (scripts/sorttable, v5.6) or by the module loader; an unsorted table (a .ko file) is sorted here
/// with the kernel's rule that a "terminator" entry sorts before a real entry at the same address.
/// Addresses are those of the bytes given: link-time for a vmlinux (the caller unrelocates with
/// the KASLR offset), run-time for a module read from memory. Immutable and thread-safe.
/// </para>
/// </summary>
public sealed class OrcTable
{
    /// <summary>Most entries accepted (the fixture vmlinux has 134,359; a large distribution kernel about 1 million).</summary>
    public const int MaxEntries = 1 << 24;

    readonly ReadOnlyMemory<byte> _entries;
    readonly ulong[] _addresses;
    readonly int[]? _order;

    /// <summary>Where the table came from (a file path or a description of the memory it was read from).</summary>
    public string Source { get; }

    /// <summary>The entry layout in use.</summary>
    public OrcEntryLayout Layout { get; }

    /// <summary>
    /// Entries that are implausible under <see cref="Layout"/> when it was detected (see
    /// <see cref="OrcEntryLayout.Detect"/>); 0 when the layout was given.
    /// </summary>
    public int ImplausibleEntries { get; }

    public int Count => _addresses.Length;

    /// <summary>Address of the first entry (nothing below it is covered).</summary>
    public ulong FirstAddress => _addresses.Length == 0 ? ulong.MaxValue : _addresses[0];

    /// <summary>Address of the last entry (usually a terminator covering everything above it).</summary>
    public ulong LastAddress => _addresses.Length == 0 ? 0 : _addresses[^1];

    /// <summary>
    /// A table over raw bytes: <paramref name="ipTable"/> (the s32 array) placed at
    /// <paramref name="ipTableAddress"/>, and <paramref name="entries"/> (the orc_entry array).
    /// <paramref name="layout"/> null means detect it (<see cref="OrcEntryLayout.Detect"/>).
    /// <paramref name="source"/> names the table in error messages.
    /// </summary>
    /// <exception cref="DumpFormatException">the sizes do not fit together or exceed <see cref="MaxEntries"/>.</exception>
    public OrcTable(ReadOnlyMemory<byte> ipTable, ulong ipTableAddress, ReadOnlyMemory<byte> entries, OrcEntryLayout? layout, string source)
    {
        Source = source;
        if (ipTable.Length % 4 != 0)
            throw new DumpFormatException(source, null, ".orc_unwind_ip size", $"0x{ipTable.Length:x} bytes is not a multiple of 4");
        if (entries.Length % OrcEntryLayout.EntrySize != 0)
            throw new DumpFormatException(source, null, ".orc_unwind size", $"0x{entries.Length:x} bytes is not a multiple of {OrcEntryLayout.EntrySize}");
        var count = ipTable.Length / 4;
        if (entries.Length / OrcEntryLayout.EntrySize != count)
            throw new DumpFormatException(source, null, ".orc_unwind size",
                $"{entries.Length / OrcEntryLayout.EntrySize} entries but .orc_unwind_ip has {count}");
        if (count > MaxEntries)
            throw new DumpFormatException(source, null, ".orc_unwind_ip size", $"{count} entries is more than the limit ({MaxEntries})");
        _entries = entries;
        if (layout is null)
        {
            Layout = OrcEntryLayout.Detect(entries.Span, out var implausible);
            ImplausibleEntries = implausible;
        }
        else Layout = layout;

        var ips = ipTable.Span;
        var addresses = new ulong[count];
        for (var i = 0; i < count; i++)
            addresses[i] = unchecked(ipTableAddress + (ulong)i * 4 + (ulong)(long)BinaryPrimitives.ReadInt32LittleEndian(ips[(i * 4)..]));

        var sorted = true;
        for (var i = 1; i < count && sorted; i++)
            sorted = Compare(addresses, i - 1, i) <= 0;
        if (!sorted)
        {
            var order = new int[count];
            for (var i = 0; i < count; i++) order[i] = i;
            Array.Sort(order, (a, b) => Compare(addresses, a, b));
            var sortedAddresses = new ulong[count];
            for (var i = 0; i < count; i++) sortedAddresses[i] = addresses[order[i]];
            addresses = sortedAddresses;
            _order = order;
        }
        _addresses = addresses;
    }

    /// <summary>The kernel's orc_sort_cmp: by address; at equal addresses, "weak" terminators (no sp_reg, no end) first.</summary>
    int Compare(ulong[] addresses, int a, int b)
    {
        var c = addresses[a].CompareTo(addresses[b]);
        if (c != 0) return c;
        return IsTerminator(b).CompareTo(IsTerminator(a));
    }

    bool IsTerminator(int index) => Layout.Decode(_entries.Span.Slice(index * OrcEntryLayout.EntrySize, OrcEntryLayout.EntrySize)).Type == OrcType.Undefined;

    /// <summary>
    /// The ORC tables of <paramref name="elf"/> (<c>.orc_unwind_ip</c> and <c>.orc_unwind</c>), or
    /// null when it has none. For a relocatable file (a .ko) the <c>.orc_unwind_ip</c> relocations are
    /// applied with sections at <paramref name="sectionAddress"/> (default <c>sh_addr</c>), so the
    /// addresses are where the module placed its code.
    /// </summary>
    /// <exception cref="DumpFormatException">the sections do not fit together, or a relocation is corrupt.</exception>
    public static OrcTable? FromElf(ElfFile elf, Func<ElfSection, ulong>? sectionAddress = null, OrcEntryLayout? layout = null)
    {
        ArgumentNullException.ThrowIfNull(elf);
        if (!elf.TryGetSection(".orc_unwind_ip", out var ipSection) || !elf.TryGetSection(".orc_unwind", out var entrySection))
            return null;
        if (ipSection.IsNoBits || entrySection.IsNoBits) return null;
        var place = sectionAddress ?? (s => s.Address);
        var ips = elf.GetRelocatedSectionBytes(ipSection, place);
        var entries = elf.GetSectionBytes(entrySection);
        return new OrcTable(ips, place(ipSection), entries, layout, elf.Path);
    }

    /// <summary>
    /// The entry in effect at <paramref name="address"/> and the address range it covers
    /// ([<paramref name="start"/>, <paramref name="end"/>); the last entry's range ends at
    /// ulong.MaxValue). False below the first entry. Cost: a binary search, no allocation.
    /// </summary>
    public bool TryFind(ulong address, out OrcEntry entry, out ulong start, out ulong end)
    {
        var a = _addresses;
        int lo = 0, hi = a.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (a[mid] <= address) lo = mid + 1;
            else hi = mid;
        }
        if (lo == 0)
        {
            entry = default;
            start = end = 0;
            return false;
        }
        var i = lo - 1;
        start = a[i];
        end = lo < a.Length ? a[lo] : ulong.MaxValue;
        entry = EntryAt(i);
        return true;
    }

    /// <summary>The decoded entry at sorted position <paramref name="index"/>.</summary>
    public OrcEntry EntryAt(int index)
    {
        var raw = _order is null ? index : _order[index];
        return Layout.Decode(_entries.Span.Slice(raw * OrcEntryLayout.EntrySize, OrcEntryLayout.EntrySize));
    }

    /// <summary>The address of the entry at sorted position <paramref name="index"/>.</summary>
    public ulong AddressAt(int index) => _addresses[index];
}
