using System.Globalization;
using System.Text.Json;
using KdumpDebug.Target.Frames;
using KdumpDebug.Target.Unwind;
using KdumpDebug.TestSupport;
using Xunit.Abstractions;

namespace KdumpDebug.Target.Tests.Frames;

/// <summary>
/// Parameters and locals of the panic task's frames on the sysrq dump, against drgn's
/// <c>crashed-thread.json</c> (drgn 0.0.22 <c>StackFrame.locals()</c> per logical frame): the same
/// names in the same order, the same values for every variable drgn could read, absent where drgn
/// found no location; and the DW_OP_entry_value parameters drgn could not read, recovered from the
/// caller's call site.
/// </summary>
public sealed class FrameVariablesFixtureTests(ITestOutputHelper output)
{
    static readonly Lock OpenLock = new();
    static readonly Dictionary<string, (KernelTarget Target, IReadOnlyList<LogicalFrame> Frames)> Opened = [];

    internal static (KernelTarget Target, IReadOnlyList<LogicalFrame> Frames) PanicStack() => PanicStack("sysrq");

    /// <summary>
    /// The logical frames of the panic CPU's crash note on the scenario's kdump-zlib dump. The
    /// oops-module dump is opened with lkdtm.ko's DWARF (--modules kernel/) and the module's unwind
    /// tables, so the walk goes from lkdtm_EXCEPTION through direct_entry.cold into the vmlinux.
    /// </summary>
    internal static (KernelTarget Target, IReadOnlyList<LogicalFrame> Frames) PanicStack(string scenario)
    {
        lock (OpenLock)
        {
            if (Opened.TryGetValue(scenario, out var o)) return o;
            var target = KernelTarget.Open(new TargetOptions(Fixtures.Plain($"{scenario}/vmcore.kdump-zlib"), Fixtures.Path("kernel/vmlinux.xz"),
                ModuleDirectories: scenario == "oops-module" ? [Fixtures.Path("kernel")] : null, CacheDirectory: FixtureTargets.VmlinuxCache));
            var unwinder = new KernelUnwinder(target);
            foreach (var module in target.Modules.Modules) unwinder.AddModule(module, target.TypeLayouts);
            var physical = unwinder.Unwind(RegisterSet.FromPrStatus(target.Dump.CpuRegisters[0]), out _);
            o = (target, InlineFrameExpander.Expand(target, physical));
            Opened[scenario] = o;
            return o;
        }
    }

    static List<JsonElement> DrgnFrames(string scenario = "sysrq")
    {
        using var doc = JsonDocument.Parse(Fixtures.ReadText($"{scenario}/drgn/crashed-thread.json"));
        return [.. doc.RootElement.GetProperty("frames").EnumerateArray().Select(f => f.Clone())];
    }

    /// <summary>The number in a drgn scalar value: "(long)0", "(ssize_t)-5", "(struct pt_regs *)0x0", "(const char *).LC0+0x31b = 0xffffffff8270c8cc = \"...\"".</summary>
    static ulong DrgnNumber(string value)
    {
        var text = value;
        var eq = text.IndexOf(" = 0x", StringComparison.Ordinal);
        if (eq >= 0) text = text[(eq + 3)..].Split(' ')[0];
        else text = text[(text.IndexOf(')') + 1)..].Split(' ')[0]; // "(char *)0xffff8faf40b9d000 = \"EXCEPTION\""
        return text.StartsWith("0x", StringComparison.Ordinal)
            ? ulong.Parse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : (ulong)long.Parse(text, CultureInfo.InvariantCulture);
    }

    [FixtureTheory]
    [InlineData("sysrq")]
    [InlineData("oops-module")]
    public void EveryFrameListsDrgnsParametersAndLocalsInOrder(string scenario)
    {
        var (target, frames) = PanicStack(scenario);
        var drgn = DrgnFrames(scenario);
        for (var i = 0; i < drgn.Count; i++)
        {
            var expected = drgn[i].GetProperty("locals").EnumerateArray().Select(l => l.GetProperty("name").GetString()!).ToList();
            var vars = FrameVariables.For(target, frames, i);
            var actual = vars.Parameters.Concat(vars.Locals).Select(v => v.Name).ToList();
            output.WriteLine($"#{i} {frames[i].Function}: {string.Join(", ", actual)}");
            Assert.Equal(drgn[i].GetProperty("function").ValueKind == JsonValueKind.Null ? null : drgn[i].GetProperty("function").GetString(), frames[i].Function is { } f && !frames[i].Scope.IsNull ? f : null);
            Assert.Equal(expected, actual);
        }
    }

