using KdumpDebug.Debuginfo.Cfi;
using KdumpDebug.Debuginfo.Orc;
using KdumpDebug.Dump;
using KdumpDebug.Target.Unwind;

namespace KdumpDebug.Target.Tests.Unwind;

public class RegisterSetTests
{
    [Fact]
    public void PrStatusNamesMapToEveryRegister()
    {
        var values = CpuRegisters.X86_64Names.Select((n, i) => (n, (ulong)(i + 1))).ToDictionary(x => x.n, x => x.Item2);
        values["cs"] = 0x10; // __KERNEL_CS
        var set = RegisterSet.FromPrStatus(new CpuRegisters(0, 68, values));
        Assert.Equal(CpuRegisters.X86_64Names.Length, set.KnownCount);
        Assert.Equal(17UL, set.Rip);                            // "rip" is the 17th name
        Assert.Equal(19UL, set[UnwindRegister.Rflags]);         // "eflags"
        Assert.Equal(16UL, set[UnwindRegister.OrigRax]);
        Assert.Equal(23UL, set[UnwindRegister.GsBase]);
        Assert.Equal(5UL, set[UnwindRegister.Rbp]);
        Assert.False(set.IsUserMode);
        values["cs"] = 0x33; // __USER_CS
        Assert.True(RegisterSet.FromPrStatus(new CpuRegisters(1, 48, values)).IsUserMode);
    }

    [Fact]
    public void PtRegsLayoutAndUserMode()
    {
        var bytes = new byte[PtRegs.Size];
        for (var i = 0; i < 21; i++) BitConverter.TryWriteBytes(bytes.AsSpan(i * 8), (ulong)(0x100 + i));
        BitConverter.TryWriteBytes(bytes.AsSpan(17 * 8), 0x33UL);
        var set = RegisterSet.FromPtRegs(bytes);
        Assert.Equal(0x100UL, set[UnwindRegister.R15]);
        Assert.Equal(0x104UL, set[UnwindRegister.Rbp]);
        Assert.Equal(0x10fUL, set[UnwindRegister.OrigRax]);
        Assert.Equal(0x110UL, set.Rip);
        Assert.Equal(0x113UL, set.Rsp);
        Assert.True(set.IsUserMode);
        Assert.Null(set[UnwindRegister.FsBase]);
        var copy = set.Clone();
        set.Forget(UnwindRegister.Rip);
        Assert.Null(set.Rip);
        Assert.Equal(0x110UL, copy.Rip);
    }
}
