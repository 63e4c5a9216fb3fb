using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using KdumpDebug.Debuginfo.Cfi;
using KdumpDebug.Debuginfo.Orc;
using KdumpDebug.Target.Unwind;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Target.Tests.Unwind;

/// <summary>
/// The unwinder on the real dumps, frame by frame against drgn's crashed-thread.json (unwinding
/// from the crash note's registers, as drgn does), crash's bt / bt -a (starting where the CPU
/// stopped, as crash does) and the kernel's own Call Trace in console.log.
/// </summary>
public class KernelUnwinderFixtureTests
{
    static readonly Dictionary<string, (KernelTarget Target, KernelUnwinder Unwinder)> Opened = new();

    /// <summary>Each dump opened once per test run and shared (reads are thread-safe; unwinders are per call).</summary>
    static (KernelTarget Target, KernelUnwinder Unwinder) Open(string dump)
    {
        lock (Opened)
        {
            if (!Opened.TryGetValue(dump, out var pair))
            {
                var target = FixtureTargets.Open(dump);
                pair = (target, new KernelUnwinder(target));
                Opened[dump] = pair;
            }
            return pair;
        }
    }

    static ulong Hex(string s) => ulong.Parse(s.StartsWith("0x", StringComparison.Ordinal) ? s[2..] : s, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    static List<JsonElement> DrgnFrames(string scenario)
    {
        using var doc = JsonDocument.Parse(Fixtures.ReadText($"{scenario}/drgn/crashed-thread.json"));
        return doc.RootElement.GetProperty("frames").EnumerateArray()
            .Where(f => !f.GetProperty("is_inline").GetBoolean()).Select(f => f.Clone()).ToList();
    }

    [FixtureFact]
    public void VmlinuxTablesLoadWithoutProblems()
    {
        var (target, unwinder) = Open("sysrq/vmcore.kdump-zlib");
        Assert.Empty(unwinder.Problems);
        // The layout comes from the DWARF of struct orc_entry; on 6.1 it is the v4.14-v6.2 one.
        Assert.Equal(OrcEntryLayout.V1 with { Name = unwinder.VmlinuxOrc!.Layout.Name }, unwinder.VmlinuxOrc!.Layout);
        Assert.StartsWith("from DWARF", unwinder.VmlinuxOrc!.Layout.Name);
        Assert.Equal(CfiFormat.DebugFrame, unwinder.VmlinuxCfi!.Format);
        Assert.True(target.TryLookupSymbol("panic", out var panic));
        Assert.True(unwinder.IsKernelText(panic.Address));
        Assert.False(unwinder.IsKernelText(panic.Address - target.KaslrOffset)); // the link-time address is not where it ran
    }

    [FixtureTheory]
    [InlineData("sysrq")]
    [InlineData("sysrq-la57")]
    public void PanicCpuFromTheCrashNoteMatchesDrgnFrameByFrame(string scenario)
    {
        var (target, unwinder) = Open($"{scenario}/vmcore.kdump-zlib");
        var frames = unwinder.Unwind(RegisterSet.FromPrStatus(target.Dump.CpuRegisters[0]), out var reason);
        Assert.Null(reason);
        var drgn = DrgnFrames(scenario);
        // drgn lists the same frames (its inline frames aside): __crash_kexec ... entry_SYSCALL_64, then user space.
        Assert.Equal(drgn.Select(d => (Hex(d.GetProperty("pc").GetString()!), Hex(d.GetProperty("sp").GetString()!))),
            frames.Select(f => (f.Pc, f.Sp)));
        Assert.Equal(drgn.Select(d => d.GetProperty("interrupted").GetBoolean()), frames.Select(f => f.IsInterrupted));
        for (var i = 0; i < frames.Count - 1; i++)
        {
            // Every register drgn recovered in a kernel frame, we recovered with the same value.
            foreach (var r in drgn[i].GetProperty("registers").EnumerateObject())
            {
                Assert.True(RegisterSet.TryParseName(r.Name, out var register), r.Name);
                Assert.True(frames[i].Registers[register] == Hex(r.Value.GetString()!), $"frame {i} {r.Name}: drgn {r.Value} ours {frames[i].Registers[register]:x}");
            }
            var drgnName = drgn[i].GetProperty("symbol").GetString()!.Split('+')[0];
            // drgn names the syscall entry stub by the ELF symbol that covers it; the symbol table names the label inside it.
            if (drgnName != "entry_SYSCALL_64") Assert.Equal(drgnName, frames[i].Symbol?.Name);
        }
        Assert.Equal(new UnwindRowSource?[] { UnwindRowSource.Cfi }, frames.Take(1).Select(f => f.RowSource)); // no ORC for __crash_kexec: its .debug_frame row
        Assert.True(frames[^1].IsUserMode);
        Assert.Equal(frames[^2].Sp, frames[^2].PtRegsAddress); // the syscall pt_regs is at the entry frame's sp
    }

    /// <summary>crash's frames: [stack address] = sp - 8 (the return address slot), function, pc; and register blocks.</summary>
    static void AssertMatchesCrash(IReadOnlyList<CrashBtFrame> crash, IReadOnlyList<StackFrameInfo> frames, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var c = crash[i];
            var f = frames[i];
            Assert.True((c.StackAddress, c.Function, c.Pc) == (f.Sp - 8, f.Symbol?.Name, f.Pc),
                $"#{i}: crash [{c.StackAddress:x}] {c.Function} at {c.Pc:x}; ours [{f.Sp - 8:x}] {f.Symbol?.Name} at {f.Pc:x}");
            if (c.Registers.Count == 0) continue;
            // crash prints an exception frame's registers under the frame whose row crossed the pt_regs.
            Assert.NotNull(f.PtRegsAddress);
            var interrupted = frames[i + 1];
            foreach (var (name, value) in c.Registers)
            {
                Assert.True(RegisterSet.TryParseName(CrashBtGolden.RegisterNames[name], out var register));
                Assert.True(interrupted.Registers[register] == value, $"#{i} exception frame {name}: crash {value:x} ours {interrupted.Registers[register]:x}");
            }
            Assert.Equal(c.Registers["RIP"], interrupted.Pc);
        }
    }

