using KdumpDebug.Debuginfo.Cfi;
using KdumpDebug.Debuginfo.Orc;
using KdumpDebug.Target.Unwind;
using static KdumpDebug.Target.Tests.Unwind.Regs;

namespace KdumpDebug.Target.Tests.Unwind;

/// <summary>The stack walker and its one row interpreter on synthetic stacks: ORC rows of every kind, DWARF rows, frame pointers, and every stop condition.</summary>
public class StackWalkerTests
{
    const ulong A = TextStart + 0x100, B = TextStart + 0x200, C = TextStart + 0x300, D = TextStart + 0x400;

    static (DictionaryMemory Memory, ListRowSource Orc) ThreeCallFrames()
    {
        // A pushed one register (CFA = sp + 16), B none (sp + 8); C is the bottom of the stack.
        var orc = new ListRowSource("orc").Orc(A, B, Call(16)).Orc(B, C, Call(8)).Orc(C, D, End);
        var m = new DictionaryMemory();
        m[Stack + 8] = B + 0x20;  // A's return address into B
        m[Stack + 16] = C + 0x08; // B's return address into C
        return (m, orc);
    }

    [Fact]
    public void OrcCallFramesGiveEachFramesPcSpAndCfa()
    {
        var (m, orc) = ThreeCallFrames();
        var frames = Walker(m, orc).Walk(Of((UnwindRegister.Rip, A + 0x10), (UnwindRegister.Rsp, Stack), (UnwindRegister.Rbx, 7)), out var reason);
        Assert.Null(reason);
        Assert.Equal(new[] { A + 0x10, B + 0x20, C + 0x08 }, frames.Select(f => f.Pc));
        Assert.Equal(new[] { Stack, Stack + 16, Stack + 24 }, frames.Select(f => f.Sp));
        Assert.Equal(new ulong?[] { Stack + 16, Stack + 24, null }, frames.Select(f => f.Cfa));
        Assert.Equal(new[] { true, false, false }, frames.Select(f => f.IsInterrupted));
        Assert.Equal(new UnwindRowKind?[] { UnwindRowKind.Call, UnwindRowKind.Call, UnwindRowKind.EndOfStack }, frames.Select(f => f.RowKind));
        Assert.All(frames, f => Assert.Equal(UnwindRowSource.Orc, f.RowSource));
        // The interrupted frame is looked up at its pc, callers at their return address - 1.
        Assert.Equal(new[] { A + 0x10, B + 0x1f, C + 0x07 }, orc.LookedUp);
        // ORC does not track rbx: known in frame 0 only.
        Assert.Equal(7UL, frames[0].Registers[UnwindRegister.Rbx]);
        Assert.Null(frames[1].Registers[UnwindRegister.Rbx]);
    }

    [Fact]
    public void AReturnAddressPastTheEndOfANoreturnCallerUsesTheCallersRow()
    {
        // B's last instruction calls a noreturn function: the return address is C's first byte,
        // but the row that describes B's frame is B's (looked up at return address - 1).
        var orc = new ListRowSource().Orc(A, B, Call(8)).Orc(B, C, Call(16)).Orc(C, D, Call(8)).Orc(D, D + 0x100, End);
        var m = new DictionaryMemory();
        m[Stack] = C;              // A's return address: the end of B
        m[Stack + 16] = D + 4;     // B's return address (CFA of B = Stack + 8 + 16)
        var frames = Walker(m, orc).Walk(Of((UnwindRegister.Rip, A), (UnwindRegister.Rsp, Stack)), out var reason);
        Assert.Null(reason);
        Assert.Equal(new[] { A, C, D + 4 }, frames.Select(f => f.Pc));
        Assert.Equal(Stack + 24, frames[2].Sp);
    }

