using KdumpDebug.Core.Errors;

namespace KdumpDebug.Kernel.Tests;

/// <summary>The list walk on small lists built in memory: a good ring, a loop, a hole, a runaway list.</summary>
public class ListHeadTests
{
    // node -> next, as the dump would hold them; a missing key is an unreadable address.
    static Func<ulong, ulong> Memory(Dictionary<ulong, ulong> next) =>
        a => next.TryGetValue(a, out var n) ? n : throw new FaultException(a, AddressSpaceKind.Virtual);

    [Fact]
    public void AGoodRingGivesEveryEntryByContainerOf()
    {
        var entries = ListHead.ListForEachEntry(Memory(new() { [0x100] = 0x210, [0x210] = 0x310, [0x310] = 0x100 }), 0x100, 0x10, 100, "test", out var problem);
        Assert.Null(problem);
        Assert.Equal([0x200UL, 0x300UL], entries);
    }

    [Fact]
    public void ALoopThatMissesTheHeadStopsWithOneLine()
    {
        var entries = ListHead.ListForEachEntry(Memory(new() { [0x100] = 0x210, [0x210] = 0x310, [0x310] = 0x210 }), 0x100, 0x10, 100, "init_task.tasks", out var problem);
        Assert.Equal([0x200UL, 0x300UL], entries);
        Assert.Equal("init_task.tasks: the list loops back to 210 after 2 entries; stopped there", problem);
    }

    [Fact]
    public void AnUnreadableNextPointerEndsTheListAndSaysWhere()
    {
        var entries = ListHead.ListForEachEntry(Memory(new() { [0x100] = 0x210, [0x210] = 0xdead0 }), 0x100, 0x10, 100, "init_task.tasks", out var problem);
        Assert.Equal([0x200UL, 0xdeac0UL], entries);
        Assert.Equal("init_task.tasks: cannot read the next pointer at dead0: invalid kernel virtual address: dead0", problem);
        Assert.DoesNotContain('\n', problem!);
    }

    [Fact]
    public void ARunawayListIsBounded()
    {
        // Every node points to a new one: no loop, no head, no end.
        var entries = ListHead.ListForEachEntry(a => a + 0x40, 0x1000, 0, 1000, "test", out var problem);
        Assert.Equal(1000, entries.Count);
        Assert.Equal("test: more than 1000 entries; stopped there", problem);
    }
}
