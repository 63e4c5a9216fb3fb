using System.Globalization;
using System.Text.RegularExpressions;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Debuginfo.Tests;

/// <summary>
/// Symbols and source lines against crash 8.0.2's own output on the fixture dumps: `sym`, `bt -l`
/// and `dis -l`. crash prints KASLR-relocated addresses; the scenario's offset (facts.json) is
/// subtracted to get link-time addresses.
/// </summary>
public partial class CrashGoldenTests
{
    public static readonly TheoryData<string> KernelScenarios = new(["sysrq", "sysrq-qemu", "sysrq-la57", "oops-module"]);

    [FixtureTheory]
    [MemberData(nameof(KernelScenarios))]
    public void SymPrintsTheSameLine(string scenario)
    {
        var golden = Fixtures.ReadText($"{scenario}/crash/sym-sysrq_handle_crash.txt").TrimEnd('\n');
        var kaslr = FixtureKernel.KaslrOffset(scenario);
        var v = FixtureKernel.Vmlinux;
        var address = ulong.Parse(golden.Split(' ')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture) - kaslr;
        Assert.True(v.Symbols.TryFindByAddress(address, out var s, out var offset));
        Assert.True(v.Lines!.TryFindLine(address, out var line));
        var name = offset == 0 ? s.Name : $"{s.Name}+{offset}";
        Assert.Equal(golden, $"{s.Relocate(kaslr).Address + offset:x} ({s.NmType}) {name} {line.File}: {line.Line}");
    }

    [GeneratedRegex(@"^\s*#\d+ \[[0-9a-f]+\] (\S+) at ([0-9a-f]+)( \[\w+\])?$")]
    private static partial Regex FrameLine();

    [GeneratedRegex(@"^    (\S+): (\d+)$")]
    private static partial Regex SourceLine();

    [FixtureTheory]
    [MemberData(nameof(KernelScenarios))]
    public void BtDashLFramesHaveTheSameFunctionAndLine(string scenario)
    {
        var kaslr = FixtureKernel.KaslrOffset(scenario);
        var v = FixtureKernel.Vmlinux;
        var lines = Fixtures.ReadText($"{scenario}/crash/bt-l.txt").Split('\n');
        var checkedFrames = 0;
        for (var i = 0; i + 1 < lines.Length; i++)
        {
            var frame = FrameLine().Match(lines[i]);
            if (!frame.Success || frame.Groups[3].Success) continue; // module frames: see ModuleTests
            var source = SourceLine().Match(lines[i + 1]);
            Assert.True(source.Success, $"{scenario}: no source line after {lines[i]}");
            var address = ulong.Parse(frame.Groups[2].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture) - kaslr;
            Assert.True(v.Symbols.TryFindByAddress(address, out var s, out _), lines[i]);
            Assert.Equal(frame.Groups[1].Value, s.Name);
            Assert.True(v.Lines!.TryFindLine(address, out var line), lines[i]);
            Assert.Equal($"{source.Groups[1].Value}: {source.Groups[2].Value}", $"{line.File}: {line.Line}");
            checkedFrames++;
        }
        Assert.True(checkedFrames >= 2, $"{scenario}: only {checkedFrames} kernel frames");
    }

    [GeneratedRegex(@"^0x([0-9a-f]+) <([^>+]+)(?:\+(\d+))?>:")]
    private static partial Regex DisLine();

    [FixtureTheory]
    [InlineData("sysrq")]
    [InlineData("sysrq-qemu")]
    [InlineData("sysrq-la57")]
    public void DisDashLInstructionsHaveTheSameSymbolAndLine(string scenario)
    {
        var kaslr = FixtureKernel.KaslrOffset(scenario);
        var v = FixtureKernel.Vmlinux;
        string? expected = null;
        var instructions = 0;
        foreach (var text in Fixtures.ReadText($"{scenario}/crash/dis-l-sysrq_handle_crash.txt").Split('\n'))
        {
            var insn = DisLine().Match(text);
            if (!insn.Success)
            {
                if (text.Length > 0) expected = text; // "./drivers/tty/sysrq.c: 155" before the instructions it covers
                continue;
            }
            var address = ulong.Parse(insn.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture) - kaslr;
            Assert.True(v.Symbols.TryFindByAddress(address, out var s, out var offset));
            Assert.Equal(insn.Groups[2].Value, s.Name);
            Assert.Equal(insn.Groups[3].Success ? ulong.Parse(insn.Groups[3].Value, CultureInfo.InvariantCulture) : 0, offset);
            Assert.True(v.Lines!.TryFindLine(address, out var line));
            Assert.Equal(expected, $"{line.File}: {line.Line}");
            instructions++;
        }
        Assert.Equal(2, instructions);
    }
}
