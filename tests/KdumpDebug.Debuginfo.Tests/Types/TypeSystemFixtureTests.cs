using System.Diagnostics;
using KdumpDebug.Debuginfo.Types;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Debuginfo.Tests.Types;

/// <summary>Variables, functions and enumerators of the fixture kernel agree with its symbol table and crash.</summary>
public class TypeSystemFixtureTests
{
    [FixtureFact]
    public void VariablesHaveTheSymbolTableAddress()
    {
        var types = KernelTypes.Fixture;
        var symbols = FixtureKernel.Vmlinux.Symbols;
        foreach (var name in new[] { "init_task", "linux_banner", "sys_call_table", "init_mm" })
        {
            Assert.True(types.TryFindVariable(name, out var v), name);
            Assert.True(symbols.TryLookup(name, out var s), name);
            Assert.Equal(s.Address, v.Address);
            Assert.False(v.IsDeclaration);
        }
        Assert.True(types.TryFindVariable("init_task", out var task));
        Assert.Equal(("./init/init_task.c", 64), (task.DeclFile, task.DeclLine));
        Assert.Equal(6528UL, task.Type.Size);
        // jiffies is defined by the linker script: DWARF only declares it.
        Assert.True(types.TryFindVariable("jiffies", out var jiffies));
        Assert.True(jiffies.IsDeclaration);
        Assert.Null(jiffies.Address);
        Assert.Equal("volatile unsigned long jiffies", TypePrinter.Declaration(jiffies.Type, jiffies.Name));
    }

    [FixtureFact]
    public void FunctionsHaveTheirCodeRangeAndPrototype()
    {
        var types = KernelTypes.Fixture;
        Assert.True(types.TryFindFunction("sysrq_handle_crash", out var f));
        Assert.True(FixtureKernel.Vmlinux.Symbols.TryLookup("sysrq_handle_crash", out var s));
        Assert.Equal(s.Address, f.LowPc);
        Assert.Equal(s.Address + s.Size, f.HighPc);
        Assert.Equal("./drivers/tty/sysrq.c", f.DeclFile);
        Assert.Equal("void sysrq_handle_crash(int)", TypePrinter.Declaration(f.Type, f.Name));
        Assert.Equal(["key"], f.ParameterNames);
        Assert.True(types.TryFindFunction("list_add", out var inline));
        Assert.True(inline.IsInlineOnly || inline.LowPc is not null);
    }

    [FixtureFact]
    public void EnumeratorsAndLookupsAreFast()
    {
        var types = KernelTypes.Fixture;
        Assert.True(types.TryFindEnumerator("PIDTYPE_SID", out var pidType, out var sid));
        Assert.Equal(("pid_type", 3L), (pidType.Name!, sid.Value));
        types.FindType("struct task_struct");
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 1000; i++) types.FindType("struct task_struct");
        clock.Stop();
        // A cached lookup is an index probe plus a name check: well under a millisecond.
        Assert.True(clock.Elapsed.TotalMilliseconds / 1000 < 1, $"{clock.Elapsed.TotalMilliseconds / 1000:F3} ms per lookup");
        Assert.Equal(16UL, types.FindType("struct task_struct").FindMember("comm").Type.Count);
    }

    [FixtureFact]
    public void KernelModuleDwarfIsReadAfterRelocation()
    {
        using var elf = KdumpDebug.Debuginfo.Elf.ElfFile.Open(FixtureKernel.LkdtmPath);
        var types = TypeSystem.ForElf(elf);
        Assert.True(types.HasDebugInfo);
        Assert.Empty(types.Index.Errors);
        Assert.True(types.TryFindFunction("lkdtm_EXCEPTION", out var f));
        Assert.Equal("./drivers/misc/lkdtm/bugs.c", f.DeclFile);
        Assert.NotNull(f.LowPc);
        Assert.Equal(16UL, types.FindType("struct list_head").Size);
    }
}
