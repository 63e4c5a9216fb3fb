using System.Globalization;
using System.Text.RegularExpressions;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Target.Tests.Unwind;

/// <summary>
/// A task's stack as crash 8.0.2 printed it (crash/bt.txt, bt-a.txt): frames
/// <c>#N [stack address] function at pc [module]</c>, and the register blocks of exception frames
/// (attached to the frame they follow), with <c>[exception RIP: name]</c> when crash printed one.
/// </summary>
internal sealed record CrashBtTask(int Pid, int Cpu, IReadOnlyList<CrashBtFrame> Frames, string? Error);

internal sealed record CrashBtFrame(int Index, ulong StackAddress, string Function, ulong Pc, string? Module)
{
    public string? ExceptionRip { get; set; }
    public Dictionary<string, ulong> Registers { get; } = new(StringComparer.Ordinal);
}

internal static partial class CrashBtGolden
{
    [GeneratedRegex(@"^PID: (\d+)\s+TASK: [0-9a-f]+\s+CPU: (\d+)")]
    private static partial Regex Header();

    [GeneratedRegex(@"^\s*#(\d+) \[([0-9a-f]+)\] (\S+) at ([0-9a-f]+)(?: \[(\S+)\])?\s*$")]
    private static partial Regex Frame();

    [GeneratedRegex(@"([A-Z0-9_]+): ([0-9a-f]+)")]
    private static partial Regex Register();

    [GeneratedRegex(@"\[exception RIP: ([^\]]+)\]")]
    private static partial Regex ExceptionRip();

    public static IReadOnlyList<CrashBtTask> Parse(string scenario, string file)
    {
        var tasks = new List<CrashBtTask>();
        int pid = -1, cpu = -1;
        List<CrashBtFrame>? frames = null;
        string? error = null;
        string? pendingException = null;
        void Flush()
        {
            if (frames is not null) tasks.Add(new CrashBtTask(pid, cpu, frames, error));
        }
        foreach (var line in Fixtures.ReadText($"{scenario}/crash/{file}").Split('\n'))
        {
            var h = Header().Match(line);
            if (h.Success)
            {
                Flush();
                pid = int.Parse(h.Groups[1].Value, CultureInfo.InvariantCulture);
                cpu = int.Parse(h.Groups[2].Value, CultureInfo.InvariantCulture);
                frames = [];
                error = null;
                continue;
            }
            if (frames is null) continue;
            var f = Frame().Match(line);
            if (f.Success)
            {
                frames.Add(new CrashBtFrame(int.Parse(f.Groups[1].Value, CultureInfo.InvariantCulture), Hex(f.Groups[2].Value),
                    f.Groups[3].Value, Hex(f.Groups[4].Value), f.Groups[5].Success ? f.Groups[5].Value : null));
                continue;
            }
            if (line.StartsWith("bt: ", StringComparison.Ordinal))
            {
                error ??= line;
                continue;
            }
            var e = ExceptionRip().Match(line);
            if (e.Success)
            {
                pendingException = e.Groups[1].Value;
                continue;
            }
            if (frames.Count == 0) continue;
            foreach (Match r in Register().Matches(line))
                frames[^1].Registers[r.Groups[1].Value] = Hex(r.Groups[2].Value);
            if (pendingException is not null && frames[^1].Registers.Count > 0)
            {
                frames[^1].ExceptionRip = pendingException;
                pendingException = null;
            }
        }
        Flush();
        return tasks;
    }

    static ulong Hex(string s) => ulong.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    /// <summary>crash's register block names to ours.</summary>
    public static readonly Dictionary<string, string> RegisterNames = new()
    {
        ["RIP"] = "rip", ["RSP"] = "rsp", ["RFLAGS"] = "eflags", ["RAX"] = "rax", ["RBX"] = "rbx", ["RCX"] = "rcx", ["RDX"] = "rdx",
        ["RSI"] = "rsi", ["RDI"] = "rdi", ["RBP"] = "rbp", ["R8"] = "r8", ["R9"] = "r9", ["R10"] = "r10", ["R11"] = "r11",
        ["R12"] = "r12", ["R13"] = "r13", ["R14"] = "r14", ["R15"] = "r15", ["ORIG_RAX"] = "orig_rax", ["CS"] = "cs", ["SS"] = "ss",
    };
}