    [Theory]
    [InlineData(OrcRegister.R10, UnwindRegister.R10)]
    [InlineData(OrcRegister.R13, UnwindRegister.R13)]
    [InlineData(OrcRegister.Di, UnwindRegister.Rdi)]
    [InlineData(OrcRegister.Dx, UnwindRegister.Rdx)]
    public void RegisterBasedFramesUseTheRegisterWhileItIsKnown(OrcRegister orcRegister, UnwindRegister register)
    {
        // An entry stub that switched stacks keeps the old sp in a register (e.g. r10 in
        // entry_SYSENTER_compat before v5.x, rdi/rdx in call_on_stack helpers).
        const ulong oldStack = Stack + 0x800;
        var orc = new ListRowSource().Orc(A, B, Call(0, orcRegister)).Orc(B, C, Call(8)).Orc(C, D, End);
        var m = new DictionaryMemory();
        m[oldStack - 8] = B + 4;
        m[oldStack] = C + 4;
        var frames = Walker(m, orc).Walk(Of((UnwindRegister.Rip, A), (UnwindRegister.Rsp, Stack), (register, oldStack)), out var reason);
        Assert.Null(reason);
        Assert.Equal(new[] { A, B + 4, C + 4 }, frames.Select(f => f.Pc));
        Assert.Equal(oldStack, frames[1].Sp);

        // After a call frame the register is no longer known: the walk stops with the reason.
        var orc2 = new ListRowSource().Orc(A, B, Call(8)).Orc(B, C, Call(0, orcRegister));
        var m2 = new DictionaryMemory();
        m2[Stack] = B + 4;
        var frames2 = Walker(m2, orc2).Walk(Of((UnwindRegister.Rip, A), (UnwindRegister.Rsp, Stack), (register, oldStack)), out reason);
        Assert.Equal(2, frames2.Count);
        Assert.Equal($"cannot unwind past {B + 4:x}(ret): {UnwindRegisters.Name(register)} is unknown, so the frame address ({UnwindRegisters.Name(register)}+0) cannot be computed", reason);
    }

    [Fact]
    public void SpIndirectFramesFollowTheSavedStackPointer()
    {
        // call_on_irqstack: the task stack pointer is saved at the top of the IRQ stack; the CFA is
        // that value + 8 (ORC_REG_SP_INDIRECT, sp_offset 8), on another (here lower) stack.
        const ulong irqStack = Stack + 0x4000, taskStack = Stack + 0x100;
        var orc = new ListRowSource().Orc(A, B, Call(8, OrcRegister.SpIndirect)).Orc(B, C, Call(8)).Orc(C, D, End);
        var m = new DictionaryMemory();
        m[irqStack] = taskStack;
        m[taskStack] = B + 4;
        m[taskStack + 8] = C + 4;
        var frames = Walker(m, orc).Walk(Of((UnwindRegister.Rip, A), (UnwindRegister.Rsp, irqStack)), out var reason);
        Assert.Null(reason);
        Assert.Equal(new[] { irqStack, taskStack + 8, taskStack + 16 }, frames.Select(f => f.Sp));
    }

    [Fact]
    public void BpIndirectAndBpRelativeFrames()
    {
        // BP_INDIRECT: previous sp stored at rbp + sp_offset. Then a frame-pointer style entry
        // (sp = bp + 16, bp saved at prev_sp - 16) and one whose bp is saved at bp - 8 (ORC_REG_BP).
        const ulong rbp0 = Stack + 0x40;
        var orc = new ListRowSource()
            .Orc(A, B, Call(-8, OrcRegister.BpIndirect))
            .Orc(B, C, Call(16, OrcRegister.Bp, OrcRegister.PrevSp, -16))
            .Orc(C, D, Call(8, OrcRegister.Sp, OrcRegister.Bp, -8))
            .Orc(D, D + 0x100, End);
        var m = new DictionaryMemory();
        m[rbp0 - 8] = Stack + 0x20;          // saved previous sp
        m[Stack + 0x18] = B + 4;             // A's return address at CFA - 8
        // B: rbp is still rbp0, so CFA = rbp0 + 16; rbp saved at CFA - 16 = rbp0.
        m[rbp0] = Stack + 0x100;             // B's caller's rbp
        m[rbp0 + 8] = C + 4;                 // B's return address
        // C: CFA = sp + 8 = rbp0 + 24; rbp saved at rbp - 8 = Stack + 0xf8.
        m[rbp0 + 16] = D + 4;
        m[Stack + 0xf8] = 0x1234;
        var frames = Walker(m, orc).Walk(Of((UnwindRegister.Rip, A), (UnwindRegister.Rsp, Stack), (UnwindRegister.Rbp, rbp0)), out var reason);
        Assert.Null(reason);
        Assert.Equal(new[] { A, B + 4, C + 4, D + 4 }, frames.Select(f => f.Pc));
        Assert.Equal(new[] { Stack, Stack + 0x20, rbp0 + 16, rbp0 + 24 }, frames.Select(f => f.Sp));
        Assert.Equal(new ulong?[] { rbp0, rbp0, Stack + 0x100, 0x1234 }, frames.Select(f => f.Registers[UnwindRegister.Rbp]));
    }

