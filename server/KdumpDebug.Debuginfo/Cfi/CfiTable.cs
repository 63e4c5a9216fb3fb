using System.Collections.Concurrent;
using KdumpDebug.Core.Collections;
using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Elf;

namespace KdumpDebug.Debuginfo.Cfi;

/// <summary>
/// The call frame information of one file: a <c>.debug_frame</c> or <c>.eh_frame</c> section
/// (DWARF 5 §6.4, LSB 5.0 §10.6), read into <see cref="UnwindRow"/>s, the row type ORC produces too.
/// <para>
/// Design: the section is kept as bytes. The first lookup builds an index of every FDE (one pass
/// over the entry headers: length, CIE pointer, address range; ~19,000 FDEs for the fixture
/// vmlinux) sorted by address; CIEs are parsed once and cached by offset. A row is computed on
/// demand by running the CIE's initial instructions and then the FDE's up to the address
/// (<see cref="TryFindRow"/>), which allocates the row and nothing else. Thread-safe.
/// </para>
/// <para>
/// Addresses are the section's own: link-time addresses for a vmlinux, placed addresses for a
/// relocatable module whose relocations were applied (<see cref="FromElf"/>). A corrupt entry gives
/// a one-line <see cref="DumpFormatException"/> naming the file, section and offset: when the
/// index is built for entry headers (a length past the section end, a CIE pointer out of range),
/// when a row is computed for instructions.
/// </para>
/// </summary>
public sealed class CfiTable
{
    /// <summary>Deepest DW_CFA_remember_state nesting accepted (GCC never nests more than a few).</summary>
    public const int MaxRememberDepth = 64;

    readonly ReadOnlyMemory<byte> _data;
    readonly Lazy<FrameDescriptionEntry[]> _index;
    readonly ConcurrentDictionary<long, CommonInformationEntry> _cies = new();

    /// <summary>File the section came from (for error messages).</summary>
    public string Path { get; }

    /// <summary>Section name (for error messages).</summary>
    public string SectionName { get; }

    public CfiFormat Format { get; }

    /// <summary>Address of the section's first byte (for .eh_frame pc-relative pointers).</summary>
    public ulong SectionAddress { get; }

