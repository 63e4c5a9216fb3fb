using KdumpDebug.TestSupport;

namespace KdumpDebug.Kernel.Tests.Triage;

/// <summary><see cref="Taint"/>: print_tainted() on a table built in code, and the fixture kernel's own table read through DWARF.</summary>
public class TaintTests
{
    /// <summary>Linux 6.1's taint_flags[] (kernel/panic.c), c_true/c_false/module per TAINT_* bit.</summary>
    static readonly TaintFlag[] Linux61 =
    [
        new('P', 'G', true), new('F', ' ', true), new('S', ' ', false), new('R', ' ', false), new('M', ' ', false),
        new('B', ' ', false), new('U', ' ', false), new('D', ' ', false), new('A', ' ', false), new('W', ' ', false),
        new('C', ' ', true), new('I', ' ', false), new('O', ' ', true), new('E', ' ', true), new('L', ' ', false),
        new('K', ' ', true), new('X', ' ', true), new('T', ' ', true), new('N', ' ', true),
    ];

    [Fact]
    public void ZeroMaskIsNotTainted() => Assert.Equal("Not tainted", Taint.PrintTainted(0, Linux61));

    [Fact]
    public void SetBitsPrintTheirLetterAndClearOnesTheirFiller()
    {
        // TAINT_DIE (7), TAINT_OOT_MODULE (12), TAINT_UNSIGNED_MODULE (13): "G" for the clear bit 0, spaces elsewhere, kept to the end.
        var mask = (1UL << 7) | (1UL << 12) | (1UL << 13);
        Assert.Equal("Tainted: G" + new string(' ', 6) + "D" + new string(' ', 4) + "OE" + new string(' ', 5), Taint.PrintTainted(mask, Linux61));
        Assert.Equal("DOE", Taint.SetLetters(mask, Linux61));
        Assert.Equal("Tainted: P" + new string(' ', 18), Taint.PrintTainted(1, Linux61));
    }

    [Fact]
    public void BitsPastTheTableAreNotPrinted()
    {
        // The kernel loops over TAINT_FLAGS_COUNT entries only.
        Assert.Equal("Tainted: G ", Taint.PrintTainted(1UL << 40, [new('P', 'G', true), new('F', ' ', true)]));
    }

    [FixtureFact]
    public void FixtureKernelTableIsLinux61s()
    {
        var flags = Taint.ReadTaintFlags(FixtureKernels.Open("sysrq"));
        Assert.Equal(Linux61, flags);
    }

    [FixtureFact]
    public void OopsDumpIsTakenBeforeTaintDie()
    {
        // oops_end() calls crash_kexec() before add_taint(TAINT_DIE) (arch/x86/kernel/dumpstack.c): the
        // oops-module dump is as untainted as its console's "Not tainted" CPU line.
        Assert.Equal(0UL, Taint.ReadTaintedMask(FixtureKernels.Open("oops-module")));
        Assert.Equal(0UL, Taint.ReadTaintedMask(FixtureKernels.Open("sysrq")));
    }
}
