using System.Buffers.Binary;
using System.Globalization;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Commands.Tests;

/// <summary>
/// A MockTarget holding the sysrq fixture's memory and symbols around linux_banner, init_task, the
/// panic task and sysrq_handle_crash (values from Golden/mock/sysrq-memory.txt, symbols and lines as
/// crash printed them), so crash's recorded outputs (Golden/crash-sysrq) can be replayed without the
/// real dump. Symbols at one address are added in crash's preferred order (".data" before init_stack).
/// </summary>
static class SysrqMock
{
    public static MockTarget Create()
    {
        var target = new MockTarget(MockTarget.DefaultSummary() with { PagingLevels = 4 });
        foreach (var raw in File.ReadLines(RepoPaths.Golden("mock/sysrq-memory.txt")))
        {
            if (raw.Length == 0 || raw[0] == '#') continue;
            var space = raw[0];
            var rest = raw[2..];
            var colon = rest.IndexOf(':');
            var address = ulong.Parse(rest[..colon].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var values = rest[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var bytes = new byte[values.Length * 8];
            for (var i = 0; i < values.Length; i++)
                BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * 8), ulong.Parse(values[i], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            if (space == 'v') target.MapVirtual(address, bytes);
            else target.MapPhysical(address, bytes);
        }

        target.AddSymbol("_text", 0xffffffff81e00000, 'T')
            .AddSymbol("sysrq_handle_reboot", 0xffffffff8204d7f0)
            .AddSymbol("sysrq_handle_showstate_blocked", 0xffffffff8204d800)
            .AddSymbol("sysrq_handle_mountro", 0xffffffff8204d810)
            .AddSymbol("sysrq_handle_showstate", 0xffffffff8204d820)
            .AddSymbol("sysrq_handle_sync", 0xffffffff8204d830)
            .AddSymbol("sysrq_handle_show_timers", 0xffffffff8204d840)
            .AddSymbol("sysrq_handle_showregs", 0xffffffff8204d850)
            .AddSymbol("sysrq_handle_unrt", 0xffffffff8204d880)
            .AddSymbol("sysrq_handle_showmem", 0xffffffff8204d890)
            .AddSymbol("sysrq_handle_showallcpus", 0xffffffff8204d8a0)
            .AddSymbol("sysrq_handle_thaw", 0xffffffff8204d8b0)
            .AddSymbol("sysrq_handle_crash", 0xffffffff8204d940)
            .AddSymbol("sysrq_handle_kill", 0xffffffff8204d9d0)
            .AddSymbol("sysrq_handle_term", 0xffffffff8204d9f0)
            .AddSymbol("sysrq_handle_moom", 0xffffffff8204da10)
            .AddSymbol("sysrq_handle_loglevel", 0xffffffff82197e2b)
            .AddSymbol("linux_banner", 0xffffffff8264ae60, 'D')
            .AddSymbol(".data", 0xffffffff82800000, 'd')
            .AddSymbol("init_stack", 0xffffffff82800000, 'D')
            .AddSymbol("jiffies", 0xffffffff828079c0, 'D')
            .AddSymbol("init_task", 0xffffffff82812600, 'D')
            .AddSymbol("_end", 0xffffffff82c20000, 'B')
            // A per-CPU symbol: small offsets are never symbolized.
            .AddSymbol("fixed_percpu_data", 0, 'D');
        target.AddSourceLine(0xffffffff8204d940, 0xffffffff8204d9d0, "./drivers/tty/sysrq.c", 155);
        return target;
    }
}
