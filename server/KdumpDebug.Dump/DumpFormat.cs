namespace KdumpDebug.Dump;

/// <summary>The container a vmcore arrived in.</summary>
public enum DumpFormat
{
    /// <summary>ELF64 ET_CORE: /proc/vmcore, makedumpfile -E, QEMU dump-guest-memory (elf).</summary>
    Elf,
    /// <summary>makedumpfile's kdump-compressed ("KDUMP   " / "DISKDUMP") file.</summary>
    KdumpCompressed,
    /// <summary>The same stream in makedumpfile's flattened format (-F, QEMU kdump-* output).</summary>
    KdumpFlattened,
}
