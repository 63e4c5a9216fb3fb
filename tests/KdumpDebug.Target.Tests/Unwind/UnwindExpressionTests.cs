using KdumpDebug.Debuginfo.Cfi;
using KdumpDebug.Target.Unwind;
using static KdumpDebug.Target.Tests.Unwind.Regs;

namespace KdumpDebug.Target.Tests.Unwind;

/// <summary>The DWARF expressions unwind rows carry, evaluated against a frame's registers and memory.</summary>
public class UnwindExpressionTests
{
    static readonly RegisterSet Frame = Of((UnwindRegister.Rsp, 0x1000), (UnwindRegister.Rbp, 0x2000), (UnwindRegister.R12, 5));

    static ulong Eval(byte[] expression, ulong? initial = null, DictionaryMemory? memory = null)
    {
        Assert.True(UnwindExpression.TryEvaluate(expression, Frame, initial, memory ?? new DictionaryMemory(), out var result, out var error), error);
        return result;
    }

    static string Fail(byte[] expression, DictionaryMemory? memory = null)
    {
        Assert.False(UnwindExpression.TryEvaluate(expression, Frame, null, memory ?? new DictionaryMemory(), out _, out var error));
        return error!;
    }

    [Fact]
    public void RegistersConstantsAndArithmetic()
    {
        Assert.Equal(0x1fe8UL, Eval([0x76, 0x68]));                       // DW_OP_breg6 -24
        Assert.Equal(0x1010UL, Eval([0x92, 0x07, 0x10]));                 // DW_OP_bregx rsp 16
        Assert.Equal(0x2010UL, Eval([0x76, 0x00, 0x23, 0x10]));           // plus_uconst
        Assert.Equal(0x2008UL, Eval([0x76, 0x00, 0x11, 0x08, 0x22]));     // consts 8; plus
        Assert.Equal(0x1ff8UL, Eval([0x76, 0x00, 0x38, 0x1c]));           // lit8; minus
        Assert.Equal(0x28UL, Eval([0x7c, 0x00, 0x38, 0x1e]));             // breg12 0 (5); lit8; mul
        Assert.Equal(0xffffffffffffff80UL, Eval([0x09, 0x80]));           // const1s -128
        Assert.Equal(0x1234UL, Eval([0x0a, 0x34, 0x12]));                 // const2u
        Assert.Equal(7UL, Eval([0x30, 0x37, 0x16, 0x13]));                // lit0 lit7 swap drop -> 7? (swap: 0 on top, drop -> 7)
        Assert.Equal(0x3000UL, Eval([0x12, 0x22], initial: 0x1800));      // dup; plus on the pushed CFA
        Assert.Equal(1UL, Eval([0x31, 0x31, 0x29]));                      // lit1 lit1 eq
    }

    [Fact]
    public void DerefReadsMemory()
    {
        var m = new DictionaryMemory();
        m[0x1fe8] = 0xffff_c900_0000_1234;
        Assert.Equal(0xffff_c900_0000_1234UL, Eval([0x76, 0x68, 0x06], memory: m));
        Assert.Equal(0x34UL, Eval([0x76, 0x68, 0x94, 0x01], memory: m)); // deref_size 1
    }

    [Fact]
    public void BranchesAreBoundedAndOutOfRangeTargetsRejected()
    {
        // lit1; bra +0 (taken, falls through) ; lit3
        Assert.Equal(3UL, Eval([0x31, 0x28, 0x00, 0x00, 0x33]));
        // skip -3: jumps back onto itself forever
        Assert.Contains($"more than {UnwindExpression.MaxSteps} operations", Fail([0x2f, 0xfd, 0xff]));
        Assert.Equal("branch outside the expression", Fail([0x2f, 0x10, 0x00]));
    }

    [Fact]
    public void UnknownRegistersUnreadableMemoryAndMalformedExpressionsFail()
    {
        Assert.Equal("DWARF register 0 is unknown in this frame", Fail([0x70, 0x00]));
        Assert.Equal("no memory at 1fe8", Fail([0x76, 0x68, 0x06]));
        Assert.Equal("expression stack underflow", Fail([0x22]));
        Assert.Equal("expression leaves an empty stack", Fail([0x96]));
        Assert.Equal("truncated DW_OP_breg offset", Fail([0x76]));
        Assert.Equal("DWARF expression operation 0x50 is not supported in unwind rules", Fail([0x50]));
        Assert.Equal("division by zero", Fail([0x31, 0x30, 0x1b]));
        Assert.Contains("deeper than", Fail(Enumerable.Repeat((byte)0x30, UnwindExpression.MaxStack + 1).ToArray()));
    }
}
