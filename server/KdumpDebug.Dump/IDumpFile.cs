namespace KdumpDebug.Dump;

/// <summary>
/// An opened vmcore of any format. Opened read-only; thread-safe for reads. Dispose closes the file.
/// </summary>
public interface IDumpFile : IDisposable
{
    /// <summary>Path as given by the user.</summary>
    string Path { get; }

    DumpFormat Format { get; }

    /// <summary>Short description for banners, e.g. "kdump-compressed (zlib)", "ELF (QEMU)".</summary>
    string Description { get; }

    /// <summary>True when pages were filtered (dump level &gt; 0): crash's "[PARTIAL DUMP]".</summary>
    bool IsPartial { get; }

    /// <summary>makedumpfile's dump level, when the format records it.</summary>
    int? DumpLevel { get; }

    IPhysicalMemory Memory { get; }

    /// <summary>Every ELF note in the dump, in file order (kdump files carry them too).</summary>
    IReadOnlyList<ElfNote> Notes { get; }

    /// <summary>The VMCOREINFO text (KEY=VALUE lines), or null when the dump has none.</summary>
    string? VmcoreInfo { get; }

    /// <summary>NT_PRSTATUS notes, one per CPU that saved its registers.</summary>
    IReadOnlyList<CpuRegisters> CpuRegisters { get; }

    /// <summary>kdump header fields, or null for ELF.</summary>
    KdumpHeaderInfo? KdumpHeader { get; }
}
