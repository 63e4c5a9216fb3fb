using KdumpDebug.TestSupport;

namespace KdumpDebug.Commands.Tests;

/// <summary>
/// <c>dis</c> rules seen on the Debian distro dump (checked there against crash 8.0.2) that the
/// fixture kernel cannot show: the ftrace NOP mark on a kernel built with -mfentry, and a name
/// shared by two static routines.
/// </summary>
public sealed class DisCommandMockTests
{
    const ulong Text = 0xffffffff81000000;

    [Fact]
    public void A_routine_s_first_five_byte_nop_is_marked_on_an_ftrace_kernel()
    {
        byte[] code = [0x0f, 0x1f, 0x44, 0x00, 0x00, 0x0f, 0x1f, 0x44, 0x00, 0x00, 0xc3];
        var target = new MockTarget().MapVirtual(Text, code)
            .AddSymbol("traced", Text, size: (ulong)code.Length)
            .AddSymbol("__fentry__", Text + 0x100, 'T', 1);
        Assert.Equal(
            "0xffffffff81000000 <traced>:\tnopl   0x0(%rax,%rax,1) [FTRACE NOP]\n" +
            "0xffffffff81000005 <traced+5>:\tnopl   0x0(%rax,%rax,1)\n" +
            "0xffffffff8100000a <traced+10>:\tret    \n",
            new CommandSession(target).ExecuteAndCapture("dis traced"));

        var plain = new MockTarget().MapVirtual(Text, code).AddSymbol("traced", Text, size: (ulong)code.Length);
        Assert.DoesNotContain("FTRACE", new CommandSession(plain).ExecuteAndCapture("dis traced"));
    }

    [Fact]
    public void A_name_of_two_text_symbols_is_refused_with_both_listed()
    {
        var target = new MockTarget().MapVirtual(Text, [0xc3, 0xc3])
            .AddSymbol("defrag_show", Text, size: 1)
            .AddSymbol("defrag_show", Text + 1, size: 1)
            .AddSourceLine(Text, Text + 1, "mm/huge_memory.c", 330)
            .AddSourceLine(Text + 1, Text + 2, "mm/khugepaged.c", 236);
        Assert.Equal(
            "dis: defrag_show: duplicate text symbols found:\n" +
            "ffffffff81000000 (t) defrag_show mm/huge_memory.c: 330\n" +
            "ffffffff81000001 (t) defrag_show mm/khugepaged.c: 236\n",
            new CommandSession(target).ExecuteAndCapture("dis defrag_show"));
    }
}
