using System.Text.Json;
using KdumpDebug.Kernel;
using KdumpDebug.TestSupport;
using KdumpDebug.Target.Unwind;
using Xunit.Abstractions;

namespace KdumpDebug.Kernel.Tests;

/// <summary>Logical frames (inline expansion) of the panic task against drgn's crashed-thread.json.</summary>
public class InlineFrameTests(ITestOutputHelper output)
{
    /// <summary>drgn's frames: (function, is_inline, file, line); function is null where drgn names none (assembly, user space).</summary>
    static List<(string? Function, bool IsInline, string? File, int Line)> DrgnFrames(string scenario)
    {
        using var doc = JsonDocument.Parse(Fixtures.ReadText($"{scenario}/drgn/crashed-thread.json"));
        var frames = new List<(string?, bool, string?, int)>();
        foreach (var f in doc.RootElement.GetProperty("frames").EnumerateArray())
        {
            string? file = null;
            var line = 0;
            if (f.TryGetProperty("source", out var s) && s.ValueKind == JsonValueKind.Object)
            {
                file = s.GetProperty("file").GetString();
                line = s.GetProperty("line").GetInt32();
            }
            frames.Add((f.GetProperty("function").GetString(), f.GetProperty("is_inline").GetBoolean(), file, line));
        }
        return frames;
    }

    /// <summary>crash/gdb print <c>./kernel/x.c</c> where drgn prints <c>kernel/x.c</c>.</summary>
    static string? Normalize(string? path)
    {
        if (path is null) return null;
        while (path.StartsWith("./", StringComparison.Ordinal)) path = path[2..];
        return path;
    }

    [FixtureTheory]
    [InlineData("sysrq")]
    [InlineData("sysrq-la57")]
    [InlineData("oops-module")]
    public void ThePanicTasksLogicalFramesContainDrgnsInOrder(string scenario)
    {
        var kernel = FixtureKernels.Kernel(scenario);
        var task = kernel.Tasks.FindByAddress(kernel.Panic!.TaskAddress)!;
        var logical = TaskLogicalStack.Unwind(kernel, task).Frames;
        foreach (var f in logical) output.WriteLine($"{f.Physical.Index} {f}");

        var drgn = DrgnFrames(scenario);
        Assert.Equal(drgn.Count, logical.Count);
        for (var i = 0; i < drgn.Count; i++)
            if (drgn[i].Function is { } function)
                AssertSameFrame((function, drgn[i].IsInline, drgn[i].File, drgn[i].Line), logical[i], $"#{i}");
    }

    /// <summary>
    /// Every task of drgn's all-stacks.txt (sleeping ones from their inactive task frame, the
    /// running ones from the dump's registers): the same logical frames, pcs, inline flags and file:line.
    /// </summary>
    [FixtureTheory]
    [InlineData("sysrq")]
    [InlineData("oops-module")]
    public void EveryTasksLogicalFramesMatchDrgnsAllStacks(string scenario)
    {
        var kernel = FixtureKernels.Kernel(scenario);
        var blocks = DrgnAllStacks(scenario);
        Assert.NotEmpty(blocks);
        var inlineFrames = 0;
        foreach (var (pid, frames) in blocks)
        {
            var task = kernel.Tasks.Tasks.Single(t => t.Pid == pid);
            var logical = TaskLogicalStack.Unwind(kernel, task).Frames;
            Assert.True(frames.Count == logical.Count,
                $"PID {pid}: drgn has {frames.Count} frames, we have {logical.Count}: {string.Join(" | ", logical)}");
            for (var i = 0; i < frames.Count; i++)
            {
                Assert.True(frames[i].Pc == logical[i].Physical.Pc, $"PID {pid} #{i}: pc {frames[i].Pc:x} != {logical[i].Physical.Pc:x}");
                if (frames[i].Function is not null)
                    AssertSameFrame((frames[i].Function!, frames[i].IsInline, frames[i].File, frames[i].Line), logical[i], $"PID {pid} #{i}");
                if (logical[i].IsInline) inlineFrames++;
            }
        }
        Assert.True(inlineFrames > blocks.Count, "most sleeping tasks have context_switch inlined in __schedule");
    }

