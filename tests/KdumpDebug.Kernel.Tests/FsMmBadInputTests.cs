using System.Buffers.Binary;
using KdumpDebug.Kernel.Fs;
using KdumpDebug.Kernel.Mm;
using KdumpDebug.Target;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Kernel.Tests;

/// <summary>
/// Maple trees and fd tables built in mock memory with the fixture vmlinux's real struct layouts:
/// decoding by node type, and the bad inputs (a node in an excluded page, a node reached twice, an
/// fd array slot in an excluded page) giving one problem line while the rest is still read.
/// Also real-dump file pointers that point nowhere.
/// </summary>
public class FsMmBadInputTests
{
    const ulong Tree = 0xffff_8880_0010_0000;
    const ulong NodeA = 0xffff_8880_0020_0000;
    const ulong NodeB = 0xffff_8880_0030_0000;
    const ulong NodeC = 0xffff_8880_0040_0000;
    const ulong Vma1 = 0xffff_8880_0050_0100;
    const ulong Vma2 = 0xffff_8880_0050_0200;
    const int MapleLeaf64 = 1, MapleArange64 = 3;

    static ITypeLayouts Layouts => FixtureKernels.Open("sysrq").TypeLayouts;

    static ulong Off(string type, string member) =>
        Layouts.TryGetMemberOffset(type, member, out var offset) ? offset : throw new InvalidOperationException(member);

    /// <summary>mt_mk_node(): node | type &lt;&lt; 3 | MAPLE_ENODE_NULL (4).</summary>
    static ulong Encode(ulong node, int type) => node | ((ulong)type << 3) | 4;

    static byte[] Node(string type, ulong[] pivots, ulong[] slots, byte end)
    {
        var bytes = new byte[256];
        for (var i = 0; i < pivots.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan((int)Off(type, "pivot") + i * 8), pivots[i]);
        for (var i = 0; i < slots.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan((int)Off(type, "slot") + i * 8), slots[i]);
        bytes[Off(type, "meta")] = end;
        return bytes;
    }

    /// <summary>An arange_64 root over two leaves: [0x1000,0x1fff] -> Vma1 and [0x5000,0x5fff] -> Vma2; A's second child is <paramref name="secondChild"/>.</summary>
    static MockTarget BuildTree(ulong? secondChild = null)
    {
        var mock = new MockTarget();
        var root = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(root, NodeA | ((ulong)MapleArange64 << 3) | 2); // mte_mk_root: xa_mk_node
        mock.MapVirtual(Tree + Off("maple_tree", "ma_root"), root);
        mock.MapVirtual(NodeA, Node("maple_arange_64", [0x4fff], [Encode(NodeB, MapleLeaf64), secondChild ?? Encode(NodeC, MapleLeaf64)], 1));
        mock.MapVirtual(NodeB, Node("maple_range_64", [0xfff, 0x1fff, 0x4fff], [0, Vma1, 0], 2));
        mock.MapVirtual(NodeC, Node("maple_range_64", [0x5fff, ulong.MaxValue], [Vma2, 0], 1));
        return mock;
    }

    [FixtureFact]
    public void MapleTreeEntriesAreDecodedByNodeType()
    {
        var problems = new List<string>();
        var entries = MapleTree.ForEach(BuildTree(), Layouts, Tree, "test tree", problems);
        Assert.Empty(problems);
        Assert.Equal([new MapleEntry(0x1000, 0x1fff, Vma1), new MapleEntry(0x5000, 0x5fff, Vma2)], entries);
    }

    [FixtureFact]
    public void AMapleNodeInAnExcludedPageIsOneProblemAndTheRestIsRead()
    {
        var mock = BuildTree().ExcludeVirtualPage(NodeC, pfn: 0x1234);
        var problems = new List<string>();
        var entries = MapleTree.ForEach(mock, Layouts, Tree, "test tree", problems);
        Assert.Equal([new MapleEntry(0x1000, 0x1fff, Vma1)], entries);
        var problem = Assert.Single(problems);
        Assert.StartsWith($"test tree: cannot read node {NodeC:x} (indices 5000-ffffffffffffffff): page excluded", problem);
    }