    [FixtureTheory]
    [InlineData("sysrq", "sysrq/vmcore.kdump-zlib")]
    [InlineData("sysrq", "sysrq/vmcore.kdump-lzo")]
    [InlineData("sysrq", "sysrq/vmcore.kdump-zlib.flat")]
    [InlineData("sysrq", "sysrq/vmcore.kdump-raw.zst")]
    [InlineData("sysrq", "sysrq/vmcore.elf.zst")]
    [InlineData("sysrq-la57", "sysrq-la57/vmcore.kdump-zlib")]
    public void EveryCpuOfASysrqCrashMatchesCrashBtA(string scenario, string dump)
    {
        var (target, unwinder) = Open(dump);
        var golden = CrashBtGolden.Parse(scenario, "bt-a.txt");
        Assert.Equal(target.Dump.CpuRegisters.Count, golden.Count);
        foreach (var task in golden)
        {
            var cpu = target.Dump.CpuRegisters[task.Cpu];
            var frames = unwinder.UnwindCpu(cpu, out var reason);
            Assert.Null(reason);
            Assert.True(frames[0].FoundByStackSearch);
            // crash's frames, then the user-mode context its last register block shows.
            Assert.Equal(task.Frames.Count + 1, frames.Count);
            AssertMatchesCrash(task.Frames, frames, task.Frames.Count);
            Assert.True(frames[^1].IsUserMode);
        }
        // CPU 0 is the panic task: machine_kexec ... entry_SYSCALL_64_after_hwframe.
        Assert.Equal("machine_kexec", golden[0].Frames[0].Function);
        // CPU 1 was running the busy shell loop in user mode when the crash NMI came.
        Assert.Equal("crash_nmi_callback", golden[1].Frames[0].Function);
    }