    /// <summary>On oops-module, frames #0-#1 are lkdtm's (lkdtm_EXCEPTION has no variables; direct_entry has four values drgn read).</summary>
    [FixtureTheory]
    [InlineData("sysrq", 25)]
    [InlineData("oops-module", 18)]
    public void ScalarValuesMatchDrgnAndAbsentOnesAreAbsent(string scenario, int atLeast)
    {
        var (target, frames) = PanicStack(scenario);
        var drgn = DrgnFrames(scenario);
        var compared = 0;
        for (var i = 0; i < drgn.Count; i++)
        {
            var vars = FrameVariables.For(target, frames, i);
            foreach (var local in drgn[i].GetProperty("locals").EnumerateArray())
            {
                var name = local.GetProperty("name").GetString()!;
                Assert.True(vars.TryLookup(name, out var variable), $"#{i} {name}");
                var value = variable.Value;
                output.WriteLine($"#{i} {name}: {(value.IsAbsent ? value.AbsentReason : value.IsSignedType || value.UnderlyingType.IsScalar ? $"0x{value.ReadUnsigned():x}" : "aggregate")}");
                if (local.TryGetProperty("error", out _)) continue; // DW_OP_entry_value: see the next test
                if (local.GetProperty("absent").GetBoolean())
                {
                    Assert.True(value.IsAbsent, $"#{i} {name}: drgn found no value, we read one");
                    continue;
                }
                Assert.False(value.IsAbsent, $"#{i} {name}: {value.AbsentReason}");
                Assert.Equal(local.GetProperty("type").GetString(), Debuginfo.Types.TypeSystem.NameOf(variable.Type));
                if (!value.UnderlyingType.IsScalar) continue;
                Assert.True(DrgnNumber(local.GetProperty("value").GetString()!) == (value.IsSignedType ? (ulong)value.ReadSigned() : value.ReadUnsigned()),
                    $"#{i} {name}: drgn {local.GetProperty("value").GetString()}, ours 0x{value.ReadUnsigned():x}");
                compared++;
            }
        }
        Assert.True(compared >= atLeast, $"only {compared} scalars compared");
    }

    [FixtureFact]
    public void AggregateLocalsMatchDrgn()
    {
        var (target, frames) = PanicStack();
        // #1 __crash_kexec: struct pt_regs fixed_regs, on the stack (DW_OP_fbreg).
        var fixedRegs = FrameVariables.For(target, frames, 1).Locals.Single(v => v.Name == "fixed_regs").Value;
        Assert.NotNull(fixedRegs.Address);
        Assert.Equal(0xffffa40a401a7cd8UL, fixedRegs.Member("sp").ReadUnsigned());
        Assert.Equal(18446744071594347781UL, fixedRegs.Member("ip").ReadUnsigned());
        Assert.Equal(70UL, fixedRegs.Member("flags").ReadUnsigned());
        // #2 panic: static char buf[1024] (DW_OP_addr, relocated by KASLR) and va_list args.
        var panic = FrameVariables.For(target, frames, 2);
        Assert.True(panic.TryLookup("buf", out var buf));
        Assert.Equal("sysrq triggered crash", buf.Value.ReadCString());
        Assert.True(panic.TryLookup("args", out var args));
        var list = args.Value.Index(0);
        Assert.Equal(8UL, list.Member("gp_offset").ReadUnsigned());
        Assert.Equal(0xffffa40a401a7e18UL, list.Member("overflow_arg_area").ReadUnsigned());
        Assert.Equal(0xffffa40a401a7db8UL, list.Member("reg_save_area").ReadUnsigned());
    }

