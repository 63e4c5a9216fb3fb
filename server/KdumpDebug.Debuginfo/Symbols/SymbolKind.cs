namespace KdumpDebug.Debuginfo.Symbols;

/// <summary>The ELF symbol type (<c>ELF64_ST_TYPE(st_info)</c>) of an <see cref="ElfSymbol"/>.</summary>
public enum SymbolKind
{
    /// <summary><c>STT_NOTYPE</c>: a label, e.g. <c>_stext</c> or an assembler entry point.</summary>
    NoType,
    /// <summary><c>STT_OBJECT</c>: a variable.</summary>
    Object,
    /// <summary><c>STT_FUNC</c> (and <c>STT_GNU_IFUNC</c>): a function.</summary>
    Function,
    /// <summary><c>STT_SECTION</c>: the symbol of a section, named after it (kept only in a <see cref="CrashSymbolTable"/>).</summary>
    Section,
    /// <summary><c>STT_FILE</c>: a source file name (not kept in a <see cref="SymbolTable"/>).</summary>
    File,
    /// <summary><c>STT_COMMON</c>: an unallocated common block (relocatable objects).</summary>
    Common,
    /// <summary><c>STT_TLS</c>: a thread-local variable.</summary>
    Tls,
}