    static RegisterSet Interrupted(ulong rip, ulong rsp, ulong cs) => Of(
        (UnwindRegister.Rip, rip), (UnwindRegister.Rsp, rsp), (UnwindRegister.Cs, cs), (UnwindRegister.Ss, cs == 0x10 ? 0x18UL : 0x2bUL),
        (UnwindRegister.Rflags, 0x246), (UnwindRegister.Rax, 1), (UnwindRegister.Rbx, 2), (UnwindRegister.Rcx, 3), (UnwindRegister.Rdx, 4),
        (UnwindRegister.Rsi, 5), (UnwindRegister.Rdi, 6), (UnwindRegister.Rbp, 7), (UnwindRegister.R8, 8), (UnwindRegister.R9, 9),
        (UnwindRegister.R10, 10), (UnwindRegister.R11, 11), (UnwindRegister.R12, 12), (UnwindRegister.R13, 13), (UnwindRegister.R14, 14),
        (UnwindRegister.R15, 15), (UnwindRegister.OrigRax, ulong.MaxValue));

    [Fact]
    public void AFullPtRegsFrameGivesTheInterruptedContextWithExactPc()
    {
        // A (an exception entry stub) has its pt_regs at sp; the interrupted code was at C exactly,
        // where a row boundary sits: the exact pc, not pc - 1, must be looked up.
        const ulong regsAt = Stack + 0x10, interruptedSp = Stack + 0x400;
        var orc = new ListRowSource().Orc(A, B, new OrcEntry(0x10, 0, OrcRegister.Sp, OrcRegister.Undefined, OrcType.Regs, true))
            .Orc(B, C, Call(8)).Orc(C, D, End);
        var m = new DictionaryMemory();
        var context = Interrupted(C, interruptedSp, 0x10);
        m.WritePtRegs(regsAt, context);
        var frames = Walker(m, orc).Walk(Of((UnwindRegister.Rip, A + 8), (UnwindRegister.Rsp, Stack)), out var reason);
        Assert.Null(reason);
        Assert.Equal(2, frames.Count);
        Assert.Equal(regsAt, frames[0].PtRegsAddress);
        Assert.Equal(UnwindRowKind.Regs, frames[0].RowKind);
        var f = frames[1];
        Assert.True(f.IsInterrupted);
        Assert.Equal((C, interruptedSp), (f.Pc, f.Sp));
        Assert.Equal(UnwindRowKind.EndOfStack, f.RowKind);
        foreach (var r in PtRegs.Order) Assert.Equal(context[r], f.Registers[r]);
        Assert.False(f.IsUserMode);
    }

