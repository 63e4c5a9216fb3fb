using System.Text;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Commands.Tests;

/// <summary>
/// rd on a MockTarget: the cases crash's recordings (CrashReplayTests) do not cover, where our
/// output is ours by design (excluded pages, user addresses, unsupported options) or needs
/// set-up crash could not show (a file written by -r).
/// </summary>
public sealed class RdCommandTests
{
    const ulong Text = 0xffffffff81000000;
    const ulong Data = 0xffffffff82000000;

    static MockTarget Target()
    {
        var target = new MockTarget()
            .AddSymbol("_text", Text, 'T')
            .AddSymbol("some_function", Text + 0x100, 't')
            .AddSymbol("greeting", Data, 'D')
            .AddSymbol("table", Data + 0x40, 'D')
            .AddSymbol("_end", Data + 0x10000, 'B');
        target.MapVirtual(Data, "Hello, kernel!\0\0"u8);
        var table = new byte[32];
        BitConverter.TryWriteBytes(table.AsSpan(0), Text + 0x100);     // exactly a symbol
        BitConverter.TryWriteBytes(table.AsSpan(8), Text + 0x10b);     // symbol + 11
        BitConverter.TryWriteBytes(table.AsSpan(16), 0x4000UL);        // a small number
        BitConverter.TryWriteBytes(table.AsSpan(24), 0xffff888000001000UL); // direct map: no symbol
        target.MapVirtual(Data + 0x40, table);
        return target;
    }

    static string Run(MockTarget target, string line) => new CommandSession(target).ExecuteAndCapture(line);

    [Fact]
    public void SymbolicShowsNameAndDecimalOffsetOnlyForKernelSymbolValues()
    {
        Assert.Equal(
            "ffffffff82000040:  some_function    some_function+11 \n" +
            "ffffffff82000050:  0000000000004000 ffff888000001000 \n",
            Run(Target(), "rd -s table 4"));
    }

    [Fact]
    public void AsciiWithoutCountStopsAtTheFirstNonPrintableByteAndEndsTheLine()
    {
        Assert.Equal("ffffffff82000000:  Hello, kernel!\n", Run(Target(), "rd -a greeting"));
    }

    [Fact]
    public void AsciiWrapsAtSixtyCharactersWithTheAddressOfEachChunk()
    {
        var target = Target();
        var text = new string('x', 70);
        target.MapVirtual(Data + 0x1000, Encoding.ASCII.GetBytes(text + "\0"));
        Assert.Equal(
            $"ffffffff82001000:  {new string('x', 60)}\n" +
            $"ffffffff8200103c:  {new string('x', 10)}\n",
            Run(target, "rd -a ffffffff82001000"));
    }

    [Fact]
    public void ExcludedPageIsReportedWithVirtualAddressPfnAndDumpLevelNeverAsZeros()
    {
        var target = Target().ExcludeVirtualPage(0xffff888000200000, pfn: 0x200, dumpLevel: 31);
        var output = Run(target, "rd ffff888000200010 2");
        Assert.Equal(
            "rd: page excluded: virtual address ffff888000200010, PFN 200 (dump level 31)  type: \"64-bit KVADDR\"\n",
            output);
        Assert.DoesNotContain("0000000000000000", output);
    }

    [Fact]
    public void ReadRunningIntoAnExcludedPagePrintsWhatWasReadThenTheError()
    {
        var target = Target();
        target.MapVirtual(0xffff888000100ff0, new byte[16]);
        target.ExcludeVirtualPage(0xffff888000101000, pfn: 0x101, dumpLevel: 31);
        Assert.Equal(
            "ffff888000100ff0:  0000000000000000 0000000000000000 " +
            "rd: page excluded: virtual address ffff888000101000, PFN 101 (dump level 31)  type: \"64-bit KVADDR\"\n",
            Run(target, "rd ffff888000100ff0 4"));
    }