    [FixtureFact]
    public void AFrameOutsideAnyFunctionStaysOneFrameWithoutAName()
    {
        var kernel = FixtureKernels.Kernel("sysrq");
        var frame = new StackFrameInfo(0, 0x47b7a0, 0x7ffe0000, null, new RegisterSet(), true, null, null, null, true);
        var logical = InlineFrameExpander.ExpandFrame(kernel.Target, frame);
        var only = Assert.Single(logical);
        Assert.Equal((null, false, 0, null), (only.Function, only.IsInline, only.InlineDepth, only.File));
    }

    /// <summary>
    /// A module's inline instance, from lkdtm.ko's own DWARF placed at its load address:
    /// lkdtm_UNSET_SMEP begins with native_read_cr4 inlined (drivers/misc/lkdtm/bugs.c:464),
    /// as <c>llvm-dwarfdump lkdtm.ko</c> shows.
    /// </summary>
    [FixtureFact]
    public void AModuleFrameIsExpandedFromTheModulesDwarf()
    {
        var kernel = FixtureKernels.Kernel("oops-module");
        Assert.True(kernel.Target.Modules.TryLookupSymbol("lkdtm_UNSET_SMEP", out var symbol));
        var pc = symbol.Address + 1;
        var frame = new StackFrameInfo(0, pc, 0, null, new RegisterSet(), true, null, null, null, false) { Symbol = symbol, SymbolOffset = 1 };
        var logical = InlineFrameExpander.ExpandFrame(kernel.Target, frame);
        Assert.Equal(2, logical.Count);
        Assert.Equal(("native_read_cr4", true, 0), (logical[0].Function!, logical[0].IsInline, logical[0].InlineDepth));
        Assert.Equal(("lkdtm_UNSET_SMEP", false, 1), (logical[1].Function!, logical[1].IsInline, logical[1].InlineDepth));
        Assert.Equal("drivers/misc/lkdtm/bugs.c:464", $"{Normalize(logical[1].File)}:{logical[1].Line}");
    }

    static void AssertSameFrame((string Function, bool IsInline, string? File, int Line) drgn, LogicalFrame ours, string where)
    {
        Assert.True(drgn.Function == ours.Function && drgn.IsInline == ours.IsInline,
            $"{where}: drgn {drgn.Function}{(drgn.IsInline ? " (inline)" : "")}, ours {ours}");
        if (drgn.File is not null)
            Assert.Equal($"{where} {Normalize(drgn.File)}:{drgn.Line}", $"{where} {Normalize(ours.File)}:{ours.Line}");
    }

    /// <summary>
    /// drgn's all-stacks.txt: a "PID n ..." line, then "  #i  0xpc function at file:line [(inline)]";
    /// function is null where drgn has no DWARF name ("sym+0x../0x.." or "???").
    /// </summary>
    static List<(int Pid, List<(ulong Pc, string? Function, bool IsInline, string? File, int Line)> Frames)> DrgnAllStacks(string scenario)
    {
        var result = new List<(int, List<(ulong, string?, bool, string?, int)>)>();
        foreach (var raw in Fixtures.ReadText($"{scenario}/drgn/all-stacks.txt").Split('\n'))
        {
            var text = raw.TrimEnd();
            if (text.StartsWith("PID ", StringComparison.Ordinal))
            {
                result.Add((int.Parse(text.Split(' ')[1]), []));
                continue;
            }
            var trimmed = text.TrimStart();
            if (!trimmed.StartsWith('#') || result.Count == 0) continue;
            var parts = trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var pc = Convert.ToUInt64(parts[1], 16);
            var function = parts[2].Contains('+') || parts[2] == "???" ? null : parts[2];
            string? file = null;
            var line = 0;
            if (parts.Length > 4 && parts[3] == "at" && parts[4].LastIndexOf(':') is var colon and > 0)
            {
                file = parts[4][..colon];
                line = int.Parse(parts[4][(colon + 1)..]);
            }
            result[^1].Item2.Add((pc, function, trimmed.Contains("(inline)"), file, line));
        }
        return result;
    }
}