    /// <summary>
    /// drgn stops at DW_OP_entry_value ("unknown DWARF expression opcode 0xa3"). The caller's
    /// DW_TAG_call_site for the return address gives them: checked by hand with llvm-dwarfdump,
    /// e.g. vfs_write's call site at return pc 0xffffffff8113ec24 (link address) passes rdi = rbp,
    /// rsi = r13, rdx = rbx, rcx = r12, which are vfs_write's file, buf, count and pos in drgn's
    /// golden (0xffffa0f7c031d000, 0x25177b70, 2, 0xffffa40a401a7f10).
    /// </summary>
    [FixtureFact]
    public void EntryValueParametersAreRecoveredFromTheCallersCallSite()
    {
        var (target, frames) = PanicStack();
        ulong Param(int frame, string name)
        {
            Assert.True(FrameVariables.For(target, frames, frame).TryLookup(name, out var v), name);
            Assert.False(v.Value.IsAbsent, $"#{frame} {name}: {v.Value.AbsentReason}");
            return v.Value.ReadUnsigned();
        }
        Assert.Equal("proc_reg_write", frames[7].Function);
        Assert.Equal(0xffffa0f7c031d000UL, Param(7, "file"));
        Assert.Equal(0x25177b70UL, Param(7, "buf"));
        Assert.Equal(2UL, Param(7, "count"));
        Assert.Equal(0xffffa40a401a7f10UL, Param(7, "ppos"));
        // write_sysrq_trigger(file, ...) called through pde->proc_ops->proc_write(file, ...) in pde_write, inlined in proc_reg_write.
        Assert.Equal("write_sysrq_trigger", frames[5].Function);
        Assert.Equal(0xffffa0f7c031d000UL, Param(5, "file"));
        // sysrq_handle_crash(key) called as op_p->handler(key) by __handle_sysrq(key = 99 'c', check_mask = false).
        Assert.Equal(0x63UL, Param(3, "key"));
        Assert.Equal(0UL, Param(4, "check_mask"));
    }

    /// <summary>
    /// ksys_write's fd is DW_OP_entry_value(rdi), but do_syscall_64's call site at that return
    /// address calls x64_sys_call (DW_AT_call_origin), which jumped to __x64_sys_write and on to
    /// ksys_write: rdi at the call was the pt_regs pointer, not fd. The value stays unknown.
    /// </summary>
    [FixtureFact]
    public void AnEntryValueBehindATailCallStaysOptimizedOut()
    {
        var (target, frames) = PanicStack();
        Assert.Equal("ksys_write", frames[9].Function);
        Assert.True(FrameVariables.For(target, frames, 9).TryLookup("fd", out var fd));
        Assert.True(fd.Value.IsAbsent);
        Assert.Contains("x64_sys_call", fd.Value.AbsentReason);
    }

    [FixtureFact]
    public void OuterFramesUseOnlyRegistersTheUnwinderRecovered()
    {
        var (target, frames) = PanicStack();
        // #2 panic's registers are the callee-saved ones only (drgn lists the same set).
        var panic = FrameVariables.For(target, frames, 2);
        Assert.False(panic.Registers.IsKnown(Debuginfo.Cfi.UnwindRegister.Rax));
        Assert.True(panic.Registers.IsKnown(Debuginfo.Cfi.UnwindRegister.Rbx));
        // DW_OP_reg0 (rax) in panic's frame: not saved, so "not available", never a stale value.
        var rax = panic.EvaluateLocation(new byte[] { 0x50 });
        Assert.Equal(LocationPieceKind.Absent, rax.Pieces[0].Kind);
        Assert.Equal("not available (rax is not saved in this frame)", rax.Pieces[0].Reason);
        // DW_OP_reg3 (rbx) is callee-saved: drgn's value for frame #2.
        var rbx = panic.EvaluateLocation(new byte[] { 0x53 });
        Assert.Equal(0xffffffff8270c8ccUL, BitConverter.ToUInt64(rbx.Pieces[0].Value));
        // In the innermost frame every register of the crash note is known.
        Assert.Equal(LocationPieceKind.Register, FrameVariables.For(target, frames, 0).EvaluateLocation(new byte[] { 0x50 }).Pieces[0].Kind);
    }
}
