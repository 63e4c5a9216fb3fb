namespace KdumpDebug.Debuginfo.Elf;

/// <summary>
/// Upper bounds for counts and sizes read from ELF debug files, checked before allocating (the
/// debug-file counterpart of <see cref="KdumpDebug.Core.DataLimits"/>, which limits vmcores).
/// </summary>
public static class ElfLimits
{
    /// <summary>
    /// Most section headers. Kernel modules built with -ffunction-sections can exceed 65,535 and
    /// use extended numbering, so this is larger than <see cref="KdumpDebug.Core.DataLimits.MaxSections"/>.
    /// </summary>
    public const int MaxSections = 1 << 22;

    /// <summary>Most symbols in one symbol table (a distribution vmlinux has about 200,000).</summary>
    public const int MaxSymbols = 1 << 24;

    /// <summary>
    /// Largest uncompressed size of one SHF_COMPRESSED section (a .NET array holds at most ~2 GiB).
    /// </summary>
    public const long MaxDecompressedSection = int.MaxValue - 64;
}