    [Fact]
    public void AnIretFrameGivesIpSpFlagsAndKeepsTheOtherRegisters()
    {
        const ulong iret = Stack + 0x28, interruptedSp = Stack + 0x300;
        var orc = new ListRowSource().Orc(A, B, new OrcEntry(0x28, 0, OrcRegister.Sp, OrcRegister.Undefined, OrcType.RegsPartial, true))
            .Orc(C, D, End);
        var m = new DictionaryMemory();
        m[iret] = C + 2;
        m[iret + 8] = 0x10;
        m[iret + 16] = 0x82;
        m[iret + 24] = interruptedSp;
        m[iret + 32] = 0x18;
        var frames = Walker(m, orc).Walk(Of((UnwindRegister.Rip, A), (UnwindRegister.Rsp, Stack), (UnwindRegister.Rbx, 0xb)), out var reason);
        Assert.Null(reason);
        Assert.Equal(iret - PtRegs.IretFrameOffset, frames[0].PtRegsAddress);
        Assert.Equal(UnwindRowKind.RegsPartial, frames[0].RowKind);
        var f = frames[1];
        Assert.Equal((C + 2, interruptedSp, true), (f.Pc, f.Sp, f.IsInterrupted));
        Assert.Equal(0x82UL, f.Registers[UnwindRegister.Rflags]);
        Assert.Equal(0xbUL, f.Registers[UnwindRegister.Rbx]);
    }

    [Fact]
    public void UserModeRegistersInAPtRegsEndTheWalk()
    {
        var orc = new ListRowSource().Orc(A, B, Call(8)).Orc(B, C, new OrcEntry(0, 0, OrcRegister.Sp, OrcRegister.Undefined, OrcType.Regs, true));
        var m = new DictionaryMemory();
        m[Stack] = B + 0x10;
        var user = Interrupted(0x47b7a0, 0x7ffe_fe00_0000, 0x33);
        m.WritePtRegs(Stack + 8, user);
        var frames = Walker(m, orc).Walk(Of((UnwindRegister.Rip, A), (UnwindRegister.Rsp, Stack), (UnwindRegister.Cs, 0x10)), out var reason);
        Assert.Null(reason);
        Assert.Equal(3, frames.Count);
        Assert.Equal(Stack + 8, frames[1].PtRegsAddress);
        var last = frames[2];
        Assert.True(last.IsUserMode);
        Assert.True(last.IsInterrupted);
        Assert.Equal((0x47b7a0UL, 0x7ffe_fe00_0000UL), (last.Pc, last.Sp));
        Assert.Equal(0x33UL, last.Registers[UnwindRegister.Cs]);
        Assert.Equal(ulong.MaxValue, last.Registers[UnwindRegister.OrigRax]);
        Assert.Null(last.RowSource);
    }

    static UnwindRow CfiRow(ulong start, ulong end, long cfaOffset, params (UnwindRegister Register, RegisterRule Rule)[] rules)
    {
        var row = new UnwindRow { Start = start, End = end, Source = UnwindRowSource.Cfi, Cfa = CfaRule.RegisterPlus(UnwindRegister.Rsp, cfaOffset) };
        row[UnwindRegister.Rip] = RegisterRule.AtCfa(-8);
        foreach (var (r, rule) in rules) row[r] = rule;
        return row;
    }

    [Fact]
    public void AnUndefinedOrcEntryFallsBackToDwarf()
    {
        // objtool left A without ORC (ORC_TYPE_UNDEFINED); its .debug_frame row says CFA = sp + 24, rbx at CFA - 16.
        var orc = new ListRowSource("orc").Orc(A, B, new OrcEntry(0, 0, 0, 0, OrcType.Undefined, false)).Orc(B, C, End);
        var cfi = new ListRowSource("cfi").Row(A, B, () => CfiRow(A, B, 24, (UnwindRegister.Rbx, RegisterRule.AtCfa(-16))));
        var m = new DictionaryMemory();
        m[Stack + 8] = 0xbbbb;
        m[Stack + 16] = B + 8;
        var frames = Walker(m, orc, cfi).Walk(Of((UnwindRegister.Rip, A + 4), (UnwindRegister.Rsp, Stack), (UnwindRegister.R12, 0xc)), out var reason);
        Assert.Null(reason);
        Assert.Equal(UnwindRowSource.Cfi, frames[0].RowSource);
        Assert.Equal((B + 8, Stack + 24), (frames[1].Pc, frames[1].Sp));
        Assert.Equal(0xbbbbUL, frames[1].Registers[UnwindRegister.Rbx]);
        Assert.Equal(0xcUL, frames[1].Registers[UnwindRegister.R12]); // unspecified callee-saved: same value
        Assert.Null(frames[1].Registers[UnwindRegister.Rax]);         // unspecified caller-saved: undefined
        Assert.Equal(UnwindRowSource.Orc, frames[1].RowSource);
    }

