using KdumpDebug.Target.Frames;
using KdumpDebug.Target.Unwind;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Target.Tests.Frames;

/// <summary>
/// Variables of the frames in lkdtm.ko on the oops-module dump (drivers/misc/lkdtm/core.c:
/// <c>direct_entry(struct file *f, const char __user *user_buf, size_t count, loff_t *off)</c>
/// called lkdtm_EXCEPTION through <c>crashtype->func()</c>), read through the module's own DWARF
/// relocated to its load address. Values noted "drgn:" are drgn 0.0.22's (oops-module/drgn/crashed-thread.json).
/// </summary>
public sealed class ModuleFrameVariablesFixtureTests
{
    static (KernelTarget Target, IReadOnlyList<LogicalFrame> Frames) Stack() => FrameVariablesFixtureTests.PanicStack("oops-module");

    static FrameVariables DirectEntry(out KernelTarget target)
    {
        var (t, frames) = Stack();
        target = t;
        var index = frames.ToList().FindIndex(f => f.Function == "direct_entry");
        Assert.True(index >= 0, string.Join(", ", frames.Select(f => f.Function)));
        return FrameVariables.For(t, frames, index);
    }

    [FixtureFact]
    public void AModuleFrameIsTypedByTheModulesOwnDwarf()
    {
        var vars = DirectEntry(out var target);
        Assert.NotSame(target.Vmlinux.Types, vars.Types);
        Assert.Same(target.Modules.Modules[0].DebugInfo!.Types, vars.Types);
        Assert.Equal(["f", "user_buf", "count", "off"], vars.Parameters.Select(p => p.Name));
        Assert.Equal(["crashtype", "buf"], vars.Locals.Select(p => p.Name));
        // drgn: (const struct crashtype *)crashtypes+0x40 = 0xffffffffc00e02c0, a module data address (no KASLR slide).
        Assert.True(vars.TryLookup("crashtype", out var crashtype));
        Assert.Equal("const struct crashtype *", Debuginfo.Types.TypeSystem.NameOf(crashtype.Type));
        Assert.Equal(0xffffffffc00e02c0UL, crashtype.Value.ReadUnsigned());
        // The struct is the module's type: its members resolve, and name points at the command string.
        var entry = crashtype.Value.Dereference();
        Assert.Equal("EXCEPTION", entry.Member("name").Dereference().ReadCString());
        Assert.True(target.TryFindSymbol(entry.Member("func").ReadUnsigned(), out var func, out _));
        Assert.Equal("lkdtm_EXCEPTION", func.Name);
        // drgn: (char *)0xffff8faf40b9d000 = "EXCEPTION", (size_t)10.
        Assert.True(vars.TryLookup("buf", out var buf));
        Assert.Equal("EXCEPTION", buf.Value.Dereference().ReadCString());
        Assert.True(vars.TryLookup("count", out var count));
        Assert.Equal(10UL, count.Value.ReadUnsigned());
    }

    /// <summary>
    /// drgn cannot read f and user_buf (DW_OP_entry_value); the caller is full_proxy_write, in the
    /// vmlinux, whose call site <c>r = real_fops->write(filp, buf, size, ppos)</c> passes them:
    /// drgn's filp and buf of frame #2 (0xffff8faf40158d00, 0x1c6ebb70).
    /// </summary>
    [FixtureFact]
    public void EntryValuesOfAModuleFrameComeFromTheVmlinuxCallersCallSite()
    {
        var vars = DirectEntry(out _);
        Assert.True(vars.TryLookup("f", out var f));
        Assert.False(f.Value.IsAbsent, f.Value.AbsentReason);
        Assert.Equal(0xffff8faf40158d00UL, f.Value.ReadUnsigned());
        Assert.True(vars.TryLookup("user_buf", out var userBuf));
        Assert.False(userBuf.Value.IsAbsent, userBuf.Value.AbsentReason);
        Assert.Equal(0x1c6ebb70UL, userBuf.Value.ReadUnsigned());
    }

    [FixtureFact]
    public void WithoutTheModulesDebugFileItsFramesHaveNoVariables()
    {
        using var target = FixtureTargets.Open("oops-module/vmcore.kdump-zlib");
        var unwinder = new KernelUnwinder(target);
        foreach (var module in target.Modules.Modules) unwinder.AddModule(module, target.TypeLayouts);
        var frames = InlineFrameExpander.Expand(target, unwinder.Unwind(RegisterSet.FromPrStatus(target.Dump.CpuRegisters[0]), out _));
        Assert.Equal(["lkdtm_EXCEPTION", "direct_entry"], frames.Take(2).Select(f => f.Function));
        for (var i = 0; i < 2; i++)
        {
            var vars = FrameVariables.For(target, frames, i);
            Assert.Empty(vars.Parameters);
            Assert.Empty(vars.Locals);
        }
        // The vmlinux frames above them keep theirs (their values may need registers that only the
        // module's CFI would have recovered: the ORC read from memory tracks sp and bp only).
        Assert.Equal("full_proxy_write", frames[2].Function);
        Assert.Equal(["filp", "buf", "size", "ppos"], FrameVariables.For(target, frames, 2).Parameters.Select(p => p.Name));
    }
}
