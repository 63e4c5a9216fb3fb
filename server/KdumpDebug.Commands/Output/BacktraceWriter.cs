using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Cfi;
using KdumpDebug.Debuginfo.Orc;
using KdumpDebug.Kernel;
using KdumpDebug.Target;
using KdumpDebug.Target.Unwind;

namespace KdumpDebug.Commands.Output;

/// <summary>
/// A task's stack in crash's <c>bt</c> layout (x86_64.c x86_64_print_stack_entry and
/// x86_64_exception_frame): the task header, <c> #N [stack address] function at pc [module]</c>
/// where the stack address is the slot holding the return address into the frame, a register
/// block under the frame whose pt_regs the walk crossed (with <c>[exception RIP: fn+off]</c> and
/// the interrupted frame folded into it for kernel-mode exceptions), and on request the stack
/// words of each frame (<c>-f</c>) or its source line (<c>-l</c>). A walk that ended early ends
/// with one <c>bt: ...</c> line.
/// </summary>
public static class BacktraceWriter
{
    /// <summary>Options of one <c>bt</c> run.</summary>
    public readonly record struct Options(bool FrameWords, bool Lines);

    public static void Write(TextWriter output, KernelTarget target, TaskBacktrace bt, Options options)
    {
        output.Write(KernelContext.TaskHeader(bt.Task) + "\n");
        var frames = CrashView(bt.Frames);
        var number = 0;
        for (var i = 0; i < frames.Count; i++)
        {
            var f = frames[i];
            if (f.IsUserMode) break;
            output.Write($"{"#" + number,3} [{f.Sp - 8:x}] {Name(f)} at {f.Pc:x}{(f.Symbol?.Module is string m ? $" [{m}]" : "")}\n");
            number++;
            // crash looks up the line of the frame's address itself, return addresses included.
            if (options.Lines && target.TryFindSourceLine(f.Pc, out var file, out var line))
                output.Write($"    {file}: {line}\n");
            var next = i + 1 < frames.Count ? frames[i + 1] : null;
            if (f.PtRegsAddress is ulong regs && next is not null)
            {
                if (!next.IsUserMode)
                {
                    // A kernel-mode exception: the interrupted function is the exception RIP, not a numbered frame;
                    // -f then shows the words from the pt_regs up to the next frame.
                    output.Write($"    [exception RIP: {Name(next)}{(next.SymbolOffset != 0 ? $"+{next.SymbolOffset}" : "")}]\n");
                    WriteRegisters(output, target, regs);
                    if (options.Lines && target.TryFindSourceLine(next.Pc, out var ripFile, out var ripLine))
                        output.Write($"    {ripFile}: {ripLine}\n");
                    if (options.FrameWords && i + 2 < frames.Count && !frames[i + 2].IsUserMode) WriteWords(output, target, f.Sp, frames[i + 2].Sp);
                    i++;
                    continue;
                }
                if (options.FrameWords) WriteWords(output, target, f.Sp, regs);
                WriteRegisters(output, target, regs);
                continue;
            }
            if (options.FrameWords && next is not null && !next.IsUserMode) WriteWords(output, target, f.Sp, next.Sp);
        }
        if (bt.StopReason is string reason) output.Write($"bt: {reason}\n");
    }

    /// <summary>
    /// crash starts a CPU that was running at the frame where its stack search found it; a QEMU
    /// dump's notes hold the real registers (inside panic's delay loop), and crash starts such a
    /// stack at <c>panic</c> (x86_64_get_dumpfile_stack_frame), so frames before it are left out.
    /// </summary>
    static IReadOnlyList<StackFrameInfo> CrashView(IReadOnlyList<StackFrameInfo> frames)
    {
        if (frames.Count == 0 || frames[0].FoundByStackSearch || !frames[0].IsInterrupted) return frames;
        for (var i = 1; i < Math.Min(frames.Count, 8); i++)
            if (frames[i].Symbol?.Name == "panic") return frames.Skip(i).ToArray();
        return frames;
    }

    static string Name(StackFrameInfo f) => f.Symbol?.Name ?? f.Pc.ToString("x");

    /// <summary>crash's -f: the words of [from, to), two per line, each followed by a space.</summary>
    static void WriteWords(TextWriter output, KernelTarget target, ulong from, ulong to)
    {
        if (to <= from || to - from > 64 * 1024) return;
        var bytes = new byte[to - from];
        try
        {
            target.ReadVirtual(from, bytes);
        }
        catch (KdumpDebugException e)
        {
            output.Write($"    bt: cannot read the stack at {from:x}: {e.Message}\n");
            return;
        }
        for (var offset = 0; offset < bytes.Length; offset += 16)
        {
            output.Write($"    {from + (ulong)offset:x}: ");
            for (var w = offset; w < Math.Min(offset + 16, bytes.Length); w += 8)
                output.Write($"{BitConverter.ToUInt64(bytes, w):x16} ");
            output.Write("\n");
        }
    }

    /// <summary>
    /// crash's <c>bt -e</c>: the task header, then each possible exception frame found on its stack
    /// (<see cref="ExceptionFrameSearch"/>) after a blank line, as
    /// <c>  KERNEL-MODE EXCEPTION FRAME AT: addr</c> with the <c>[exception RIP: fn+off]</c> line, or
    /// <c>  USER-MODE EXCEPTION FRAME AT: addr</c>, and the register block.
    /// </summary>
    public static void WriteExceptionFrameSearch(TextWriter output, KernelTarget target, LinuxKernel kernel, KernelTask task)
    {
        output.Write(KernelContext.TaskHeader(task) + "\n");
        IReadOnlyList<FoundExceptionFrame> frames;
        try
        {
            frames = ExceptionFrameSearch.Search(kernel, task);
        }
        catch (KdumpDebugException e)
        {
            output.Write($"bt: cannot search the stack: {e.Message}\n");
            return;
        }
        foreach (var frame in frames)
        {
            output.Write($"\n  {(frame.IsUserMode ? "USER" : "KERNEL")}-MODE EXCEPTION FRAME AT: {frame.Address:x}\n");
            if (!frame.IsUserMode)
            {
                var rip = frame.Registers[UnwindRegister.Rip] ?? 0;
                // crash prints the offset in gdb's output radix, decimal by default.
                output.Write(target.TryFindSymbol(rip, out var symbol, out var offset)
                    ? $"    [exception RIP: {symbol.Name}{(offset != 0 ? $"+{offset}" : "")}]\n"
                    : "    [exception RIP: unknown or invalid address]\n");
            }
            WriteRegisters(output, frame.Registers);
        }
    }

    /// <summary>The pt_regs block as crash prints it.</summary>
    static void WriteRegisters(TextWriter output, KernelTarget target, ulong address)
    {
        var bytes = new byte[PtRegs.Size];
        try
        {
            target.ReadVirtual(address, bytes);
        }
        catch (KdumpDebugException e)
        {
            output.Write($"    bt: cannot read the exception frame at {address:x}: {e.Message}\n");
            return;
        }
        WriteRegisters(output, RegisterSet.FromPtRegs(bytes));
    }

    /// <summary>The register block of x86_64_exception_frame.</summary>
    static void WriteRegisters(TextWriter output, RegisterSet r)
    {
        ulong V(UnwindRegister reg) => r[reg] ?? 0;
        output.Write($"    RIP: {V(UnwindRegister.Rip):x16}  RSP: {V(UnwindRegister.Rsp):x16}  RFLAGS: {V(UnwindRegister.Rflags):x8}\n");
        output.Write($"    RAX: {V(UnwindRegister.Rax):x16}  RBX: {V(UnwindRegister.Rbx):x16}  RCX: {V(UnwindRegister.Rcx):x16}\n");
        output.Write($"    RDX: {V(UnwindRegister.Rdx):x16}  RSI: {V(UnwindRegister.Rsi):x16}  RDI: {V(UnwindRegister.Rdi):x16}\n");
        output.Write($"    RBP: {V(UnwindRegister.Rbp):x16}   R8: {V(UnwindRegister.R8):x16}   R9: {V(UnwindRegister.R9):x16}\n");
        output.Write($"    R10: {V(UnwindRegister.R10):x16}  R11: {V(UnwindRegister.R11):x16}  R12: {V(UnwindRegister.R12):x16}\n");
        output.Write($"    R13: {V(UnwindRegister.R13):x16}  R14: {V(UnwindRegister.R14):x16}  R15: {V(UnwindRegister.R15):x16}\n");
        output.Write($"    ORIG_RAX: {V(UnwindRegister.OrigRax):x16}  CS: {V(UnwindRegister.Cs):x4}  SS: {V(UnwindRegister.Ss):x4}\n");
    }
}