    [Fact]
    public void DwarfRowsWithTheSameCfaSupplyTheRegistersOrcDoesNotTrack()
    {
        var orc = new ListRowSource("orc").Orc(A, B, Call(24)).Orc(B, C, Call(8)).Orc(C, D, End);
        var cfi = new ListRowSource("cfi")
            .Row(A, B, () => CfiRow(A, B, 24, (UnwindRegister.Rbx, RegisterRule.AtCfa(-16))))
            .Row(B, C, () => CfiRow(B, C, 16, (UnwindRegister.Rbx, RegisterRule.AtCfa(-16)))); // disagrees with ORC: ignored
        var m = new DictionaryMemory();
        m[Stack + 8] = 0xbbbb;
        m[Stack + 16] = B + 8;
        m[Stack + 24] = C + 8;
        var frames = Walker(m, orc, cfi).Walk(Of((UnwindRegister.Rip, A + 4), (UnwindRegister.Rsp, Stack), (UnwindRegister.R12, 0xc)), out var reason);
        Assert.Null(reason);
        Assert.Equal(UnwindRowSource.Orc, frames[0].RowSource);
        Assert.Equal(0xbbbbUL, frames[1].Registers[UnwindRegister.Rbx]);
        Assert.Equal(0xcUL, frames[1].Registers[UnwindRegister.R12]);
        Assert.Null(frames[2].Registers[UnwindRegister.Rbx]);
        Assert.Null(frames[2].Registers[UnwindRegister.R12]);
    }

    [Fact]
    public void DwarfExpressionRulesAreEvaluated()
    {
        // A realigned stack: CFA = *(rbp - 24); rbp saved at [rbp]; r15 at rbp - 8; r14's value is rbp - 16 (val_expression); rcx in rdi.
        const ulong rbp = Stack + 0x80, cfa = Stack + 0x200;
        var row = new UnwindRow { Start = A, End = B, Source = UnwindRowSource.Cfi, Cfa = CfaRule.FromExpression(new byte[] { 0x76, 0x68, 0x06 }) };
        row[UnwindRegister.Rip] = RegisterRule.AtCfa(-8);
        row[UnwindRegister.Rbp] = RegisterRule.AtExpression(new byte[] { 0x76, 0x00 });
        row[UnwindRegister.R15] = RegisterRule.AtExpression(new byte[] { 0x76, 0x78 });
        row[UnwindRegister.R14] = RegisterRule.ValueOfExpression(new byte[] { 0x76, 0x70 });
        row[UnwindRegister.Rcx] = RegisterRule.InRegister(UnwindRegister.Rdi);
        row[UnwindRegister.R13] = RegisterRule.ValueAtCfa(16);
        var cfi = new ListRowSource().Row(A, B, () => row).Orc(B, C, End);
        var m = new DictionaryMemory();
        m[rbp - 24] = cfa;
        m[cfa - 8] = B + 1;
        m[rbp] = 0x1111;
        m[rbp - 8] = 0x1515;
        var frames = Walker(m, cfi).Walk(Of((UnwindRegister.Rip, A), (UnwindRegister.Rsp, Stack), (UnwindRegister.Rbp, rbp), (UnwindRegister.Rdi, 0xd1)), out var reason);
        Assert.Null(reason);
        var f = frames[1];
        Assert.Equal((B + 1, cfa), (f.Pc, f.Sp));
        Assert.Equal(0x1111UL, f.Registers[UnwindRegister.Rbp]);
        Assert.Equal(0x1515UL, f.Registers[UnwindRegister.R15]);
        Assert.Equal(rbp - 16, f.Registers[UnwindRegister.R14]);
        Assert.Equal(0xd1UL, f.Registers[UnwindRegister.Rcx]);
        Assert.Equal(cfa + 16, f.Registers[UnwindRegister.R13]);
    }

