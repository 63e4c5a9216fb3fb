using KdumpDebug.Target.Disassembly;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Target.Tests.Disassembly;

/// <summary>
/// The disassembler on code built in a MockTarget: gdb's AT&amp;T text (as crash 8.0.2 prints it;
/// each expected line was checked against crash's or objdump's output for the same bytes in the
/// fixture vmlinux), branch targets and RIP-relative comments with symbols, unreadable bytes as
/// "??", and routine bounds as crash's dis takes them.
/// </summary>
public sealed class KernelDisassemblerTests
{
    const ulong Text = 0xffffffff81000000;

    static MockTarget CodeAt(ulong address, params byte[][] instructions)
    {
        var bytes = instructions.SelectMany(b => b).ToArray();
        return new MockTarget().MapVirtual(address, bytes);
    }

    static byte[] Rel32(ulong from, ulong to) => BitConverter.GetBytes((int)(long)(to - from));

    [Fact]
    public void Formats_instructions_as_gdb_with_symbols_for_branches_and_rip_relative_operands()
    {
        var panic = Text + 0x1000;
        var jiffies = Text + 0x200000;
        var target = CodeAt(Text,
            [0x48, 0xc7, 0xc7, 0xcc, 0xc8, 0x70, 0x82],            // mov $0xffffffff8270c8cc,%rdi
            [0xe8, .. Rel32(Text + 12, panic + 5)],                 // call panic+5
            [0x48, 0x8b, 0x05, .. Rel32(Text + 19, jiffies)],       // mov jiffies(%rip),%rax
            [0x65, 0x8b, 0x05, .. Rel32(Text + 26, 0x15160)],      // mov %gs:cpu_number(%rip),%eax (wraps to a per-CPU offset)
            [0x0f, 0x1f, 0x40, 0x00],                               // nopl 0x0(%rax)
            [0xd1, 0xea],                                           // shr %edx
            [0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00], // data16 nopw %cs:0x0(%rax,%rax,1)
            [0xf3, 0x48, 0xab],                                     // rep stos %rax,%es:(%rdi)
            [0xff, 0x74, 0x24, 0x38],                               // push 0x38(%rsp)
            [0x8b, 0x04, 0x0b],                                     // mov (%rbx,%rcx,1),%eax
            [0xee],                                                 // out %al,(%dx)
            [0xc3],                                                 // ret
            [0xcc],                                                 // int3
            [0x90],                                                 // nop
            [0x66, 0x90])                                           // xchg %ax,%ax
            .AddSymbol("sysrq_handle_crash", Text, size: 0x100)
            .AddSymbol("panic", panic, size: 0x100)
            .AddSymbol("jiffies", jiffies, 'D', 8)
            .AddSymbol("cpu_number", 0x15160, 'D', 4);
        var lines = new KernelDisassembler(target).Disassemble(Text, 15).Select(i => i.Text).ToList();
        Assert.Equal(
        [
            "mov    $0xffffffff8270c8cc,%rdi",
            $"call   0x{panic + 5:x} <panic+5>",
            $"mov    0x{jiffies - (Text + 19):x}(%rip),%rax        # 0x{jiffies:x} <jiffies>",
            // As crash shows "mov %gs:0x7de8b6c6(%rip),%edx        # 0x15160": no symbol below kernel space.
            $"mov    %gs:0x{unchecked((uint)(0x15160 - (Text + 26))):x}(%rip),%eax        # 0x15160",
            "nopl   0x0(%rax)",
            "shr    %edx",
            "data16 nopw %cs:0x0(%rax,%rax,1)",
            "rep stos %rax,%es:(%rdi)",
            "push   0x38(%rsp)",
            "mov    (%rbx,%rcx,1),%eax",
            "out    %al,(%dx)",
            "ret    ",
            "int3   ",
            "nop", // the one-byte NOP is the only mnemonic gdb does not pad
            "xchg   %ax,%ax",
        ], lines);
    }

    [Fact]
    public void Addresses_below_kernel_space_get_no_symbol()
    {
        // A RIP-relative %gs access resolves to a small per-CPU offset: gdb prints the address alone.
        var target = new MockTarget().MapVirtual(Text, [0x65, 0x8b, 0x05, 0x00, 0x00, 0x00, 0x00]).AddSymbol("cpu_number", 0x15160, 'D', 4);
        var symbolize = KernelDisassembler.DefaultSymbolizer(target, hexOffsets: false);
        Assert.Null(symbolize(0x15160));
        Assert.Equal("cpu_number+0x4", KernelDisassembler.FormatSymbol("cpu_number", 4, hexOffsets: true));
    }

    [Fact]
    public void Unreadable_bytes_are_question_marks_one_byte_each_and_decoding_resumes_after_them()
    {
        // One readable page, then an excluded one: the last instruction that fits is decoded,
        // the excluded page gives "??" entries.
        var page = new byte[4096];
        Array.Fill(page, (byte)0x90); // nop
        var target = new MockTarget().MapVirtual(Text, page).ExcludeVirtualPage(Text + 4096, 0x1234);
        var instructions = new KernelDisassembler(target).Disassemble(Text + 4094, 4);
        Assert.Equal(["nop", "nop", "??", "??"], instructions.Select(i => i.Text));
        Assert.Equal([true, true, false, false], instructions.Select(i => i.IsReadable));
        Assert.Equal(Text + 4097, instructions[3].Address);
        // An instruction cut by the page end cannot be decoded either.
        var cut = new MockTarget().MapVirtual(Text + 4093, [0x48, 0xc7, 0xc7]).ExcludeVirtualPage(Text + 4096, 0x1234);
        Assert.Equal("??", new KernelDisassembler(cut).Disassemble(Text + 4093, 1)[0].Text);
    }

    [Fact]
    public void Undecodable_bytes_are_bad_and_skip_one_byte()
    {
        var target = new MockTarget().MapVirtual(Text, [0x06, 0x90]); // push %es is invalid in 64-bit mode
        var instructions = new KernelDisassembler(target).Disassemble(Text, 2);
        Assert.Equal(["(bad)", "nop"], instructions.Select(i => i.Text));
        Assert.Equal(Text + 1, instructions[1].Address);
    }

    [Fact]
    public void Function_extent_is_the_symbol_size_or_the_next_symbol_and_module_routines_run_to_the_next_module_symbol()
    {
        var target = new MockTarget()
            .AddSymbol("sized", Text, size: 12)
            .AddSymbol("label", Text + 0x10)
            .AddSymbol("next", Text + 0x40, size: 8)
            .AddSymbol("lkdtm_EXCEPTION", 0xffffffffc00d6250, size: 12, module: "lkdtm")
            .AddSymbol("lkdtm_LOOP", 0xffffffffc00d6260, size: 4, module: "lkdtm");
        Assert.True(FunctionExtent.TryFind(target, Text + 3, out var sized));
        Assert.Equal(("sized", Text, Text + 12), (sized.Symbol.Name, sized.Start, sized.End));
        Assert.True(FunctionExtent.TryFind(target, Text + 0x18, out var label));
        Assert.Equal((Text + 0x10, Text + 0x40), (label.Start, label.End));
        Assert.True(FunctionExtent.TryFind(target, 0xffffffffc00d6250, out var module));
        Assert.Equal(0xffffffffc00d6260UL, module.End);
        Assert.False(FunctionExtent.TryFind(target, 0x1000, out _));
    }
}
