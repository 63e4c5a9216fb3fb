using KdumpDebug.Core;
using KdumpDebug.Core.Errors;
using KdumpDebug.Dump.IO;
using KdumpDebug.Dump.Notes;

namespace KdumpDebug.Dump.Elf;

/// <summary>
/// An ELF64 little-endian ET_CORE vmcore: /proc/vmcore saved with cp, makedumpfile -E, or QEMU's
/// dump-guest-memory (with paging=false QEMU gives physical addresses only; p_vaddr is then 0 and
/// unused here, since the dump layer works on physical addresses). Opening parses the headers and
/// notes; memory is read lazily from the mapping.
///
/// Errors: a bad ELF header, program header table or note segment fails the open; a PT_LOAD whose
/// data lies past the end of the file (a truncated copy) opens, and reading those bytes fails naming
/// the segment and file offset. crash does not mark makedumpfile -E dumps "[PARTIAL DUMP]", and
/// neither does <see cref="IsPartial"/>: the ELF file does not record the dump level.
/// </summary>
internal sealed class ElfDumpFile : IDumpFile
{
    readonly MappedFile _file;
    readonly ElfPhysicalMemory _memory;

    public string Path { get; }
    public DumpFormat Format => DumpFormat.Elf;
    public string Description { get; }
    public bool IsPartial => false;
    public int? DumpLevel => null;
    public IPhysicalMemory Memory => _memory;
    public IReadOnlyList<ElfNote> Notes { get; }
    public string? VmcoreInfo { get; }
    public IReadOnlyList<CpuRegisters> CpuRegisters { get; }
    public KdumpHeaderInfo? KdumpHeader => null;

    /// <summary>Number of PT_LOAD segments.</summary>
    public int LoadSegmentCount { get; }

    ElfDumpFile(MappedFile file, ElfPhysicalMemory memory, List<ElfNote> notes, string? vmcoreInfo,
        IReadOnlyList<CpuRegisters> cpus, int loadCount)
    {
        _file = file;
        _memory = memory;
        Path = file.Path;
        Notes = notes;
        VmcoreInfo = vmcoreInfo;
        CpuRegisters = cpus;
        LoadSegmentCount = loadCount;
        Description = notes.Any(n => n.Name == "QEMU") ? "ELF (QEMU)" : "ELF";
    }

    /// <summary>Parses the ELF headers and notes of an already-mapped file. Takes ownership of it.</summary>
    public static ElfDumpFile Open(MappedFile file)
    {
        try
        {
            return Parse(file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    static ElfDumpFile Parse(MappedFile file)
    {
        var path = file.Path;
        var ident = file.Span(0, ElfHeader64.Size, "Elf64_Ehdr");
        if (ident[4] != 2)
            throw new DumpFormatException(path, 4, "e_ident[EI_CLASS]", $"{ident[4]}: only ELF64 vmcores are supported");
        if (ident[5] != 1)
            throw new DumpFormatException(path, 5, "e_ident[EI_DATA]", $"{ident[5]}: only little-endian vmcores are supported");
        var eh = ElfHeader64.Parse(ident);
        if (eh.Type != ElfHeader64.EtCore)
            throw new DumpFormatException(path, 16, "e_type", $"{eh.Type} is not ET_CORE (4): not a core dump");
        if (eh.PhEntSize != ElfProgramHeader64.Size)
            throw new DumpFormatException(path, 54, "e_phentsize", $"{eh.PhEntSize}, expected {ElfProgramHeader64.Size}");

        long phCount = eh.PhNum;
        if (eh.PhNum == ElfHeader64.PnXnum)
        {
            // gABI: with more than 0xfffe program headers, the count is sh_info of section header 0.
            if (eh.ShOff == 0 || eh.ShOff > long.MaxValue)
                throw new DumpFormatException(path, 40, "e_shoff", "e_phnum is PN_XNUM but there is no section header 0");
            phCount = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(file.Span((long)eh.ShOff + 44, 4, "Elf64_Shdr[0].sh_info"));
        }
        if (phCount == 0)
            throw new DumpFormatException(path, 56, "e_phnum", "no program headers: nothing to read");
        if (phCount > DataLimits.MaxProgramHeaders)
            throw new DumpFormatException(path, 56, "e_phnum", $"{phCount} exceeds the limit of {DataLimits.MaxProgramHeaders}");
        if (eh.PhOff > (ulong)file.Length)
            throw new DumpFormatException(path, 32, "e_phoff", $"0x{eh.PhOff:x} is past the end of the file at 0x{file.Length:x}");
        var table = file.Span((long)eh.PhOff, (int)(phCount * ElfProgramHeader64.Size), "program header table");

        var notes = new List<ElfNote>();
        var loads = new List<(int, ElfProgramHeader64)>();
        for (var i = 0; i < phCount; i++)
        {
            var ph = ElfProgramHeader64.Parse(table.Slice(i * ElfProgramHeader64.Size, ElfProgramHeader64.Size));
            var at = (long)eh.PhOff + (long)i * ElfProgramHeader64.Size;
            switch (ph.Type)
            {
                case ElfProgramHeader64.PtNote:
                    if (ph.FileSize > DataLimits.MaxNoteSize * 4UL || ph.Offset > (ulong)file.Length)
                        throw new DumpFormatException(path, at + 8, $"PT_NOTE[{i}].p_offset/p_filesz",
                            $"0x{ph.Offset:x}+0x{ph.FileSize:x} is not inside the file (size 0x{file.Length:x})");
                    ElfNoteReader.Parse(path, (long)ph.Offset,
                        file.Span((long)ph.Offset, (int)ph.FileSize, $"PT_NOTE[{i}] data"), notes);
                    break;
                case ElfProgramHeader64.PtLoad:
                    if (ph.FileSize > ph.MemSize)
                        throw new DumpFormatException(path, at + 32, $"PT_LOAD[{i}].p_filesz",
                            $"0x{ph.FileSize:x} is larger than p_memsz 0x{ph.MemSize:x}");
                    if (ph.PhysAddr > DataLimits.MaxPhysicalAddress || ph.MemSize > DataLimits.MaxPhysicalAddress - ph.PhysAddr)
                        throw new DumpFormatException(path, at + 24, $"PT_LOAD[{i}].p_paddr",
                            $"0x{ph.PhysAddr:x}+0x{ph.MemSize:x} is beyond the 52-bit physical address space");
                    if (ph.Offset > long.MaxValue / 2 || ph.FileSize > long.MaxValue / 2)
                        throw new DumpFormatException(path, at + 8, $"PT_LOAD[{i}].p_offset",
                            $"0x{ph.Offset:x}+0x{ph.FileSize:x} is not a file offset");
                    loads.Add((i, ph));
                    break;
            }
        }
        if (loads.Count == 0)
            throw new DumpFormatException(path, (long)eh.PhOff, "program header table", "no PT_LOAD segment: the dump holds no memory");

        var vmcoreInfo = VmcoreInfoText.FromNotes(notes);
        var memory = new ElfPhysicalMemory(file, loads, VmcoreInfoText.PageSize(vmcoreInfo) ?? 4096);
        var cpus = eh.Machine == ElfHeader64.EmX86_64 ? PrStatusReader.ReadX86_64(notes) : new List<CpuRegisters>();
        return new ElfDumpFile(file, memory, notes, vmcoreInfo, cpus, loads.Count);
    }

    public void Dispose() => _file.Dispose();
}