    [Fact]
    public void AnUndefinedReturnAddressEndsTheStackNormally()
    {
        var row = CfiRow(A, B, 8, (UnwindRegister.Rip, RegisterRule.Undefined));
        var frames = Walker(new DictionaryMemory(), new ListRowSource().Row(A, B, () => row))
            .Walk(Of((UnwindRegister.Rip, A), (UnwindRegister.Rsp, Stack)), out var reason);
        Assert.Null(reason);
        Assert.Single(frames);
    }

    [Fact]
    public void FramePointersAreTheLastResort()
    {
        const ulong fp1 = Stack + 0x30, fp2 = Stack + 0x60;
        var m = new DictionaryMemory();
        m[fp1] = fp2;
        m[fp1 + 8] = B + 4;
        m[fp2] = 0;
        m[fp2 + 8] = C + 4;
        var orc = new ListRowSource().Orc(C, D, End);
        var frames = Walker(m, orc).Walk(Of((UnwindRegister.Rip, A), (UnwindRegister.Rsp, Stack), (UnwindRegister.Rbp, fp1)), out var reason);
        Assert.Null(reason);
        Assert.Equal(new[] { A, B + 4, C + 4 }, frames.Select(f => f.Pc));
        Assert.Equal(new UnwindRowSource?[] { UnwindRowSource.FramePointer, UnwindRowSource.FramePointer, UnwindRowSource.Orc }, frames.Select(f => f.RowSource));
        Assert.Equal(new[] { Stack, fp1 + 16, fp2 + 16 }, frames.Select(f => f.Sp));

        // rbp below sp is not a frame pointer.
        var none = Walker(m).Walk(Of((UnwindRegister.Rip, A), (UnwindRegister.Rsp, Stack), (UnwindRegister.Rbp, Stack - 0x100)), out reason);
        Assert.Single(none);
        Assert.Equal($"cannot unwind past {A:x}: no ORC, DWARF CFI or frame-pointer information for this address", reason);
        var disabled = new StackWalker(m, [], IsText) { UseFramePointerFallback = false }
            .Walk(Of((UnwindRegister.Rip, A), (UnwindRegister.Rsp, Stack), (UnwindRegister.Rbp, fp1)), out reason);
        Assert.Single(disabled);
        Assert.NotNull(reason);
    }

    [Fact]
    public void AFrameThatDoesNotMoveTheStackUpStops()
    {
        // Corrupt ORC: CFA = sp + 0 gives the same sp again.
        var orc = new ListRowSource().Orc(A, B, Call(8)).Orc(B, C, Call(0));
        var m = new DictionaryMemory();
        m[Stack] = B + 4;
        var frames = Walker(m, orc).Walk(Of((UnwindRegister.Rip, A), (UnwindRegister.Rsp, Stack)), out var reason);
        Assert.Equal(2, frames.Count);
        Assert.Equal($"cannot unwind past {B + 4:x}(ret): the stack goes in the wrong direction (sp {Stack + 8:x} -> {Stack + 8:x})", reason);
    }

    [Fact]
    public void AStackSwitchingLoopStops()
    {
        // An indirect stack pointer that leads back to the same sp and pc (CFA = *(sp) + 8 = sp):
        // sp does not increase and the (pc, sp) pair repeats. The walk must end, not spin.
        var orc = new ListRowSource().Orc(A, B, Call(8, OrcRegister.SpIndirect));
        var m = new DictionaryMemory();
        m[Stack] = Stack - 8;
        m[Stack - 8] = A + 4;
        var frames = Walker(m, orc).Walk(Of((UnwindRegister.Rip, A), (UnwindRegister.Rsp, Stack)), out var reason);
        Assert.Equal(2, frames.Count);
        Assert.Equal($"cannot unwind past {A + 4:x}(ret): the unwind loops (pc {A + 4:x}, sp {Stack:x} seen before)", reason);
    }

