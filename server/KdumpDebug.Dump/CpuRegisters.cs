namespace KdumpDebug.Dump;

/// <summary>
/// One CPU's registers from an NT_PRSTATUS note (x86-64 <c>struct elf_prstatus</c>: the
/// <c>user_regs_struct</c> in pr_reg). <see cref="CpuIndex"/> is the note's position among the
/// NT_PRSTATUS notes, which is the order the kernel wrote them (crash_notes per online CPU).
/// </summary>
public sealed record CpuRegisters(int CpuIndex, int Pid, IReadOnlyDictionary<string, ulong> Registers)
{
    /// <summary>Register names in user_regs_struct order (arch/x86/include/asm/user_64.h).</summary>
    public static readonly string[] X86_64Names =
    [
        "r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8", "rax", "rcx", "rdx", "rsi", "rdi",
        "orig_rax", "rip", "cs", "eflags", "rsp", "ss", "fs_base", "gs_base", "ds", "es", "fs", "gs",
    ];
}