    [FixtureFact]
    public void ALoopingMapleTreeStops()
    {
        var problems = new List<string>();
        var entries = MapleTree.ForEach(BuildTree(secondChild: Encode(NodeA, MapleArange64)), Layouts, Tree, "test tree", problems);
        Assert.Equal([new MapleEntry(0x1000, 0x1fff, Vma1)], entries);
        Assert.Equal($"test tree: node {NodeA:x} is reached twice (a loop); subtree skipped", Assert.Single(problems));
    }

    [FixtureFact]
    public void AnUnreadableFdSlotIsOneEntryAndTheOthersFollow()
    {
        const ulong files = 0xffff_8880_0060_0000, fdt = 0xffff_8880_0061_0000, bitmap = 0xffff_8880_0062_0000;
        const ulong fdArray = 0xffff_8880_0063_1000 - 5 * 8; // slots 0-4 on one page, 5 and up on the next
        var mock = new MockTarget();
        var word = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(word, fdt);
        mock.MapVirtual(files + Off("files_struct", "fdt"), word);
        var table = new byte[64];
        BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan((int)Off("fdtable", "max_fds")), 64);
        BinaryPrimitives.WriteUInt64LittleEndian(table.AsSpan((int)Off("fdtable", "fd")), fdArray);
        BinaryPrimitives.WriteUInt64LittleEndian(table.AsSpan((int)Off("fdtable", "open_fds")), bitmap);
        mock.MapVirtual(fdt, table);
        BinaryPrimitives.WriteUInt64LittleEndian(word, 0b10_0011); // fds 0, 1 and 5
        mock.MapVirtual(bitmap, word);
        var slots = new byte[64 * 8];
        BinaryPrimitives.WriteUInt64LittleEndian(slots.AsSpan(0), 0xffff_8880_0070_0000);
        BinaryPrimitives.WriteUInt64LittleEndian(slots.AsSpan(8), 0xffff_8880_0070_0100);
        mock.MapVirtual(fdArray, slots);
        mock.ExcludeVirtualPage(fdArray + 5 * 8, pfn: 0x4321);

        var fds = FdTable.ForEachOpenFd(mock, Layouts, files);
        Assert.Equal(3, fds.Count);
        Assert.Equal((0, 0xffff_8880_0070_0000UL, (string?)null), fds[0]);
        Assert.Equal((1, 0xffff_8880_0070_0100UL, (string?)null), fds[1]);
        Assert.Equal(5, fds[2].Fd);
        Assert.StartsWith($"cannot read fd array slot {fdArray + 40:x}: page excluded", fds[2].Error);
    }

    [FixtureFact]
    public void AFilePointerIntoAnExcludedOrUnmappedPageIsOneLine()
    {
        var target = FixtureKernels.Open("sysrq");
        var memory = target.Dump.Memory;
        ulong pfn = 0;
        while (memory.GetPageStatus(pfn) != Dump.PageStatus.Excluded) pfn++;
        var pageOffset = target.Objects.Variable("page_offset_base").ReadUnsigned();
        var excluded = OpenFiles.Describe(target, 3, pageOffset + pfn * 4096);
        Assert.StartsWith("page excluded: virtual address", excluded.Error);
        Assert.DoesNotContain('\n', excluded.Error!);
        var unmapped = OpenFiles.Describe(target, 4, 0xdead_0000_0000_0000);
        Assert.NotNull(unmapped.Error);
        Assert.DoesNotContain('\n', unmapped.Error!);
        Assert.Equal((4, 0xdead_0000_0000_0000UL), (unmapped.Fd, unmapped.File));
    }
}
