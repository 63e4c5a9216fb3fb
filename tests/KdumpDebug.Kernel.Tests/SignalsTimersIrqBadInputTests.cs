using System.Buffers.Binary;
using KdumpDebug.Kernel.Irq;
using KdumpDebug.Kernel.Time;
using KdumpDebug.Target;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Kernel.Tests;

/// <summary>
/// Timer wheels, sigqueue lists, xarrays and irqaction chains built in mock memory with the
/// fixture vmlinux's real struct layouts: what they decode to, and bad input (a timer in an
/// excluded page, a chain that loops, a sigqueue whose next pointer points nowhere) giving one
/// problem line while the rest is still read.
/// </summary>
public class SignalsTimersIrqBadInputTests
{
    const ulong Base = 0xffff_8880_0010_0000;
    const ulong TimerA = 0xffff_8880_0020_0100, TimerB = 0xffff_8880_0021_0100, TimerC = 0xffff_8880_0022_0100;

    static ITypeLayouts Layouts => FixtureKernels.Open("sysrq").TypeLayouts;

    static ulong Off(string type, string member) =>
        Layouts.TryGetMemberOffset(type, member, out var offset) ? offset : throw new InvalidOperationException(member);

    static ulong Size(string type) => Layouts.TryGetStructSize(type, out var size) ? size : throw new InvalidOperationException(type);

    static void Put(byte[] bytes, ulong offset, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan((int)offset), value);

    static byte[] Timer(ulong next, ulong expires, ulong function)
    {
        var t = new byte[Size("timer_list")];
        Put(t, Off("timer_list", "entry") + Off("hlist_node", "next"), next == 0 ? 0 : next + Off("timer_list", "entry"));
        Put(t, Off("timer_list", "expires"), expires);
        Put(t, Off("timer_list", "function"), function);
        return t;
    }

    /// <summary>Bucket 0: A then B; bucket 7: C. <paramref name="bNext"/> is B's successor.</summary>
    static MockTarget Wheel(ulong bNext = 0)
    {
        var mock = new MockTarget();
        var timerBase = new byte[Size("timer_base")];
        Put(timerBase, Off("timer_base", "vectors"), TimerA + Off("timer_list", "entry"));
        Put(timerBase, Off("timer_base", "vectors") + 7 * 8, TimerC + Off("timer_list", "entry"));
        mock.MapVirtual(Base, timerBase);
        mock.MapVirtual(TimerA, Timer(TimerB, 300, 0xffffffff81000010));
        mock.MapVirtual(TimerB, Timer(bNext, 100, 0xffffffff81000020));
        mock.MapVirtual(TimerC, Timer(0, 200, 0xffffffff81000030));
        return mock;
    }

    [FixtureFact]
    public void TimerWheelBucketsAreReadInWheelOrder()
    {
        var timerBase = TimerWheel.ReadBase(Wheel(), Layouts, 1, 0, Base);
        Assert.Equal(Base, timerBase.Address);
        Assert.Equal([new PendingTimer(TimerA, 300, 0xffffffff81000010), new PendingTimer(TimerB, 100, 0xffffffff81000020), new PendingTimer(TimerC, 200, 0xffffffff81000030)], timerBase.Timers);
        Assert.Empty(timerBase.Problems);
    }

    [FixtureFact]
    public void ATimerInAnExcludedPageIsOneProblemAndTheOtherBucketsFollow()
    {
        var mock = Wheel().ExcludeVirtualPage(TimerB, pfn: 0x2021);
        var timerBase = TimerWheel.ReadBase(mock, Layouts, 1, 0, Base);
        Assert.Equal([TimerA, TimerC], timerBase.Timers.Select(t => t.Address));
        Assert.StartsWith($"timer_bases[1][0] bucket 0: cannot read timer_list {TimerB:x}: ", Assert.Single(timerBase.Problems));
    }

