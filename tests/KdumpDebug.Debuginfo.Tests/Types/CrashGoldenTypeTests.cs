using System.Globalization;
using System.Text.RegularExpressions;
using KdumpDebug.Debuginfo.Types;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Debuginfo.Tests.Types;

/// <summary>
/// The type printer and the type model against crash 8.0.2's own output: <c>struct -o</c> of 62
/// kernel types on the fixture kernel and on the Debian distribution kernel (text equal, and every
/// offset crash prints equal to the model's member lookup), and whatis/struct/union/ptype text.
/// </summary>
public partial class CrashGoldenTypeTests
{
    public static TheoryData<string> StructTypes => new(Golden.StructTypes());

    public static TheoryData<string, string> PrinterCommands
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var (name, command, _) in Golden.Commands()) data.Add(name, command);
            return data;
        }
    }

    [FixtureTheory]
    [MemberData(nameof(StructTypes))]
    public void StructDashOMatchesCrashOnTheFixtureKernel(string type) =>
        Golden.AssertMatches($"fixture/struct-o-{type}.txt", TypePrinter.CrashStructDefinition(KernelTypes.Fixture.FindType($"struct {type}"), withOffsets: true));

    [DistroTheory]
    [MemberData(nameof(StructTypes))]
    public void StructDashOMatchesCrashOnTheDistroKernel(string type) =>
        Golden.AssertMatches($"distro-{KernelTypes.DistroAbi}/struct-o-{type}.txt",
            TypePrinter.CrashStructDefinition(KernelTypes.Distro!.FindType($"struct {type}"), withOffsets: true));

    [GeneratedRegex(@"^\s*\[(\d+)\]\s.*?(?:\(\*(\w+)\)|(\w+)(?:\[\d*\])*(?: : \d+)?;)")]
    private static partial Regex OffsetLine();

    [FixtureTheory]
    [MemberData(nameof(StructTypes))]
    public void SizesAndMemberOffsetsEqualCrashOnTheFixtureKernel(string type) =>
        AssertLayout(KernelTypes.Fixture, $"fixture/struct-o-{type}.txt", type);

    [DistroTheory]
    [MemberData(nameof(StructTypes))]
    public void SizesAndMemberOffsetsEqualCrashOnTheDistroKernel(string type) =>
        AssertLayout(KernelTypes.Distro!, $"distro-{KernelTypes.DistroAbi}/struct-o-{type}.txt", type);

    // Independent of the printer: parse crash's "[OFFSET] ... NAME;" lines and its SIZE, and ask the
    // model for each member by name.
    static void AssertLayout(TypeSystem types, string golden, string type)
    {
        var t = types.FindType($"struct {type}");
        var lines = Golden.Read(golden).Split('\n');
        var size = lines.Single(l => l.StartsWith("SIZE: ", StringComparison.Ordinal));
        Assert.Equal(ulong.Parse(size[6..], CultureInfo.InvariantCulture), t.Size);
        var checkedMembers = 0;
        foreach (var line in lines)
        {
            var m = OffsetLine().Match(line);
            if (!m.Success) continue;
            var name = m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value;
            Assert.True(t.TryFindMember(name, out var member), $"{type}: no member {name} ({line})");
            Assert.Equal(ulong.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), member.ByteOffset);
            checkedMembers++;
        }
        Assert.True(checkedMembers > 0, $"{type}: no offsets found in {golden}");
    }

    [FixtureTheory]
    [MemberData(nameof(PrinterCommands))]
    public void WhatisStructPtypeTextMatchesCrash(string name, string command)
    {
        var types = KernelTypes.Fixture;
        var words = command.Split(' ');
        var argument = words[^1];
        string actual;
        switch (Golden.Commands().Single(c => c.Name == name).Api)
        {
            case "struct":
            {
                var query = words[0] is "struct" or "union" ? $"{words[0]} {argument}" : string.Join(' ', words.Skip(1));
                actual = TypePrinter.CrashStructDefinition(types.FindType(query), withOffsets: false);
                break;
            }
            case "struct-o":
                actual = TypePrinter.CrashStructDefinition(types.FindType($"{words[0]} {argument}"), withOffsets: true);
                break;
            case "ptype":
                actual = "type = " + TypePrinter.Ptype(types.FindType(string.Join(' ', words.Skip(1)))) + "\n";
                break;
            case "variable":
            {
                Assert.True(types.TryFindVariable(argument, out var v));
                actual = TypePrinter.Declaration(v.Type, v.Name) + ";\n";
                break;
            }
            default:
            {
                Assert.True(types.TryFindFunction(argument, out var f));
                actual = TypePrinter.Declaration(f.Type, f.Name) + ";\n";
                break;
            }
        }
        Golden.AssertMatches($"fixture/{name}.txt", actual);
    }
}
