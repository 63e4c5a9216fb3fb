using System.Text;
using Iced.Intel;

namespace KdumpDebug.Target.Disassembly;

/// <summary>
/// Decodes x86-64 kernel code read from a target (<see cref="CodeReader"/>) into gdb's AT&amp;T
/// text, the way crash's <c>dis</c> shows it: libopcodes' layout (mnemonic padded to six columns,
/// no space after operand commas, hex immediates and displacements with 0x), direct branch and
/// call targets as <c>0xADDR &lt;symbol+off&gt;</c>, and RIP-relative operands followed by
/// <c>        # 0xADDR &lt;symbol+off&gt;</c>. The text comes from Iced's GAS formatter, adjusted where
/// libopcodes differs (scale ",1", shifts by one, push/call without suffix, port and debug
/// registers, data16): on the fixture vmlinux's whole .text the result equals binutils 2.40's
/// objdump except for segment overrides, which stay in the operand as gdb 10's libopcodes (the
/// one crash 8.0.2 links) prints them ("nopw %cs:0x0(%rax,%rax,1)").
/// Symbol names come from a resolver (by default the target's symbols, kernel and modules, with
/// decimal offsets), so callers can apply crash's own symbol-range rules. Not thread-safe
/// (one formatter per instance); cheap to create.
/// </summary>
public sealed class KernelDisassembler
{
    /// <summary>Longest x86 instruction (Intel SDM vol. 2, 2.3.11): the most bytes one decode reads.</summary>
    public const int MaxInstructionLength = 15;

    readonly IKernelTarget _target;
    readonly Func<ulong, string?> _symbolize;
    readonly GasFormatter _formatter;
    readonly StringOutput _output = new();

    /// <param name="target">Where code is read from.</param>
    /// <param name="symbolize">
    /// The text between &lt; and &gt; for an address ("panic", "panic+96"), or null to print the
    /// address alone; null for <see cref="DefaultSymbolizer"/>.
    /// </param>
    public KernelDisassembler(IKernelTarget target, Func<ulong, string?>? symbolize = null)
    {
        _target = target;
        _symbolize = symbolize ?? DefaultSymbolizer(target, hexOffsets: false);
        _formatter = new GasFormatter();
        var o = _formatter.Options;
        // libopcodes (gdb, objdump) style: lower-case hex with 0x, "(%rax,%rbx,1)", unsigned
        // immediates ($0xffffffff), signed displacements (-0x8(%rbp)), explicit zero
        // displacements when encoded (nopl 0x0(%rax)).
        o.HexPrefix = "0x";
        o.HexSuffix = null;
        o.UppercaseHex = false;
        o.SmallHexNumbersInDecimal = false;
        o.AddLeadingZeroToHexNumbers = false;
        o.LeadingZeros = false;
        o.DisplacementLeadingZeros = false;
        o.BranchLeadingZeros = false;
        o.SpaceAfterOperandSeparator = false;
        o.GasSpaceAfterMemoryOperandComma = false;
        o.GasNakedRegisters = false;
        o.GasShowMnemonicSizeSuffix = false;
        o.ShowBranchSize = false;
        o.RipRelativeAddresses = true;
        o.SignedImmediateOperands = false;
        o.SignedMemoryDisplacements = true;
        o.AlwaysShowScale = false;
        o.ShowUselessPrefixes = true;
        o.ShowZeroDisplacements = true;
        o.UsePseudoOps = false;
        o.ShowSymbolAddress = false;
        o.FirstOperandCharIndex = 0;
    }

    /// <summary>
    /// Symbol text for addresses in kernel space that the target names: "name" or "name+off"
    /// (offset in decimal, or 0x hex with <paramref name="hexOffsets"/>, crash's <c>dis -x</c>).
    /// Lower addresses (per-CPU offsets, user space) get none, as in crash.
    /// </summary>
    public static Func<ulong, string?> DefaultSymbolizer(IKernelTarget target, bool hexOffsets) => address =>
    {
        if (address < KernelSpaceStart(target) || !target.TryFindSymbol(address, out var symbol, out var offset) || IsLocalLabel(symbol.Name)) return null;
        return FormatSymbol(symbol.Name, offset, hexOffsets);
    };