    [FixtureFact]
    public void OopsInModuleUnwindsThroughTheExceptionFrameToTheModuleCode()
    {
        var (target, unwinder) = Open("oops-module/vmcore.kdump-zlib");
        var crash = CrashBtGolden.Parse("oops-module", "bt.txt")[0].Frames;
        var frames = unwinder.UnwindCpu(target.Dump.CpuRegisters[0], out var reason);
        // machine_kexec ... asm_exc_page_fault, then lkdtm_EXCEPTION where the NULL write faulted.
        Assert.Equal(8, frames.Count);
        AssertMatchesCrash(crash, frames, 7);
        Assert.Equal("lkdtm_EXCEPTION", crash[6].ExceptionRip);
        var faulting = frames[7];
        var drgn = DrgnFrames("oops-module")[0];
        Assert.Equal((Hex(drgn.GetProperty("pc").GetString()!), Hex(drgn.GetProperty("sp").GetString()!)), (faulting.Pc, faulting.Sp));
        Assert.True(faulting.IsInterrupted);
        // The module's unwind tables are not loaded here: the walk stops at its code, and says so.
        Assert.Equal($"cannot unwind past {faulting.Describe()}: no ORC, DWARF CFI or frame-pointer information for this address (module code whose unwind tables are not loaded)", reason);

        // From the crash note alone (drgn's start), the first frame is the faulting module code.
        var fromNote = unwinder.Unwind(RegisterSet.FromPrStatus(target.Dump.CpuRegisters[0]), out reason);
        Assert.Single(fromNote);
        Assert.Equal(faulting.Pc, fromNote[0].Pc);
        Assert.NotNull(reason);

        // CPU 1 was in user mode: crash_nmi_callback on its task stack, then the user registers.
        var golden = CrashBtGolden.Parse("oops-module", "bt-a.txt")[1];
        var cpu1 = unwinder.UnwindCpu(target.Dump.CpuRegisters[1], out reason);
        Assert.Null(reason);
        AssertMatchesCrash(golden.Frames, cpu1, golden.Frames.Count);
        Assert.True(cpu1[^1].IsUserMode);
    }

    [FixtureTheory]
    [InlineData("sysrq-qemu/vmcore.qemu-kdump-zlib")]
    [InlineData("sysrq-qemu/vmcore.qemu.elf.zst")]
    public void QemuDumpRegistersAreTheCpusOwnState(string dump)
    {
        // QEMU wrote each vCPU's real state: no search, the walk starts in panic's delay loop.
        var (target, unwinder) = Open(dump);
        var crash = CrashBtGolden.Parse("sysrq-qemu", "bt.txt")[0].Frames;
        var frames = unwinder.UnwindCpu(target.Dump.CpuRegisters[0], out var reason);
        Assert.Null(reason);
        Assert.False(frames[0].FoundByStackSearch);
        Assert.True(frames[0].IsInterrupted);
        Assert.True(unwinder.TryFindSymbol(frames[0].Pc, out var inner));
        Assert.Equal("delay_loop", inner.Name); // mdelay in panic's reboot countdown loop
        // crash starts at panic (its stack search); the rest is the same.
        AssertMatchesCrash(crash, frames.Skip(1).ToList(), crash.Count);
        Assert.True(frames[^1].IsUserMode);

        // CPU 1 was stopped by panic's reboot IPI in user mode (crash 8.0.2 cannot read it).
        var cpu1 = unwinder.UnwindCpu(target.Dump.CpuRegisters[1], out reason);
        Assert.Null(reason);
        Assert.Equal(["stop_this_cpu", "__sysvec_reboot", "sysvec_reboot", "asm_sysvec_reboot"], cpu1.Take(4).Select(f => f.Symbol?.Name));
        Assert.NotNull(cpu1[3].PtRegsAddress);
        Assert.True(cpu1[4].IsUserMode);
    }

