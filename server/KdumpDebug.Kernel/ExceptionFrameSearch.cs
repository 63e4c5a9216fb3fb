using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Cfi;
using KdumpDebug.Debuginfo.Orc;
using KdumpDebug.Target;
using KdumpDebug.Target.Unwind;

namespace KdumpDebug.Kernel;

/// <summary>A <c>struct pt_regs</c> found on a stack by <see cref="ExceptionFrameSearch"/>.</summary>
/// <param name="Address">Where the pt_regs starts.</param>
/// <param name="Registers">Its registers.</param>
/// <param name="IsUserMode">cs &amp; 3 != 0: a user-mode context (crash's USER-MODE EXCEPTION FRAME).</param>
public sealed record FoundExceptionFrame(ulong Address, RegisterSet Registers, bool IsUserMode);

/// <summary>
/// crash's <c>bt -e</c> search (x86_64.c x86_64_eframe_search and x86_64_eframe_verify): every
/// 8-byte slot of a task's kernel stack, from its base (<c>task-&gt;stack</c>) up to the last
/// place a whole <c>struct pt_regs</c> fits below the top (base + THREAD_SIZE), read as a pt_regs
/// and kept when its registers look like an exception frame: no reserved rflags bit set and bit 1
/// set (the always-one bit), and either kernel cs/ss (0x10/0x18) with rip in kernel or module text
/// and a kernel rsp, kernel cs with rsp just above the frame, or user cs/ss (0x33 or 0x23 / 0x2b)
/// with user rip (or the vsyscall page) and user rsp. These are guesses, as in crash: a stale copy
/// of registers on the stack is found too. Cost: one read of the stack (THREAD_SIZE bytes).
/// </summary>
public static class ExceptionFrameSearch
{
    /// <summary>rflags bits that always read as zero (crash's RAZ_MASK: bits 3, 5, 15 and 22-63).</summary>
    const ulong ReservedFlags = 0xffffffffffc08028UL;

    const ulong KernelCs = 0x10, KernelSs = 0x18, UserCs = 0x33, UserCs32 = 0x23, UserSs = 0x2b;

    /// <summary>The legacy vsyscall page (Documentation/x86/x86_64/mm.rst), user-callable at a kernel address.</summary>
    const ulong VsyscallStart = 0xffffffffff600000UL, VsyscallEnd = 0xffffffffff601000UL;

    /// <summary>The frames found on <paramref name="task"/>'s stack, lowest address first.</summary>
    /// <exception cref="KdumpDebugException">the task or its stack cannot be read.</exception>
    public static IReadOnlyList<FoundExceptionFrame> Search(LinuxKernel kernel, KernelTask task)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(task);
        var target = kernel.Target;
        var stackBase = target.Objects.At("struct task_struct", task.Address).Member("stack").ReadUnsigned();
        var threadSize = ThreadSize(target);
        if (stackBase == 0 || stackBase > ulong.MaxValue - threadSize)
            throw new FaultException(stackBase, AddressSpaceKind.Virtual, $"task {task.Address:x} has no kernel stack");
        var stack = new byte[threadSize];
        target.ReadVirtual(stackBase, stack);

        // crash's IS_KVADDR/IS_UVADDR bounds: the canonical halves for 4- or 5-level paging.
        var fiveLevel = target.AddressSpace.PagingLevels >= 5;
        var userTop = fiveLevel ? 0x0100_0000_0000_0000UL : 0x0000_8000_0000_0000UL;
        var kernelBase = fiveLevel ? 0xff00_0000_0000_0000UL : 0xffff_8000_0000_0000UL;
        var text = KernelText(target);

        var found = new List<FoundExceptionFrame>();
        var size = PtRegs.Size;
        for (var offset = 0; offset + size <= stack.Length; offset += 8)
        {
            var regs = RegisterSet.FromPtRegs(stack.AsSpan(offset, size));
            var address = stackBase + (ulong)offset;
            ulong R(UnwindRegister r) => regs[r] ?? 0;
            var (rip, rsp, cs, ss, flags) = (R(UnwindRegister.Rip), R(UnwindRegister.Rsp), R(UnwindRegister.Cs), R(UnwindRegister.Ss), R(UnwindRegister.Rflags));
            if ((flags & ReservedFlags) != 0 || (flags & 2) == 0) continue;
            bool IsText(ulong a) => text.Any(r => a >= r.Begin && a < r.End) || target.Modules.FindModule(a) is not null;
            bool verified;
            if (cs == KernelCs)
                verified = IsText(rip) && rsp >= kernelBase
                           && (ss == KernelSs || rsp == address + (ulong)size || rsp == address + (ulong)size + 8);
            else if ((cs == UserCs || cs == UserCs32) && ss == UserSs)
                verified = rsp < userTop && (rip < userTop || (cs == UserCs && rip >= VsyscallStart && rip < VsyscallEnd));
            else verified = false;
            if (verified) found.Add(new FoundExceptionFrame(address, regs, (cs & 3) != 0));
        }
        return found;
    }

    /// <summary>
    /// THREAD_SIZE: <c>__end_init_task - __start_init_task</c> (include/asm-generic/vmlinux.lds.h
    /// places one THREAD_SIZE between them), else 16 KiB (x86-64 without KASAN).
    /// </summary>
    internal static ulong ThreadSize(KernelTarget target)
    {
        if (target.TryLookupSymbol("__start_init_task", out var s) && target.TryLookupSymbol("__end_init_task", out var e)
            && e.Address > s.Address && ulong.IsPow2(e.Address - s.Address) && e.Address - s.Address <= 1 << 20)
            return e.Address - s.Address;
        return 16 * 1024;
    }

    /// <summary>crash's is_kernel_text for the kernel image: [_stext, _etext) and the init text [_sinittext, _einittext).</summary>
    static List<(ulong Begin, ulong End)> KernelText(KernelTarget target)
    {
        var ranges = new List<(ulong, ulong)>();
        foreach (var (begin, end) in new[] { ("_stext", "_etext"), ("_sinittext", "_einittext") })
            if (target.TryLookupSymbol(begin, out var b) && target.TryLookupSymbol(end, out var e) && e.Address > b.Address)
                ranges.Add((b.Address, e.Address));
        return ranges;
    }
}