    /// <summary>
    /// Assembler-local labels (".LC3", ".L__sym") that some symbol tables keep: gdb never names
    /// an address after one, so neither does the disassembly.
    /// </summary>
    public static bool IsLocalLabel(string name) => name.StartsWith(".L", StringComparison.Ordinal);

    /// <summary>"name", "name+12" or with <paramref name="hexOffsets"/> "name+0xc".</summary>
    public static string FormatSymbol(string name, ulong offset, bool hexOffsets) =>
        offset == 0 ? name : hexOffsets ? $"{name}+0x{offset:x}" : $"{name}+{offset}";

    /// <summary>
    /// The bottom of the upper canonical half: 0xffff800000000000 with 4-level paging,
    /// 0xff00000000000000 with 5-level (Documentation/x86/x86_64/mm.rst).
    /// </summary>
    static ulong KernelSpaceStart(IKernelTarget target) =>
        target.Summary.PagingLevels >= 5 ? 0xff00_0000_0000_0000UL : 0xffff_8000_0000_0000UL;

    /// <summary>
    /// Instructions that start in [<paramref name="start"/>, <paramref name="end"/>), decoded from
    /// <paramref name="start"/> on (the last one may extend past <paramref name="end"/>).
    /// At most <paramref name="maxCount"/> instructions.
    /// </summary>
    public IReadOnlyList<DisassembledInstruction> Disassemble(ulong start, ulong end, int maxCount = int.MaxValue)
    {
        var result = new List<DisassembledInstruction>();
        if (end <= start) return result;
        var length = (int)Math.Min(end - start + MaxInstructionLength, 1 << 20);
        var bytes = CodeReader.Read(_target, start, length, out var readable);
        var offset = 0;
        while (result.Count < maxCount && offset < length - MaxInstructionLength + 1 && start + (ulong)offset < end)
        {
            var instruction = DecodeAt(start + (ulong)offset, bytes, readable, offset);
            result.Add(instruction);
            offset += instruction.Length;
        }
        return result;
    }

    /// <summary><paramref name="count"/> instructions from <paramref name="start"/> on.</summary>
    public IReadOnlyList<DisassembledInstruction> Disassemble(ulong start, int count)
    {
        var result = new List<DisassembledInstruction>(Math.Max(0, Math.Min(count, 4096)));
        var address = start;
        while (result.Count < count)
        {
            // Read in blocks: 64 instructions average well under 15 bytes each.
            var block = Math.Min(count - result.Count, 64);
            var end = address + (ulong)(block * MaxInstructionLength);
            if (end < address) end = ulong.MaxValue;
            var decoded = Disassemble(address, end, block);
            if (decoded.Count == 0) break;
            result.AddRange(decoded);
            address = decoded[^1].NextAddress;
            if (address < start) break; // wrapped past the top of the address space
        }
        return result;
    }

    /// <summary>Decodes the one instruction at <paramref name="offset"/> of a buffer read at <c>address - offset</c>.</summary>
    DisassembledInstruction DecodeAt(ulong address, byte[] bytes, bool[] readable, int offset)
    {
        if (!readable[offset]) return new DisassembledInstruction(address, [], "??", false, null);
        // Only the readable bytes from here on may be decoded.
        var available = 0;
        while (available < MaxInstructionLength && offset + available < bytes.Length && readable[offset + available]) available++;
        var decoder = Iced.Intel.Decoder.Create(64, new ByteArrayCodeReader(bytes, offset, available), address, DecoderOptions.None);
        decoder.Decode(out var instruction);
        if (instruction.IsInvalid)
        {
            if (decoder.LastError == DecoderError.NoMoreBytes && available < MaxInstructionLength)
                return new DisassembledInstruction(address, [], "??", false, null);
            // gdb prints "(bad)" and moves on one byte.
            return new DisassembledInstruction(address, bytes[offset..(offset + 1)], "(bad)", true, null);
        }
        string text;
        ulong? branchTarget;
        try
        {
            text = Format(instruction, bytes.AsSpan(offset, instruction.Length), out branchTarget);
        }
        catch (ArgumentException)
        {
            // An operand shape the libopcodes adjustments do not expect: Iced's own text is still right.
            _output.Reset();
            _formatter.Format(instruction, _output);
            text = _output.ToStringAndReset();
            branchTarget = null;
        }
        return new DisassembledInstruction(address, bytes[offset..(offset + instruction.Length)], text, true, branchTarget);
    }

