namespace KdumpDebug.Dump;

/// <summary>One ELF note as read from a vmcore (name without the NUL, type, descriptor bytes).</summary>
public sealed record ElfNote(string Name, uint Type, byte[] Descriptor)
{
    /// <summary>NT_PRSTATUS: a CPU's registers.</summary>
    public const uint NtPrStatus = 1;
    /// <summary>The VMCOREINFO note type (0) under the name "VMCOREINFO".</summary>
    public const uint NtVmcoreInfo = 0;
}
