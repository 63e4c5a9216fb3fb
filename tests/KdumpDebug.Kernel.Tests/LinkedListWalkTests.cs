using KdumpDebug.Core.Errors;

namespace KdumpDebug.Kernel.Tests;

/// <summary>crash's list walker on lists built in memory: each kind, the end conditions, and bad lists (loop, hole, runaway).</summary>
public class LinkedListWalkTests
{
    // address -> 8-byte value, as the dump would hold them; a missing key is an unreadable address.
    static Func<ulong, ulong> Memory(Dictionary<ulong, ulong> words) =>
        a => words.TryGetValue(a, out var n) ? n : throw new FaultException(a, AddressSpaceKind.Virtual);

    [Fact]
    public void ASinglyLinkedListEndsAtNullAndFollowsTheNextOffset()
    {
        var walk = LinkedListWalk.Walk(Memory(new() { [0x1008] = 0x2000, [0x2008] = 0x3000, [0x3008] = 0 }), LinkedListKind.NextPointer, 0x1000, 8, 0, false, 100);
        Assert.Equal([0x1000UL, 0x2000UL, 0x3000UL], walk.Entries);
        Assert.Null(walk.Problem);
    }

    [Fact]
    public void ASinglyLinkedListEndsAtTheStartOrTheEndValue()
    {
        var ring = Memory(new() { [0x1000] = 0x2000, [0x2000] = 0x3000, [0x3000] = 0x1000 });
        Assert.Equal([0x1000UL, 0x2000UL, 0x3000UL], LinkedListWalk.Walk(ring, LinkedListKind.NextPointer, 0x1000, 0, 0, false, 100).Entries);
        Assert.Equal([0x1000UL, 0x2000UL], LinkedListWalk.Walk(ring, LinkedListKind.NextPointer, 0x1000, 0, 0x3000, false, 100).Entries);
    }

    [Fact]
    public void ASinglyLinkedLoopStopsWithOneLine()
    {
        var walk = LinkedListWalk.Walk(Memory(new() { [0x1000] = 0x2000, [0x2000] = 0x3000, [0x3000] = 0x2000 }), LinkedListKind.NextPointer, 0x1000, 0, 0, false, 100);
        Assert.Equal([0x1000UL, 0x2000UL, 0x3000UL], walk.Entries);
        Assert.Equal("the list loops back to 2000 after 3 entries; stopped there", walk.Problem);
    }

    [Fact]
    public void AnUnreadableFirstEntryShowsNothingButLaterOnesAreShownBeforeTheError()
    {
        var first = LinkedListWalk.Walk(Memory(new()), LinkedListKind.NextPointer, 0x1000, 0, 0, false, 100);
        Assert.Empty(first.Entries);
        Assert.Equal("cannot read the next pointer of 1000: invalid kernel virtual address: 1000", first.Problem);
        var later = LinkedListWalk.Walk(Memory(new() { [0x1000] = 0x2000 }), LinkedListKind.NextPointer, 0x1000, 0, 0, false, 100);
        Assert.Equal([0x1000UL, 0x2000UL], later.Entries);
        Assert.StartsWith("cannot read the next pointer of 2000: ", later.Problem);
    }

    [Fact]
    public void ARunawayListStopsAtTheLimit()
    {
        var words = new Dictionary<ulong, ulong>();
        for (ulong i = 1; i <= 50; i++) words[i * 0x100] = (i + 1) * 0x100;
        var walk = LinkedListWalk.Walk(Memory(words), LinkedListKind.NextPointer, 0x100, 0, 0, false, 10);
        Assert.Equal(10, walk.Entries.Count);
        Assert.Equal("more than 10 entries; stopped there", walk.Problem);
    }

    // A list_head ring: head at 0x100 (next, prev), entries' list_heads at 0x210 and 0x310 (offset 0x10).
    static readonly Dictionary<ulong, ulong> Ring = new()
    {
        [0x100] = 0x210, [0x108] = 0x310,
        [0x210] = 0x310, [0x218] = 0x100,
        [0x310] = 0x100, [0x318] = 0x210,
    };

    [Fact]
    public void AStandaloneHeadIsNotAnEntryAndPrevWalksBackwards()
    {
        Assert.Equal([0x200UL, 0x300UL], LinkedListWalk.Walk(Memory(Ring), LinkedListKind.StandaloneHead, 0x100, 0x10, 0, false, 100).Entries);
        Assert.Equal([0x300UL, 0x200UL], LinkedListWalk.Walk(Memory(Ring), LinkedListKind.StandaloneHead, 0x100, 0x10, 0, true, 100).Entries);
        Assert.Empty(LinkedListWalk.Walk(Memory(new() { [0x100] = 0x100 }), LinkedListKind.StandaloneHead, 0x100, 0x10, 0, false, 100).Entries);
    }

    [Fact]
    public void AnEmbeddedHeadStartsWithTheStartStructure()
    {
        // The structure at 0x200 is a member of the ring: -h 0x200 lists it, then 0x300 and the head's container 0xf0.
        var walk = LinkedListWalk.Walk(Memory(Ring), LinkedListKind.EmbeddedHead, 0x200, 0x10, 0, false, 100);
        Assert.Equal([0x200UL, 0x300UL, 0xf0UL], walk.Entries);
        Assert.Null(walk.Problem);
    }

    [Fact]
    public void ALoopInAListHeadRingStopsWithOneLine()
    {
        var walk = LinkedListWalk.Walk(Memory(new() { [0x100] = 0x210, [0x210] = 0x310, [0x310] = 0x210 }), LinkedListKind.StandaloneHead, 0x100, 0x10, 0, false, 100);
        Assert.Equal([0x200UL, 0x300UL], walk.Entries);
        Assert.Equal("the list loops back to 210 after 2 entries; stopped there", walk.Problem);
    }
}
