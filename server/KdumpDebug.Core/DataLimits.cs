namespace KdumpDebug.Core;

/// <summary>
/// Upper bounds checked before allocating from a count or size read out of a file (ClrMD's
/// DataTargetLimits): a corrupt header must produce an error naming the field, never an
/// OutOfMemoryException or a hang.
/// </summary>
public static class DataLimits
{
    /// <summary>Largest page size any supported dump may declare.</summary>
    public const int MaxPageSize = 1 << 16;
    /// <summary>Most ELF program headers (PT_LOAD segments) a vmcore may have.</summary>
    public const int MaxProgramHeaders = 1 << 20;
    /// <summary>Most ELF section headers.</summary>
    public const int MaxSections = 1 << 16;
    /// <summary>Largest single note descriptor (VMCOREINFO is a few KiB).</summary>
    public const int MaxNoteSize = 1 << 24;
    /// <summary>Most CPUs a dump may claim.</summary>
    public const int MaxCpus = 8192;
    /// <summary>Largest physical address space we accept (52 bits, the x86-64 architectural limit).</summary>
    public const ulong MaxPhysicalAddress = 1UL << 52;
}
