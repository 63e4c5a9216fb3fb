using KdumpDebug.Dap.Protocol;
using KdumpDebug.Dap.Transport;
using KdumpDebug.Target;
using KdumpDebug.Target.Disassembly;
using DapInstruction = KdumpDebug.Dap.Protocol.DisassembledInstruction;
using TargetInstruction = KdumpDebug.Target.Disassembly.DisassembledInstruction;

namespace KdumpDebug.Dap.Session;

// disassemble: the instructions around an address, in crash's AT&T text.
public sealed partial class DapSession
{
    /// <summary>Most instructions one disassemble request answers (VS Code asks for 50 to a few hundred).</summary>
    public const int MaxDisassembleInstructions = 10_000;

    /// <summary>
    /// DAP disassemble: exactly <c>instructionCount</c> entries, starting <c>instructionOffset</c>
    /// instructions (negative: before) from the instruction at <c>memoryReference + offset</c>.
    /// Instructions before the address are found by decoding forward from the start of the
    /// routine that holds them (x86 cannot be decoded backwards), earlier routines as needed.
    /// Bytes that cannot be read, and places before the first decodable instruction, are "??"
    /// entries with presentation hint "invalid", never an error.
    /// </summary>
    private DisassembleResponseBody Disassemble(DisassembleArguments args)
    {
        var dump = Dump;
        var address = ParseMemoryReference(args.MemoryReference, args.Offset);
        if (args.InstructionCount < 0) throw new DapRequestException($"disassemble: instructionCount {args.InstructionCount} is negative");
        var count = (int)Math.Min(args.InstructionCount, MaxDisassembleInstructions);
        var first = Math.Clamp(args.InstructionOffset ?? 0, -MaxDisassembleInstructions, MaxDisassembleInstructions);
        var target = dump.Target;
        var disassembler = new KernelDisassembler(target);

        var before = first < 0 ? InstructionsBefore(target, disassembler, address, (int)-first) : [];
        var forwardCount = (int)Math.Max(0, first + count);
        var after = forwardCount > 0 ? disassembler.Disassemble(address, forwardCount) : [];

        var result = new List<DapInstruction>(count);
        string? lastFile = null;
        for (var i = 0; i < count; i++)
        {
            var index = first + i; // relative to the instruction at the address
            if (index < 0)
            {
                var j = before.Count + (int)index;
                result.Add(j >= 0 ? ToDap(dump, before[j], ref lastFile) : Placeholder(before.Count > 0 ? before[0].Address : address, j));
            }
            else
            {
                result.Add(index < after.Count ? ToDap(dump, after[(int)index], ref lastFile)
                    : Placeholder(after.Count > 0 ? after[^1].NextAddress : address, (int)(index - after.Count)));
            }
        }
        return new DisassembleResponseBody { Instructions = result };
    }

    /// <summary>Up to <paramref name="wanted"/> instructions that end exactly at <paramref name="address"/>, in address order.</summary>
    private static List<TargetInstruction> InstructionsBefore(IKernelTarget target, KernelDisassembler disassembler, ulong address, int wanted)
    {
        var result = new List<TargetInstruction>();
        var end = address;
        // Each step decodes one routine; stop after a bounded number of them.
        for (var routines = 0; routines < 64 && result.Count < wanted && end > 0; routines++)
        {
            if (!FunctionExtent.TryFind(target, end - 1, out var extent) || extent.Start >= end) break;
            var decoded = disassembler.Disassemble(extent.Start, end);
            // Only a decode that lands exactly on `end` is in step with the instructions after it.
            if (decoded.Count == 0 || decoded[^1].NextAddress != end) break;
            result.InsertRange(0, decoded);
            end = extent.Start;
        }
        return result.Count > wanted ? result.GetRange(result.Count - wanted, wanted) : result;
    }

    /// <summary>A "??" entry <paramref name="distance"/> bytes from <paramref name="anchor"/> (negative: before it).</summary>
    private static DapInstruction Placeholder(ulong anchor, long distance) => new()
    {
        Address = $"0x{unchecked(anchor + (ulong)distance):x}",
        Instruction = "??",
        PresentationHint = DisassembledInstructionPresentationHint.Invalid,
    };

    private static DapInstruction ToDap(OpenDump dump, TargetInstruction instruction, ref string? lastFile)
    {
        var target = dump.Target;
        if (!instruction.IsReadable)
        {
            lastFile = null;
            return new DapInstruction
            {
                Address = $"0x{instruction.Address:x}",
                Instruction = "??",
                PresentationHint = DisassembledInstructionPresentationHint.Invalid,
            };
        }
        string? symbol = target.TryFindSymbol(instruction.Address, out var s, out var offset)
            ? KernelDisassembler.FormatSymbol(s.Name, offset, hexOffsets: false) : null;
        Source? location = null;
        long? line = null;
        if (target.TryFindSourceLine(instruction.Address, out var file, out var l))
        {
            // DAP: a location only when it differs from the previous instruction's.
            if (file != lastFile) location = dump.SourceOf(file);
            lastFile = file;
            line = l;
        }
        return new DapInstruction
        {
            Address = $"0x{instruction.Address:x}",
            InstructionBytes = instruction.HexBytes,
            Instruction = instruction.Text,
            Symbol = symbol,
            Location = location,
            Line = line,
        };
    }
}
