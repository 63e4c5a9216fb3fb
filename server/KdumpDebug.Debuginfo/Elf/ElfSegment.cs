namespace KdumpDebug.Debuginfo.Elf;

/// <summary>One program header (<c>Elf64_Phdr</c>): a segment of the file's memory image.</summary>
/// <param name="Index">Index in the program header table.</param>
/// <param name="Type"><c>p_type</c> (1 = PT_LOAD, 4 = PT_NOTE).</param>
/// <param name="Flags"><c>p_flags</c> (PF_X 1, PF_W 2, PF_R 4).</param>
/// <param name="FileOffset"><c>p_offset</c>.</param>
/// <param name="VirtualAddress"><c>p_vaddr</c>.</param>
/// <param name="PhysicalAddress"><c>p_paddr</c>.</param>
/// <param name="FileSize"><c>p_filesz</c>.</param>
/// <param name="MemorySize"><c>p_memsz</c>.</param>
public sealed record ElfSegment(int Index, uint Type, uint Flags, ulong FileOffset, ulong VirtualAddress,
    ulong PhysicalAddress, ulong FileSize, ulong MemorySize)
{
    /// <summary>PT_LOAD.</summary>
    public const uint PtLoad = 1;

    /// <summary>True when [VirtualAddress, VirtualAddress+MemorySize) holds <paramref name="address"/>.</summary>
    public bool Contains(ulong address) => address >= VirtualAddress && address - VirtualAddress < MemorySize;
}
