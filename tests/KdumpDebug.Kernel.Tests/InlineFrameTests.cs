using System.Text.Json;
using KdumpDebug.Kernel;
using KdumpDebug.TestSupport;
using KdumpDebug.Target.Unwind;
using Xunit.Abstractions;

namespace KdumpDebug.Kernel.Tests;

/// <summary>Logical frames (inline expansion) of the panic task against drgn's crashed-thread.json.</summary>
public class InlineFrameTests(ITestOutputHelper output)
{
    /// <summary>drgn's frames that name a function: (function, is_inline, file, line).</summary>
    static List<(string Function, bool IsInline, string? File, int Line)> DrgnFrames(string scenario)
    {
        using var doc = JsonDocument.Parse(Fixtures.ReadText($"{scenario}/drgn/crashed-thread.json"));
        var frames = new List<(string, bool, string?, int)>();
        foreach (var f in doc.RootElement.GetProperty("frames").EnumerateArray())
        {
            if (f.GetProperty("function").ValueKind != JsonValueKind.String) continue;
            string? file = null;
            var line = 0;
            if (f.TryGetProperty("source", out var s) && s.ValueKind == JsonValueKind.Object)
            {
                file = s.GetProperty("file").GetString();
                line = s.GetProperty("line").GetInt32();
            }
            frames.Add((f.GetProperty("function").GetString()!, f.GetProperty("is_inline").GetBoolean(), file, line));
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

        var next = 0;
        foreach (var (function, isInline, file, line) in DrgnFrames(scenario))
        {
            var at = -1;
            for (var i = next; i < logical.Count; i++)
                if (logical[i].Function == function) { at = i; break; }
            Assert.True(at >= 0, $"drgn's frame {function} is not in our logical frames after #{next}");
            var ours = logical[at];
            Assert.Equal((function, isInline), (ours.Function!, ours.IsInline));
            if (file is not null) Assert.Equal($"{Normalize(file)}:{line}", $"{Normalize(ours.File)}:{ours.Line}");
            next = at + 1;
        }
    }
}