    [FixtureFact]
    public void ALoopingTimerChainStops()
    {
        var timerBase = TimerWheel.ReadBase(Wheel(bNext: TimerA), Layouts, 0, 1, Base);
        Assert.Equal([TimerA, TimerB, TimerC], timerBase.Timers.Select(t => t.Address));
        Assert.Equal($"timer_bases[0][1] bucket 0: the timer chain loops at {TimerA + Off("timer_list", "entry"):x}", Assert.Single(timerBase.Problems));
    }

    [FixtureFact]
    public void QueuedSignalsAreListedAndABrokenQueueIsOneProblem()
    {
        const ulong pending = 0xffff_8880_0030_0000, queued = 0xffff_8880_0031_0000, nowhere = 0xffff_8880_0099_0000;
        var mock = new MockTarget();
        var head = new byte[Size("sigpending")];
        Put(head, Off("sigpending", "list"), queued + Off("sigqueue", "list"));
        Put(head, Off("sigpending", "signal"), 1UL << 9);
        mock.MapVirtual(pending, head);
        var q = new byte[Size("sigqueue")];
        Put(q, Off("sigqueue", "list"), pending + Off("sigpending", "list"));
        BinaryPrimitives.WriteInt32LittleEndian(q.AsSpan((int)(Off("sigqueue", "info") + Off("kernel_siginfo", "si_signo"))), 10);
        mock.MapVirtual(queued, q);

        var read = Signals.ReadPending(mock, Layouts, pending);
        Assert.Equal(1UL << 9, read.Signal);
        Assert.Equal([new QueuedSignal(10, queued + Off("sigqueue", "info"))], read.Queue);
        Assert.Null(read.Problem);

        Put(q, Off("sigqueue", "list"), nowhere);
        mock.MapVirtual(queued, q);
        var broken = Signals.ReadPending(mock, Layouts, pending);
        Assert.Equal(10, Assert.Single(broken.Queue).Signal); // the first queued signal is still there
        Assert.Contains(nowhere.ToString("x"), broken.Problem);
    }

    [FixtureFact]
    public void XArrayLoadFollowsNodesBySlot()
    {
        const ulong xarray = 0xffff_8880_0040_0000, node = 0xffff_8880_0041_0000;
        var mock = new MockTarget();
        var head = new byte[8];
        Put(head, 0, node | 2); // xa_mk_node
        mock.MapVirtual(xarray + Off("xarray", "xa_head"), head);
        var n = new byte[Size("xa_node")];
        n[Off("xa_node", "shift")] = 0;
        Put(n, Off("xa_node", "slots") + 3 * 8, 0xffff_8880_0050_0000);
        Put(n, Off("xa_node", "slots") + 10 * 8, 0xffff_8880_0050_0200);
        mock.MapVirtual(node, n);
        Assert.Equal(0xffff_8880_0050_0000UL, XArray.Load(mock, Layouts, xarray, 3));
        Assert.Equal(0xffff_8880_0050_0200UL, XArray.Load(mock, Layouts, xarray, 10));
        Assert.Equal(0UL, XArray.Load(mock, Layouts, xarray, 4));
        Assert.Equal(0UL, XArray.Load(mock, Layouts, xarray, 1000)); // beyond what one level covers
    }

    [FixtureFact]
    public void ALoopingIrqActionChainStops()
    {
        const ulong desc = 0xffff_8880_0060_0000, action = 0xffff_8880_0061_0000, name = 0xffff_8880_0062_0000;
        var mock = new MockTarget();
        var d = new byte[Size("irq_desc")];
        Put(d, Off("irq_desc", "action"), action);
        mock.MapVirtual(desc, d);
        var a = new byte[Size("irqaction")];
        Put(a, Off("irqaction", "next"), action);
        Put(a, Off("irqaction", "name"), name);
        mock.MapVirtual(action, a);
        mock.MapVirtual(name, "virtio0\0"u8);
        var actions = IrqDescriptors.ReadActions(mock, Layouts, desc, out var problem);
        Assert.Equal([new IrqAction(action, "virtio0")], actions);
        Assert.Equal($"irqaction chain loops at {action:x}", problem);
    }
}
