using KdumpDebug.TestSupport;

namespace KdumpDebug.Expressions.Tests;

/// <summary>
/// gdb's value text for the cases the crash goldens do not reach: escapes in characters and
/// strings, formats on aggregates, the symbol rules for pointers. (The command tests compare
/// whole kernel structures with crash's output.)
/// </summary>
public sealed class ValueFormatterTests
{
    static string Top(string expression, ValueFormat format = ValueFormat.Natural)
    {
        var e = EvaluatorTests.E();
        return new ValueFormatter(e.Target, format).FormatTopLevel(e.Evaluate(expression));
    }

    [FixtureTheory]
    [InlineData("'\\''", "39 '\\''")]
    [InlineData("'\"'", "34 '\"'")]
    [InlineData("'\\\\'", "92 '\\\\'")]
    [InlineData("'\\n'", "10 '\\n'")]
    [InlineData("'\\033'", "27 '\\033'")]
    [InlineData("(char)200", "-56 '\\310'")]
    [InlineData("(unsigned char)200", "200 '\\310'")]
    [InlineData("\"a\\tb\\\"c'\\001\"", "\"a\\tb\\\"c'\\001\"")]
    [InlineData("(_Bool)1", "true")]
    [InlineData("(_Bool)0", "false")]
    [InlineData("(long)-1", "-1")]
    [InlineData("(unsigned long)-1", "18446744073709551615")]
    [InlineData("(void *)0", "(void *) 0x0")]
    [InlineData("(char *)0", "0x0")]
    [InlineData("(const char *)linux_banner", "0xffffffff8264ae60 <linux_banner> \"Linux version 6.1.192-fixture (fixture@fixture-factory) (gcc (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP 2025-01-01 00:00:00 UTC\\n\"")]
    // A u8 pointer is printed with its type (only plain char drops it) and its string.
    [InlineData("(u8 *)init_task.comm", "(u8 *) 0xffffffff82812b80 <init_task+1408> \"swapper/0\"")]
    // jiffies is a zero-sized alias of jiffies_64: gdb names the sized symbol.
    [InlineData("&jiffies", "(volatile unsigned long *) 0xffffffff828079c0 <jiffies_64>")]
    // Past the end of a sized data symbol, or in the direct map: no symbol.
    [InlineData("(void *)0xffffa0f7c0a9a880", "(void *) 0xffffa0f7c0a9a880")]
    [InlineData("init_task.stack", "(void *) 0xffffffff82800000")]
    public void NaturalFormat(string expression, string expected) => Assert.Equal(expected, Top(expression));

    [FixtureTheory]
    [InlineData("init_task.comm", ValueFormat.Hex, "{0x73, 0x77, 0x61, 0x70, 0x70, 0x65, 0x72, 0x2f, 0x30, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0}")]
    [InlineData("init_task.comm", ValueFormat.Radix16, "\"swapper/0\\000\\000\\000\\000\\000\\000\"")]
    [InlineData("init_task.comm[0]", ValueFormat.Radix16, "0x73")]
    [InlineData("(_Bool)1", ValueFormat.Radix16, "0x1")]
    [InlineData("system_state", ValueFormat.Radix16, "SYSTEM_RUNNING")]
    [InlineData("&init_task", ValueFormat.Decimal, "-2105465344")]
    [InlineData("-1", ValueFormat.Hex, "0xffffffff")]
    [InlineData("(short)-1", ValueFormat.Hex, "0xffff")]
    [InlineData("0xffffffff", ValueFormat.Decimal, "-1")]
    [InlineData("&init_task", ValueFormat.Hex, "0xffffffff82812600")]
    [InlineData("init_task.cpus_mask", ValueFormat.Hex, "{\n  bits = {0x1}\n}")]
    [InlineData("65", ValueFormat.Character, "65 'A'")]
    public void Formats(string expression, ValueFormat format, string expected) => Assert.Equal(expected, Top(expression, format));
}