    string Format(in Instruction instruction, ReadOnlySpan<byte> bytes, out ulong? branchTarget)
    {
        branchTarget = null;
        var sb = new StringBuilder(48);
        _output.Reset();
        _formatter.FormatMnemonic(instruction, _output);
        var mnemonic = LibopcodesMnemonic(instruction, _output.ToStringAndReset());
        // Repeated 0x66 prefixes (padding NOPs) print as "data16" (gdb 10's libopcodes, which
        // crash 8.0.2 links, keeps a CS override in the operand: "data16 nopw %cs:0x0(%rax,%rax,1)";
        // binutils 2.40's objdump would write "data16 cs nopw 0x0(...)" instead).
        var operandSizePrefixes = CountOperandSizePrefixes(bytes);
        var extraData16 = operandSizePrefixes - (UsesOperandSizePrefix(instruction) ? 1 : 0);
        for (var i = 0; i < extraData16; i++) sb.Append("data16 ");
        sb.Append(mnemonic);
        // libopcodes writes the one-byte NOP (0x90) without padding; every other mnemonic is padded.
        var count = _formatter.GetOperandCount(instruction);
        if (count == 0 && instruction.Mnemonic == Mnemonic.Nop && instruction.OpCode.OpCode == 0x90) return sb.ToString();
        var mnemonicLength = sb.Length;
        // libopcodes pads the mnemonic (prefixes included) to six columns and adds one space,
        // even when no operand follows ("ret    ", "cli    ").
        sb.Append(' ', Math.Max(0, 6 - mnemonicLength)).Append(' ');
        var opcode = instruction.OpCode.OpCode;
        var shiftByOne = instruction.OpCode.Table == OpCodeTableKind.Normal && opcode is 0xd0 or 0xd1;
        var first = true;
        for (var i = 0; i < count; i++)
        {
            var operand = _formatter.GetInstructionOperand(instruction, i);
            var kind = operand >= 0 ? instruction.GetOpKind(operand) : OpKind.Register;
            // D0/D1 shifts and rotates by one: libopcodes shows no count ("shr %rdx").
            if (shiftByOne && kind == OpKind.Immediate8) continue;
            if (!first)
            {
                _formatter.FormatOperandSeparator(instruction, _output);
                sb.Append(_output.ToStringAndReset());
            }
            first = false;
            if (kind is OpKind.MemoryESRDI or OpKind.MemoryESEDI)
            {
                // libopcodes names the segment of string operands: "%es:(%rdi)", "%ds:(%rsi)".
                sb.Append(kind == OpKind.MemoryESRDI ? "%es:(%rdi)" : "%es:(%edi)");
            }
            else if (kind is OpKind.MemorySegRSI or OpKind.MemorySegESI)
            {
                sb.Append('%').Append(instruction.MemorySegment.ToString().ToLowerInvariant())
                    .Append(kind == OpKind.MemorySegRSI ? ":(%rsi)" : ":(%esi)");
            }
            else if (kind is OpKind.NearBranch64 or OpKind.NearBranch32 or OpKind.NearBranch16)
            {
                var target = instruction.NearBranchTarget;
                branchTarget = target;
                sb.Append(AddressWithSymbol(target));
            }
            else
            {
                _formatter.FormatOperand(instruction, _output, i);
                var text = _output.ToStringAndReset();
                if (kind == OpKind.Memory)
                {
                    // libopcodes always writes the scale of an index register: (%rax,%rdx,1).
                    if (instruction.MemoryIndex != Register.None && instruction.MemoryIndexScale == 1 && text.EndsWith(')'))
                        text = text[..^1] + ",1)";
                }
                else if (kind == OpKind.Register && operand >= 0 && instruction.GetOpRegister(operand) == Register.DX && IsPortInstruction(instruction))
                {
                    text = "(%dx)"; // in/out port operand: "out %al,(%dx)"
                }
                else if (text.StartsWith("%dr", StringComparison.Ordinal))
                {
                    text = "%db" + text[3..]; // debug registers: libopcodes says %db7
                }
                sb.Append(text);
            }
        }
        // libopcodes lists monitor's and mwait's implicit operands.
        if (instruction.Mnemonic is Mnemonic.Monitor or Mnemonic.Monitorx) sb.Append("%rax,%ecx,%edx");
        else if (instruction.Mnemonic == Mnemonic.Mwait) sb.Append("%eax,%ecx");
        else if (instruction.Mnemonic == Mnemonic.Mwaitx) sb.Append("%eax,%ecx,%ebx");
        // gdb adds the effective address of a RIP-relative operand as a comment.
        if (instruction.IsIPRelativeMemoryOperand)
            sb.Append("        # ").Append(AddressWithSymbol(instruction.IPRelativeMemoryAddress));
        return sb.ToString();
    }