    [Fact]
    public void TheDepthLimitEndsAnEndlessStack()
    {
        // Every slot holds a return address into A, whose frames are 8 bytes: an endless, well-formed stack.
        var orc = new ListRowSource().Orc(A, B, Call(8));
        var m = new DictionaryMemory().Generate(Stack, Stack + 0x100000, _ => A + 4);
        var frames = Walker(m, orc).Walk(Of((UnwindRegister.Rip, A), (UnwindRegister.Rsp, Stack)), out var reason, maxFrames: 10);
        Assert.Equal(10, frames.Count);
        Assert.Equal($"cannot unwind past {A + 4:x}(ret): stopped after 10 frames (depth limit)", reason);
    }

    [Fact]
    public void AnUnreadableStackStopsWithTheReadError()
    {
        var orc = new ListRowSource().Orc(A, B, Call(16));
        var frames = Walker(new DictionaryMemory(), orc).Walk(Of((UnwindRegister.Rip, A), (UnwindRegister.Rsp, Stack)), out var reason);
        Assert.Single(frames);
        Assert.Equal($"cannot unwind past {A:x}: cannot recover rip ([cfa-8]): no memory at {Stack + 8:x}", reason);
    }

    [Fact]
    public void ReturnAddressesOfZeroEndAndOutsideTextStop()
    {
        var orc = new ListRowSource().Orc(A, B, Call(8));
        var m = new DictionaryMemory();
        m[Stack] = 0;
        var frames = Walker(m, orc).Walk(Of((UnwindRegister.Rip, A), (UnwindRegister.Rsp, Stack)), out var reason);
        Assert.Single(frames);
        Assert.Null(reason);

        m[Stack] = 0xffff_8880_0000_1000; // a data address
        frames = Walker(m, orc).Walk(Of((UnwindRegister.Rip, A), (UnwindRegister.Rsp, Stack)), out reason);
        Assert.Single(frames);
        Assert.Equal($"cannot unwind past {A:x}: return address ffff888000001000 is not in kernel text", reason);

        frames = Walker(m, orc).Walk(Of((UnwindRegister.Rip, 0xffff_8880_0000_1000), (UnwindRegister.Rsp, Stack)), out reason);
        Assert.Single(frames);
        Assert.Equal("cannot unwind past ffff888000001000: it is not in kernel text", reason);

        frames = Walker(m, orc).Walk(Of((UnwindRegister.Rsp, Stack)), out reason);
        Assert.Empty(frames);
        Assert.Equal("cannot unwind: the initial registers have no rip", reason);

        frames = Walker(m, orc).Walk(Of((UnwindRegister.Rip, A)), out reason);
        Assert.Empty(frames);
        Assert.Equal("cannot unwind: the initial registers have no rsp", reason);
    }

    [Fact]
    public void InitialUserRegistersAreOneUserFrame()
    {
        var frames = Walker(new DictionaryMemory()).Walk(Interrupted(0x45514d, 0x7ffd_1258_4958, 0x33), out var reason);
        Assert.Null(reason);
        Assert.Single(frames);
        Assert.True(frames[0].IsUserMode);
    }

    [Fact]
    public void AStartFoundOnTheStackIsLookedUpAsAReturnAddress()
    {
        var (m, orc) = ThreeCallFrames();
        var frames = Walker(m, orc).Walk(Of((UnwindRegister.Rip, B), (UnwindRegister.Rsp, Stack + 8)), initialPcIsReturnAddress: true, out var reason);
        Assert.Null(reason);
        Assert.False(frames[0].IsInterrupted);
        Assert.Equal(B - 1, orc.LookedUp[0]); // A's row: the call was A's last instruction
    }
}
