using KdumpDebug.Commands.Parsing;

namespace KdumpDebug.Commands.Tests;

/// <summary>GNU getopt rules as crash's commands rely on them.</summary>
public sealed class GetOptTests
{
    const string RdOptions = "Raxme:r:pfudDusSNo:81:3:6:";

    [Fact]
    public void SizeOptionsAreAnOptionWithTheRestOfTheWordAsArgument()
    {
        var parsed = GetOpt.Parse(["-64", "addr", "8"], RdOptions);
        Assert.Equal([new ParsedOption('6', "4")], parsed.Options);
        Assert.Equal(["addr", "8"], parsed.Operands);
    }

    [Fact]
    public void OptionsAfterOperandsArePermutedAndClustersSplit()
    {
        var parsed = GetOpt.Parse(["addr", "-xs", "-e", "ffff", "4"], RdOptions);
        Assert.Equal([new ParsedOption('x', null), new ParsedOption('s', null), new ParsedOption('e', "ffff")], parsed.Options);
        Assert.Equal(["addr", "4"], parsed.Operands);
    }

    [Fact]
    public void DoubleDashEndsOptionsAndALoneDashIsAnOperand()
    {
        var parsed = GetOpt.Parse(["-a", "--", "-x", "-"], RdOptions);
        Assert.Equal([new ParsedOption('a', null)], parsed.Options);
        Assert.Equal(["-x", "-"], parsed.Operands);
    }

    [Fact]
    public void ErrorsUseGetoptWordingAndAskForUsage()
    {
        var invalid = Assert.Throws<CommandException>(() => GetOpt.Parse(["-z"], RdOptions));
        Assert.Equal("invalid option -- 'z'", invalid.Message);
        Assert.True(invalid.ShowUsage);
        var missing = Assert.Throws<CommandException>(() => GetOpt.Parse(["addr", "-e"], RdOptions));
        Assert.Equal("option requires an argument -- 'e'", missing.Message);
    }

    [Theory]
    [InlineData("10", 10)]
    [InlineData("0x10", 16)]
    [InlineData("1f", 31)]
    public void CountsAreDecimalOrHexadecimal(string text, long expected)
    {
        Assert.Equal(expected, CrashNumber.ParseCount(text));
    }

    [Fact]
    public void BadNumbersUseCrashWording()
    {
        Assert.Equal("not a valid number: zz", Assert.Throws<CommandException>(() => CrashNumber.ParseCount("zz")).Message);
        Assert.Equal("invalid input: \"zz\"", Assert.Throws<CommandException>(() => CrashNumber.ParseHex("zz")).Message);
    }
}