    [FixtureFact]
    public void OopsFrameMatchesTheKernelsOopsReport()
    {
        // "RIP: 0010:lkdtm_EXCEPTION+0x0/0x10 [lkdtm]" / "RSP: 0018:ffffa1afc01b7e10 EFLAGS: 00000286"
        var console = Fixtures.ReadText("oops-module/console.log");
        var rsp = Regex.Match(console, @"RSP: 0018:([0-9a-f]+) EFLAGS: ([0-9a-f]+)");
        var (target, unwinder) = Open("oops-module/vmcore.kdump-zlib");
        var frames = unwinder.UnwindCpu(target.Dump.CpuRegisters[0], out _);
        var faulting = frames.Single(f => f.IsInterrupted && !f.FoundByStackSearch);
        Assert.Equal(Hex(rsp.Groups[1].Value), faulting.Sp);
        Assert.Equal(Hex(rsp.Groups[2].Value), faulting.Registers[UnwindRegister.Rflags]);
        Assert.Equal(0x10UL, faulting.Registers[UnwindRegister.Cs]);
        Assert.Contains("RIP: 0010:lkdtm_EXCEPTION+0x0/", console);
    }

    [FixtureTheory]
    [InlineData("sysrq")]
    [InlineData("sysrq-la57")]
    public void FramesMatchTheKernelsOwnCallTrace(string scenario)
    {
        // The console's Call Trace lists reliable frames as "function+off/size"; "? " lines are guesses.
        var lines = Fixtures.ReadText($"{scenario}/console.log").Split('\n');
        var start = Array.FindIndex(lines, l => l.EndsWith("Call Trace:", StringComparison.Ordinal));
        var trace = new List<string>();
        for (var i = start + 1; i < lines.Length && !lines[i].Contains("RIP: 0033", StringComparison.Ordinal); i++)
        {
            var m = Regex.Match(lines[i], @"\]  (\S+)\+0x[0-9a-f]+/0x[0-9a-f]+");
            if (m.Success) trace.Add(m.Groups[1].Value);
        }
        var (target, unwinder) = Open($"{scenario}/vmcore.kdump-zlib");
        var ours = unwinder.UnwindCpu(target.Dump.CpuRegisters[0], out _).Where(f => f.Symbol is not null).Select(f => f.Symbol!.Value.Name).ToList();
        // The trace was printed by panic's dump_stack (dump_stack_lvl is gone from the stack since):
        // from panic down, the same functions in the same order.
        Assert.Equal("dump_stack_lvl", trace[0]);
        Assert.Equal(trace.Skip(1), ours.SkipWhile(n => n != "panic"));
    }

    [FixtureFact]
    public void BadRegistersEndWithAOneLineReason()
    {
        var (target, unwinder) = Open("sysrq/vmcore.kdump-zlib");
        var good = RegisterSet.FromPrStatus(target.Dump.CpuRegisters[0]);

        // A stack pointer outside any mapped stack.
        var bad = good.Clone();
        bad.Set(UnwindRegister.Rsp, 0xffff_c900_dead_0000);
        var frames = unwinder.Unwind(bad, out var reason);
        Assert.Single(frames);
        Assert.Equal("cannot unwind past __crash_kexec+0x115: cannot recover rip ([cfa-8]): invalid kernel virtual address: ffffc900dead00b8", reason);
        Assert.DoesNotContain('\n', reason!);

        // A stack pointer that is readable but wrong: whatever is found, the walk ends.
        for (ulong shift = 8; shift <= 0x200; shift += 8)
        {
            var skewed = good.Clone();
            skewed.Set(UnwindRegister.Rsp, good.Rsp!.Value + shift);
            frames = unwinder.Unwind(skewed, out reason);
            Assert.InRange(frames.Count, 1, KernelUnwinder.DefaultMaxFrames);
            Assert.True(reason is null || reason.StartsWith("cannot unwind past ", StringComparison.Ordinal), reason);
        }

        // No rip at all.
        var empty = new RegisterSet();
        Assert.Empty(unwinder.Unwind(empty, out reason));
        Assert.Equal("cannot unwind: the initial registers have no rip", reason);
    }
}
