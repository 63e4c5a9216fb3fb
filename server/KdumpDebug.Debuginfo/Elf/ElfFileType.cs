namespace KdumpDebug.Debuginfo.Elf;

/// <summary>The ELF object file type (<c>e_type</c>, System V ABI §4 "ELF Header").</summary>
public enum ElfFileType
{
    /// <summary><c>ET_REL</c>: a relocatable object, e.g. a kernel module (<c>.ko</c>).</summary>
    Relocatable = 1,
    /// <summary><c>ET_EXEC</c>: an executable, e.g. <c>vmlinux</c>.</summary>
    Executable = 2,
    /// <summary><c>ET_DYN</c>: a shared object or position-independent executable.</summary>
    SharedObject = 3,
    /// <summary><c>ET_CORE</c>: a core file, e.g. an ELF vmcore.</summary>
    Core = 4,
}