    [Fact]
    public void UnmappedKernelAddressUsesCrashWording()
    {
        Assert.Equal(
            "rd: invalid kernel virtual address: ffffc90000000000  type: \"32-bit KVADDR\"\n",
            Run(Target(), "rd -32 ffffc90000000000"));
    }

    [Fact]
    public void PhysicalExcludedPageNamesThePfn()
    {
        var target = Target().ExcludePhysicalPage(0x5000, dumpLevel: 31);
        Assert.Equal(
            "rd: page excluded: PFN 5 (dump level 31)  type: \"64-bit PHYSADDR\"\n",
            Run(target, "rd -p 5008"));
    }

    [Fact]
    public void UserAddressesAreRefusedWithAReasonNotPretendedInvalid()
    {
        Assert.Equal(
            "rd: cannot read user virtual address: 1234 (user address spaces are not supported yet)  type: \"64-bit UVADDR\"\n",
            Run(Target(), "rd 1234"));
    }

    [Fact]
    public void FiveLevelPagingMovesTheKernelSpaceBoundary()
    {
        // 0xff11000000000000 is user space with 4-level paging, the direct map with 5-level (LA57).
        var target = Target();
        target.MapVirtual(0xff11000000000000, "LA57 direct map\0"u8);
        Assert.StartsWith("rd: cannot read user virtual address", Run(target, "rd -a ff11000000000000"));
        target.Summary = target.Summary with { PagingLevels = 5 };
        Assert.Equal("ff11000000000000:  LA57 direct map\n", Run(target, "rd -a ff11000000000000"));
    }

    [Fact]
    public void InvalidOptionPrintsGetoptMessageAndUsage()
    {
        Assert.Equal(
            "rd: invalid option -- 'z'\n" +
            "Usage:\n" +
            "  rd [-adDsxpuNR][-8|-16|-32|-64][-o offs][-e addr][-r file][address|symbol]\n" +
            "     [count]\n" +
            "Enter \"help rd\" for details.\n",
            Run(Target(), "rd -z greeting"));
    }

    [Fact]
    public void MissingAddressPrintsOnlyTheUsage()
    {
        Assert.StartsWith("Usage:\n  rd ", Run(Target(), "rd -64"));
    }

    [Fact]
    public void SlabOptionIsRefusedAsUnsupported()
    {
        Assert.Equal("rd: -S (slab cache names) is not supported yet\n", Run(Target(), "rd -S table"));
    }

    [Fact]
    public void ExpressionAddressesAreRefusedAsUnsupported()
    {
        Assert.Equal("rd: expressions are not supported yet: (greeting+8)\n", Run(Target(), "rd (greeting+8)"));
    }

    [Fact]
    public void RawCopiesTheBytesToAFile()
    {
        var dir = Fixtures.NewTempDirectory();
        var path = Path.Combine(dir, "out.bin");
        Assert.Equal($"14 bytes copied from 0xffffffff82000000 to {path}\n", Run(Target(), $"rd -r {path} greeting 14"));
        Assert.Equal("Hello, kernel!"u8.ToArray(), File.ReadAllBytes(path));
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void RawWithoutCountOrEndIsAnError()
    {
        Assert.Equal("rd: -r option requires either a count argument or the -e option\n", Run(Target(), "rd -r /tmp/never greeting"));
    }

    [Fact]
    public void ReverseWithCountOneShowsJustTheAddress()
    {
        Assert.Equal("ffffffff82000000:  6b202c6f6c6c6548                    Hello, k\n", Run(Target(), "rd -R greeting"));
    }

    [Fact]
    public void SessionContinuesAfterAnError()
    {
        var session = new CommandSession(Target());
        Assert.Equal(CommandOutcome.Failed, session.Execute("rd nothing_here", TextWriter.Null));
        Assert.Equal("ffffffff82000000:  Hello, kernel!\n", session.ExecuteAndCapture("rd -a greeting"));
    }
}
