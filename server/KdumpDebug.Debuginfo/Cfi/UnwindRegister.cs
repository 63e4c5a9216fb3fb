namespace KdumpDebug.Debuginfo.Cfi;

/// <summary>
/// The x86-64 registers an unwind row can describe, in a compact numbering (an index into
/// <see cref="UnwindRow"/> and the unwinder's register file). The general-purpose registers and
/// the return-address column keep their DWARF numbers (System V AMD64 ABI, Figure 3.36:
/// 0 rax, 1 rdx, 2 rcx, 3 rbx, 4 rsi, 5 rdi, 6 rbp, 7 rsp, 8-15 r8-r15, 16 return address);
/// rflags and the segment registers follow (DWARF 49-55, 58, 59), and <see cref="OrigRax"/>,
/// which only a <c>struct pt_regs</c> holds, comes last. Vector and x87 registers are not
/// tracked: a row rule for them is ignored.
/// </summary>
public enum UnwindRegister : byte
{
    Rax = 0, Rdx = 1, Rcx = 2, Rbx = 3, Rsi = 4, Rdi = 5, Rbp = 6, Rsp = 7,
    R8 = 8, R9 = 9, R10 = 10, R11 = 11, R12 = 12, R13 = 13, R14 = 14, R15 = 15,
    /// <summary>DWARF column 16, the return address; the caller's <c>rip</c>.</summary>
    Rip = 16,
    /// <summary>DWARF 49.</summary>
    Rflags = 17,
    /// <summary>DWARF 50.</summary>
    Es = 18,
    /// <summary>DWARF 51.</summary>
    Cs = 19,
    /// <summary>DWARF 52.</summary>
    Ss = 20,
    /// <summary>DWARF 53.</summary>
    Ds = 21,
    /// <summary>DWARF 54.</summary>
    Fs = 22,
    /// <summary>DWARF 55.</summary>
    Gs = 23,
    /// <summary>DWARF 58 (<c>fs.base</c>).</summary>
    FsBase = 24,
    /// <summary>DWARF 59 (<c>gs.base</c>).</summary>
    GsBase = 25,
    /// <summary><c>pt_regs.orig_ax</c>: the syscall number or -1; no DWARF number.</summary>
    OrigRax = 26,
}

/// <summary>Conversions and facts about <see cref="UnwindRegister"/>.</summary>
public static class UnwindRegisters
{
    /// <summary>Number of registers tracked (the size of a row or a register file).</summary>
    public const int Count = 27;

    /// <summary>The DWARF register number of the return-address column on x86-64.</summary>
    public const ulong DwarfReturnAddress = 16;

    /// <summary>Maps a DWARF x86-64 register number to the compact numbering; false for untracked registers.</summary>
    public static bool TryFromDwarf(ulong dwarfRegister, out UnwindRegister register)
    {
        if (dwarfRegister <= 16)
        {
            register = (UnwindRegister)dwarfRegister;
            return true;
        }
        register = dwarfRegister switch
        {
            49 => UnwindRegister.Rflags,
            50 => UnwindRegister.Es,
            51 => UnwindRegister.Cs,
            52 => UnwindRegister.Ss,
            53 => UnwindRegister.Ds,
            54 => UnwindRegister.Fs,
            55 => UnwindRegister.Gs,
            58 => UnwindRegister.FsBase,
            59 => UnwindRegister.GsBase,
            _ => (UnwindRegister)255,
        };
        return (byte)register != 255;
    }

    /// <summary>
    /// True for the registers a called function must preserve (System V AMD64 ABI §3.2.1: rbx,
    /// rbp, r12-r15): a DWARF row that does not mention them means "same value".
    /// </summary>
    public static bool IsCalleeSaved(UnwindRegister register) =>
        register is UnwindRegister.Rbx or UnwindRegister.Rbp or UnwindRegister.R12 or UnwindRegister.R13
            or UnwindRegister.R14 or UnwindRegister.R15;

    /// <summary>True for the segment registers and their bases, which a function call never changes.</summary>
    public static bool IsSegment(UnwindRegister register) =>
        register is UnwindRegister.Es or UnwindRegister.Cs or UnwindRegister.Ss or UnwindRegister.Ds
            or UnwindRegister.Fs or UnwindRegister.Gs or UnwindRegister.FsBase or UnwindRegister.GsBase;

    /// <summary>The name as crash and the kernel's <c>user_regs_struct</c> spell it ("rax", "eflags", "fs_base").</summary>
    public static string Name(UnwindRegister register) => register switch
    {
        UnwindRegister.Rflags => "eflags",
        UnwindRegister.FsBase => "fs_base",
        UnwindRegister.GsBase => "gs_base",
        UnwindRegister.OrigRax => "orig_rax",
        _ => register.ToString().ToLowerInvariant(),
    };
}
