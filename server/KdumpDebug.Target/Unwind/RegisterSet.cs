using System.Text;
using KdumpDebug.Debuginfo.Cfi;
using KdumpDebug.Debuginfo.Orc;
using KdumpDebug.Dump;

namespace KdumpDebug.Target.Unwind;

/// <summary>
/// The x86-64 registers of one frame, each known or unknown (an outer frame knows only what the
/// unwind rows could recover). Indexed by <see cref="UnwindRegister"/>. A small mutable value
/// (27 slots and a bit mask); the frames a walk returns each own a copy. Not thread-safe.
/// </summary>
public sealed class RegisterSet
{
    readonly ulong[] _values = new ulong[UnwindRegisters.Count];
    uint _known;

    /// <summary>True when <paramref name="register"/> has a value.</summary>
    public bool IsKnown(UnwindRegister register) => (_known & (1u << (int)register)) != 0;

    /// <summary>The value, or false when unknown.</summary>
    public bool TryGet(UnwindRegister register, out ulong value)
    {
        value = _values[(int)register];
        return IsKnown(register);
    }

    /// <summary>The value, or null when unknown.</summary>
    public ulong? this[UnwindRegister register] => IsKnown(register) ? _values[(int)register] : null;

    /// <summary>Sets a value (known from now on).</summary>
    public void Set(UnwindRegister register, ulong value)
    {
        _values[(int)register] = value;
        _known |= 1u << (int)register;
    }

    /// <summary>Marks a register unknown.</summary>
    public void Forget(UnwindRegister register)
    {
        _values[(int)register] = 0;
        _known &= ~(1u << (int)register);
    }

    /// <summary>Marks every register unknown.</summary>
    public void Clear()
    {
        Array.Clear(_values);
        _known = 0;
    }

    /// <summary>Number of known registers.</summary>
    public int KnownCount => System.Numerics.BitOperations.PopCount(_known);

    /// <summary>The instruction pointer, when known.</summary>
    public ulong? Rip => this[UnwindRegister.Rip];

    /// <summary>The stack pointer, when known.</summary>
    public ulong? Rsp => this[UnwindRegister.Rsp];

    /// <summary>
    /// True when the code segment selector is known and its requested privilege level is not 0
    /// (<c>user_mode(regs)</c>: <c>regs->cs &amp; 3</c>): the registers are a user-mode context.
    /// </summary>
    public bool IsUserMode => TryGet(UnwindRegister.Cs, out var cs) && (cs & 3) != 0;

    /// <summary>A copy.</summary>
    public RegisterSet Clone()
    {
        var copy = new RegisterSet();
        CopyTo(copy);
        return copy;
    }

    /// <summary>Overwrites <paramref name="other"/> with this set (no allocation).</summary>
    public void CopyTo(RegisterSet other)
    {
        _values.CopyTo(other._values, 0);
        other._known = _known;
    }

    /// <summary>
    /// The registers of an NT_PRSTATUS note (the <c>user_regs_struct</c> in <c>elf_prstatus.pr_reg</c>,
    /// names as in <see cref="CpuRegisters.X86_64Names"/>): every general-purpose register, rip, rsp,
    /// eflags, the segment selectors and bases, and orig_rax. For the panic CPU of a kdump these are
    /// what <c>crash_setup_regs()</c> or the oops saved; for a CPU stopped by the crash NMI, the
    /// context the NMI interrupted; for a QEMU dump, the vCPU state.
    /// </summary>
    public static RegisterSet FromPrStatus(CpuRegisters registers)
    {
        ArgumentNullException.ThrowIfNull(registers);
        var set = new RegisterSet();
        foreach (var (name, value) in registers.Registers)
            if (TryParseName(name, out var register)) set.Set(register, value);
        return set;
    }

    /// <summary>
    /// The registers of a <c>struct pt_regs</c> (168 bytes, <see cref="PtRegs.Order"/>); the segment
    /// registers other than cs/ss and the fs/gs bases are not in it and stay unknown.
    /// </summary>
    public static RegisterSet FromPtRegs(ReadOnlySpan<byte> ptRegs)
    {
        if (ptRegs.Length < PtRegs.Size) throw new ArgumentException($"a struct pt_regs is {PtRegs.Size} bytes", nameof(ptRegs));
        var set = new RegisterSet();
        for (var i = 0; i < PtRegs.Order.Length; i++)
            set.Set(PtRegs.Order[i], System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(ptRegs[(i * 8)..]));
        return set;
    }

    /// <summary>Register by the name crash, the kernel's user_regs_struct or drgn uses ("rip", "eflags"/"rflags", "fs_base"/"fs.base", "orig_rax").</summary>
    public static bool TryParseName(string name, out UnwindRegister register)
    {
        register = name switch
        {
            "rax" => UnwindRegister.Rax, "rdx" => UnwindRegister.Rdx, "rcx" => UnwindRegister.Rcx, "rbx" => UnwindRegister.Rbx,
            "rsi" => UnwindRegister.Rsi, "rdi" => UnwindRegister.Rdi, "rbp" => UnwindRegister.Rbp, "rsp" => UnwindRegister.Rsp,
            "r8" => UnwindRegister.R8, "r9" => UnwindRegister.R9, "r10" => UnwindRegister.R10, "r11" => UnwindRegister.R11,
            "r12" => UnwindRegister.R12, "r13" => UnwindRegister.R13, "r14" => UnwindRegister.R14, "r15" => UnwindRegister.R15,
            "rip" => UnwindRegister.Rip, "eflags" or "rflags" => UnwindRegister.Rflags,
            "es" => UnwindRegister.Es, "cs" => UnwindRegister.Cs, "ss" => UnwindRegister.Ss, "ds" => UnwindRegister.Ds,
            "fs" => UnwindRegister.Fs, "gs" => UnwindRegister.Gs,
            "fs_base" or "fs.base" => UnwindRegister.FsBase, "gs_base" or "gs.base" => UnwindRegister.GsBase,
            "orig_rax" => UnwindRegister.OrigRax,
            _ => (UnwindRegister)255,
        };
        return (byte)register != 255;
    }

    /// <summary>"rip=... rsp=... rax=?..." for logs and test failures.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        for (var i = 0; i < UnwindRegisters.Count; i++)
        {
            var r = (UnwindRegister)i;
            if (!IsKnown(r)) continue;
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(UnwindRegisters.Name(r)).Append('=').Append(_values[i].ToString("x"));
        }
        return sb.ToString();
    }
}