    /// <summary>
    /// A table over <paramref name="data"/>, the contents of a call-frame section in
    /// <paramref name="format"/> placed at <paramref name="sectionAddress"/>. Nothing is parsed yet.
    /// </summary>
    public CfiTable(ReadOnlyMemory<byte> data, CfiFormat format, ulong sectionAddress, string path, string? sectionName = null)
    {
        _data = data;
        Format = format;
        SectionAddress = sectionAddress;
        Path = path;
        SectionName = sectionName ?? (format == CfiFormat.DebugFrame ? ".debug_frame" : ".eh_frame");
        _index = new Lazy<FrameDescriptionEntry[]>(BuildIndex, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>
    /// The CFI of <paramref name="elf"/>: <c>.debug_frame</c> when present (the kernel is built
    /// with <c>-fno-asynchronous-unwind-tables</c>, so that is what GCC's <c>-g</c> leaves), else
    /// <c>.eh_frame</c>; null when it has neither. For a relocatable file (a .ko) the relocations are
    /// applied with allocated sections at <paramref name="sectionAddress"/> (default their
    /// <c>sh_addr</c>, 0 in a module) and debug sections at 0. Cost: a copy of the section for a
    /// relocatable file; otherwise none until the first lookup.
    /// </summary>
    public static CfiTable? FromElf(ElfFile elf, Func<ElfSection, ulong>? sectionAddress = null)
    {
        ArgumentNullException.ThrowIfNull(elf);
        Func<ElfSection, ulong> place = sectionAddress is null ? s => s.Address : s => s.IsAllocated ? sectionAddress(s) : 0;
        if (elf.TryGetSection(".debug_frame", out var debugFrame) && debugFrame.Size > 0 && !debugFrame.IsNoBits)
            return new CfiTable(elf.GetRelocatedSectionBytes(debugFrame, place), CfiFormat.DebugFrame, 0, elf.Path, debugFrame.Name);
        if (elf.TryGetSection(".eh_frame", out var ehFrame) && ehFrame.Size > 0 && !ehFrame.IsNoBits)
            return new CfiTable(elf.GetRelocatedSectionBytes(ehFrame, place), CfiFormat.EhFrame, place(ehFrame), elf.Path, ehFrame.Name);
        return null;
    }

    /// <summary>Every FDE with a non-empty range, sorted by <see cref="FrameDescriptionEntry.InitialLocation"/> (builds the index).</summary>
    public IReadOnlyList<FrameDescriptionEntry> Fdes => _index.Value;

    /// <summary>The FDE covering <paramref name="address"/>. Cost: a binary search (plus the index on first use).</summary>
    /// <exception cref="DumpFormatException">an entry header is corrupt.</exception>
    public bool TryFindFde(ulong address, out FrameDescriptionEntry fde)
    {
        var fdes = _index.Value;
        int lo = 0, hi = fdes.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (fdes[mid].InitialLocation <= address) lo = mid + 1;
            else hi = mid;
        }
        // lo - 1 is the last FDE starting at or below the address; nested ranges are rare, so
        // look back a few entries for one that covers it.
        for (int i = lo - 1, tries = 0; i >= 0 && tries < 8; i--, tries++)
        {
            if (fdes[i].Contains(address))
            {
                fde = fdes[i];
                return true;
            }
        }
        fde = default;
        return false;
    }

    /// <summary>
    /// The row in effect at <paramref name="address"/>: its CFA and register rules, with
    /// <see cref="UnwindRow.Start"/>/<see cref="UnwindRow.End"/> the addresses where it holds.
    /// False when no FDE covers the address.
    /// </summary>
    /// <exception cref="DumpFormatException">the FDE, its CIE or their instructions are corrupt.</exception>
    public bool TryFindRow(ulong address, out UnwindRow row)
    {
        if (!TryFindFde(address, out var fde))
        {
            row = null!;
            return false;
        }
        row = ComputeRow(fde, address);
        return true;
    }

    /// <summary>Runs <paramref name="fde"/>'s instructions up to <paramref name="address"/> (which it must cover).</summary>
    /// <exception cref="DumpFormatException">corrupt instructions.</exception>
    public UnwindRow ComputeRow(FrameDescriptionEntry fde, ulong address)
    {
        var cie = GetCie(fde.CieOffset);
        return CfiInterpreter.Run(this, _data, cie, fde, address);
    }

    /// <summary>The CIE at <paramref name="offset"/> (parsed once, then cached).</summary>
    /// <exception cref="DumpFormatException">no CIE there, or it is corrupt.</exception>
    public CommonInformationEntry GetCie(long offset) =>
        _cies.TryGetValue(offset, out var cie) ? cie : _cies.GetOrAdd(offset, ParseCie(offset, null));

    CommonInformationEntry ParseCie(long offset, long? referencedFrom)
    {
        var span = _data.Span;
        if (offset < 0 || offset >= span.Length)
            throw new DumpFormatException(Path, referencedFrom, $"{SectionName} CIE pointer",
                $"0x{offset:x} is outside the section (0x{span.Length:x} bytes)");
        var header = ReadHeader(span, (int)offset);
        if (header.Length == 0 || !header.IsCie)
            throw new DumpFormatException(Path, referencedFrom ?? offset, $"{SectionName} CIE pointer",
                $"0x{offset:x} is not the start of a CIE");
        var c = new CfiCursor(span, header.AfterId, header.End, Path, SectionName);
        var version = c.U8("CIE version");
        if (version is not (1 or 3 or 4))
            throw c.ErrorAt(header.AfterId, "CIE version", $"is {version}, expected 1, 3 or 4");
        var augmentation = c.CString("CIE augmentation");
        int addressSize = 8, segmentSize = 0;
        if (version == 4)
        {
            addressSize = c.U8("CIE address_size");
            segmentSize = c.U8("CIE segment_selector_size");
            if (addressSize is not (4 or 8)) throw c.Error("CIE address_size", $"is {addressSize}, expected 4 or 8");
        }
        // The old GCC "eh" augmentation is followed by a pointer-sized exception table address.
        if (augmentation == "eh") c.Skip((ulong)addressSize, "CIE eh_ptr");
        var codeAlign = c.ULeb("CIE code_alignment_factor");
        var dataAlign = c.SLeb("CIE data_alignment_factor");
        var raRegister = version == 1 ? c.U8("CIE return_address_register") : c.ULeb("CIE return_address_register");
        byte fdeEncoding = DwEhPe.Absptr, lsdaEncoding = DwEhPe.Omit;
        bool signal = false, hasAugData = false;
        if (augmentation.Length > 0 && augmentation[0] == 'z')
        {
            hasAugData = true;
            var augLength = c.ULeb("CIE augmentation length");
            var augEnd = c.Position;
            c.Skip(augLength, "CIE augmentation data");
            var after = c.Position;
            c.Position = augEnd;
            foreach (var ch in augmentation.AsSpan(1))
            {
                switch (ch)
                {
                    case 'R': fdeEncoding = c.U8("CIE FDE pointer encoding"); break;
                    case 'L': lsdaEncoding = c.U8("CIE LSDA encoding"); break;
                    case 'P':
                        var personalityEncoding = c.U8("CIE personality encoding");
                        c.EncodedPointer((byte)(personalityEncoding & 0x7f), SectionAddress, addressSize, "CIE personality");
                        break;
                    case 'S': signal = true; break;
                    // 'B' (AArch64 pointer authentication key) and 'G' (MTE) carry no data.
                    case 'B' or 'G': break;
                    default:
                        // An unknown letter: its data size is unknown, but 'z' lets us skip the rest.
                        c.Position = after;
                        goto doneAugmentation;
                }
            }
            if (c.Position > after) throw c.Error("CIE augmentation data", "augmentation fields run past the augmentation data length");
            c.Position = after;
        }
        else if (augmentation.Length > 0 && augmentation != "eh")
        {
            throw c.ErrorAt(header.AfterId + 1, "CIE augmentation", $"\"{augmentation}\" is not supported (no 'z' length to skip it)");
        }
    doneAugmentation:
        return new CommonInformationEntry(offset, version, augmentation, addressSize, segmentSize, codeAlign, dataAlign, raRegister,
            fdeEncoding, lsdaEncoding, signal, hasAugData, c.Position, header.End - c.Position);
    }

    readonly record struct EntryHeader(int Offset, ulong Length, bool Is64, int ContentStart, int End, int IdPosition, ulong Id, bool IsCie, int AfterId);

    EntryHeader ReadHeader(ReadOnlySpan<byte> span, int offset)
    {
        var c = new CfiCursor(span, offset, span.Length, Path, SectionName);
        ulong length = c.U32("entry length");
        var is64 = false;
        if (length == 0xffffffff)
        {
            is64 = true;
            length = c.U64("entry length (64-bit)");
        }
        else if (length >= 0xfffffff0)
        {
            throw c.ErrorAt(offset, "entry length", $"0x{length:x} is a reserved value");
        }
        var contentStart = c.Position;
        if (length == 0) return new EntryHeader(offset, 0, is64, contentStart, contentStart, contentStart, 0, false, contentStart);
        if (length > (ulong)(span.Length - contentStart))
            throw c.ErrorAt(offset, "entry length", $"0x{length:x} bytes at 0x{contentStart:x} run past the end of the section (0x{span.Length:x} bytes)");
        var end = contentStart + (int)length;
        c.End = end;
        ulong id;
        bool isCie;
        if (Format == CfiFormat.DebugFrame)
        {
            id = is64 ? c.U64("CIE id / CIE pointer") : c.U32("CIE id / CIE pointer");
            isCie = id == (is64 ? ulong.MaxValue : 0xffffffffUL);
        }
        else
        {
            // .eh_frame: the CIE id / pointer is 4 bytes whatever the length format (LSB 5.0 §10.6.1).
            id = c.U32("CIE id / CIE pointer");
            isCie = id == 0;
        }
        return new EntryHeader(offset, length, is64, contentStart, end, contentStart, id, isCie, c.Position);
    }

    FrameDescriptionEntry[] BuildIndex()
    {
        var span = _data.Span;
        var list = new List<FrameDescriptionEntry>();
        var offset = 0;
        long lastCieOffset = -1;
        CommonInformationEntry? lastCie = null;
        while (offset < span.Length)
        {
            // Trailing padding shorter than a length field is tolerated (some linkers align the section).
            if (span.Length - offset < 4 && span[offset..].IndexOfAnyExcept((byte)0) < 0) break;
            var h = ReadHeader(span, offset);
            if (h.Length == 0)
            {
                // .eh_frame ends at a zero terminator; in .debug_frame a zero length is padding.
                if (Format == CfiFormat.EhFrame) break;
                offset = h.End;
                continue;
            }
            if (!h.IsCie)
            {
                long cieOffset = Format == CfiFormat.DebugFrame ? (long)h.Id : h.IdPosition - (long)h.Id;
                if ((Format == CfiFormat.DebugFrame && h.Id >= (ulong)span.Length) || cieOffset < 0 || cieOffset >= span.Length)
                    throw new DumpFormatException(Path, h.IdPosition, $"{SectionName} FDE CIE pointer",
                        $"0x{h.Id:x} points outside the section (0x{span.Length:x} bytes)");
                // FDEs mostly follow their CIE (one per compilation unit), so the last one answers most.
                if (cieOffset != lastCieOffset)
                {
                    lastCie = _cies.TryGetValue(cieOffset, out var cached) ? cached : _cies.GetOrAdd(cieOffset, ParseCie(cieOffset, h.IdPosition));
                    lastCieOffset = cieOffset;
                }
                var cie = lastCie!;
                var c = new CfiCursor(span, h.AfterId, h.End, Path, SectionName);
                ulong start, range;
                if (Format == CfiFormat.DebugFrame)
                {
                    if (cie.SegmentSelectorSize > 0) c.Unsigned(cie.SegmentSelectorSize, "FDE segment selector");
                    start = c.Unsigned(cie.AddressSize, "FDE initial_location");
                    range = c.Unsigned(cie.AddressSize, "FDE address_range");
                }
                else
                {
                    start = c.EncodedPointer(cie.FdePointerEncoding, SectionAddress, cie.AddressSize, "FDE pc_begin");
                    // The range has the same value format, never a relative base.
                    range = c.EncodedPointer((byte)(cie.FdePointerEncoding & 0x0f), SectionAddress, cie.AddressSize, "FDE pc_range");
                }
                if (cie.HasAugmentationData)
                {
                    var augLength = c.ULeb("FDE augmentation length");
                    c.Skip(augLength, "FDE augmentation data");
                }
                if (range != 0)
                    list.Add(new FrameDescriptionEntry(offset, cieOffset, start, range, c.Position, h.End - c.Position));
            }
            offset = h.End;
        }
        // 46k entries in a distribution vmlinux: sorted as a permutation of their start addresses.
        var keys = new ulong[list.Count];
        for (var i = 0; i < keys.Length; i++) keys[i] = list[i].InitialLocation;
        var order = KeyOrder.Ascending(keys);
        var array = new FrameDescriptionEntry[order.Length];
        for (var i = 0; i < array.Length; i++) array[i] = list[order[i]];
        return array;
    }
}
