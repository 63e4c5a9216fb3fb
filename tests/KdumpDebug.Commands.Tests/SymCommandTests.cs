using KdumpDebug.TestSupport;

namespace KdumpDebug.Commands.Tests;

/// <summary>sym on a MockTarget, for what the crash recordings of the sysrq dump do not show.</summary>
public sealed class SymCommandTests
{
    static MockTarget Target() => new MockTarget()
        .AddSymbol("fixed_percpu_data", 0, 'D')
        .AddSymbol("_text", 0xffffffff81000000, 'T')
        .AddSymbol("do_work", 0xffffffff81000100, 't')
        .AddSymbol("counter", 0xffffffff82000000, 'D')
        .AddSymbol("_end", 0xffffffff82100000, 'B')
        .AddSymbol("lkdtm_EXCEPTION", 0xffffffffc00d6250, 't', size: 0x20, module: "lkdtm")
        .AddSourceLine(0xffffffff81000100, 0xffffffff81000140, "./kernel/work.c", 42)
        .AddSourceLine(0xffffffffc00d6250, 0xffffffffc00d6270, "./drivers/misc/lkdtm/bugs.c", 95);

    static string Run(string line) => new CommandSession(Target()).ExecuteAndCapture(line);

    [Fact]
    public void ModuleSymbolShowsItsModuleBeforeTheSourceLine()
    {
        Assert.Equal("ffffffffc00d6250 (t) lkdtm_EXCEPTION [lkdtm] ./drivers/misc/lkdtm/bugs.c: 95\n", Run("sym lkdtm_EXCEPTION"));
        Assert.Equal("ffffffffc00d6254 (t) lkdtm_EXCEPTION+4 [lkdtm] ./drivers/misc/lkdtm/bugs.c: 95\n", Run("sym ffffffffc00d6254"));
    }

    [Fact]
    public void ListShowsEverySymbolByAddressWithUnpaddedPerCpuOffsets()
    {
        Assert.Equal(
            "0 (D) fixed_percpu_data\n" +
            "ffffffff81000000 (T) _text\n" +
            "ffffffff81000100 (t) do_work\n" +
            "ffffffff82000000 (D) counter\n" +
            "ffffffff82100000 (B) _end\n" +
            "ffffffffc00d6250 (t) lkdtm_EXCEPTION [lkdtm]\n",
            Run("sym -l"));
    }

    [Fact]
    public void AddressAboveTheLastKernelSymbolAndOutsideModulesIsInvalid()
    {
        Assert.Equal("sym: invalid address: ffffffff90000000\n", Run("sym ffffffff90000000"));
        Assert.Equal("sym: invalid address: 0x10\n", Run("sym 0x10"));
    }

    [Fact]
    public void DataSymbolHasNoSourceLine()
    {
        Assert.Equal("ffffffff82000008 (D) counter+8\n", Run("sym ffffffff82000008"));
    }

    [Fact]
    public void NoArgumentPrintsUsage()
    {
        Assert.Equal(
            "Usage:\n  sym [-l] | [-q string] | [symbol | vaddr]...\nEnter \"help sym\" for details.\n",
            Run("sym"));
    }

    [Fact]
    public void ModuleTablesAreRefusedAsUnsupported()
    {
        Assert.Equal("sym: -m (module symbol tables) is not supported yet\n", Run("sym -m lkdtm"));
    }
}
