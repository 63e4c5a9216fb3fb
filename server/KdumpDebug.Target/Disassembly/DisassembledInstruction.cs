namespace KdumpDebug.Target.Disassembly;

/// <summary>
/// One decoded x86-64 instruction at its run-time address, in gdb's AT&amp;T text (what crash's
/// <c>dis</c> prints after the address): <see cref="Text"/> is the mnemonic padded to six columns
/// and a space, then the operands, then for RIP-relative operands gdb's "        # 0xADDR &lt;sym&gt;"
/// comment. An instruction whose bytes could not be read (an unmapped or excluded page) has
/// <see cref="IsReadable"/> false, a length of one byte and the text "??"; one that does not
/// decode reads "(bad)", as in gdb.
/// </summary>
/// <param name="Address">Run-time virtual address of the first byte.</param>
/// <param name="Bytes">The instruction's bytes (empty when unreadable).</param>
/// <param name="Text">AT&amp;T text as gdb prints it.</param>
/// <param name="IsReadable">False when the bytes could not be read from the dump or the vmlinux.</param>
/// <param name="BranchTarget">The target of a direct call or jump, else null.</param>
public sealed record DisassembledInstruction(ulong Address, byte[] Bytes, string Text, bool IsReadable, ulong? BranchTarget)
{
    /// <summary>Bytes the instruction occupies (1 for an unreadable one).</summary>
    public int Length => IsReadable ? Bytes.Length : 1;

    /// <summary>Address of the next instruction.</summary>
    public ulong NextAddress => Address + (ulong)Length;

    /// <summary>
    /// True for an instruction that does nothing, the kind compilers and the kernel pad routines
    /// with: nop/nopw/nopl (with data16 prefixes) and "xchg %ax,%ax".
    /// </summary>
    public bool IsNop =>
        IsReadable && (Text.StartsWith("nop", StringComparison.Ordinal) || Text.StartsWith("data16 nop", StringComparison.Ordinal)
            || Text.StartsWith("xchg   %ax,%ax", StringComparison.Ordinal));

    /// <summary>The bytes as lower-case hex pairs separated by spaces ("48 c7 c7 cc").</summary>
    public string HexBytes => string.Join(' ', Bytes.Select(b => b.ToString("x2")));
}