    /// <summary>
    /// Iced's GAS mnemonic, without the size suffix libopcodes leaves off push/pop/call/jmp of a
    /// memory operand (binutils 2.40 prints "push 0x38(%rsp)", "call *0x10(%rax)").
    /// </summary>
    static string LibopcodesMnemonic(in Instruction instruction, string mnemonic) => instruction.Mnemonic switch
    {
        Mnemonic.Push or Mnemonic.Pop or Mnemonic.Call or Mnemonic.Jmp when mnemonic.EndsWith('q') => mnemonic[..^1],
        Mnemonic.Jmp or Mnemonic.Call when mnemonic.EndsWith("ljmpl", StringComparison.Ordinal) || mnemonic.EndsWith("lcalll", StringComparison.Ordinal) => mnemonic[..^1],
        _ => mnemonic,
    };

    static bool IsPortInstruction(in Instruction instruction) =>
        instruction.Mnemonic is Mnemonic.In or Mnemonic.Out or Mnemonic.Insb or Mnemonic.Insw or Mnemonic.Insd
            or Mnemonic.Outsb or Mnemonic.Outsw or Mnemonic.Outsd;

    /// <summary>True when a 0x66 prefix selects the 16-bit operand size (or is a mandatory SSE prefix).</summary>
    static bool UsesOperandSizePrefix(in Instruction instruction)
    {
        var op = instruction.OpCode;
        if (op.Encoding != EncodingKind.Legacy) return false;
        if (op.MandatoryPrefix == MandatoryPrefix.P66) return true;
        return op.OperandSize == 16;
    }

    /// <summary>How many 0x66 bytes the legacy prefixes (Intel SDM vol. 2, 2.1.1) hold.</summary>
    static int CountOperandSizePrefixes(ReadOnlySpan<byte> bytes)
    {
        var count = 0;
        foreach (var b in bytes)
        {
            if (b == 0x66) count++;
            else if (b is not (0x2e or 0x3e or 0x26 or 0x36 or 0x64 or 0x65 or 0x67 or 0xf0 or 0xf2 or 0xf3)) break;
        }
        return count;
    }

    /// <summary>"0xADDR &lt;sym+off&gt;", or "0xADDR" alone when the resolver names nothing.</summary>
    public string AddressWithSymbol(ulong address)
    {
        var symbol = _symbolize(address);
        return symbol is null ? $"0x{address:x}" : $"0x{address:x} <{symbol}>";
    }
}
