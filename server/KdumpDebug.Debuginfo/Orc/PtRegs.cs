using KdumpDebug.Debuginfo.Cfi;

namespace KdumpDebug.Debuginfo.Orc;

/// <summary>
/// The x86-64 <c>struct pt_regs</c> layout (arch/x86/include/asm/ptrace.h; unchanged since
/// v2.6.25): 21 eight-byte slots, r15 first, the hardware iret frame (ip, cs, flags, sp, ss) last.
/// </summary>
public static class PtRegs
{
    /// <summary>Register in each slot, in memory order.</summary>
    public static readonly UnwindRegister[] Order =
    [
        UnwindRegister.R15, UnwindRegister.R14, UnwindRegister.R13, UnwindRegister.R12, UnwindRegister.Rbp, UnwindRegister.Rbx,
        UnwindRegister.R11, UnwindRegister.R10, UnwindRegister.R9, UnwindRegister.R8, UnwindRegister.Rax, UnwindRegister.Rcx,
        UnwindRegister.Rdx, UnwindRegister.Rsi, UnwindRegister.Rdi, UnwindRegister.OrigRax, UnwindRegister.Rip, UnwindRegister.Cs,
        UnwindRegister.Rflags, UnwindRegister.Rsp, UnwindRegister.Ss,
    ];

    /// <summary>Size of the structure in bytes (168).</summary>
    public const int Size = 21 * 8;

    /// <summary>Slot of <c>ip</c>, where the iret frame starts.</summary>
    public const int IpIndex = 16;

    /// <summary>Byte offset of the iret frame (<c>IRET_FRAME_OFFSET</c> = offsetof(struct pt_regs, ip) = 128).</summary>
    public const int IretFrameOffset = IpIndex * 8;
}
