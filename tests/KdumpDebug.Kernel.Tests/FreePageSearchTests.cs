using KdumpDebug.Kernel.Memory;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Kernel.Tests;

/// <summary>The free buddy block holding a frame (crash's kmem ADDRESS free-list check).</summary>
public sealed class FreePageSearchTests
{
    /// <summary>
    /// crash 8.0.2's `kmem -F` on sysrq lists an order-10 block headed by struct page
    /// ffffd46e004e0000 (pfn 0x13800) on free_area[10].free_list[1] at ffffffff828bede0.
    /// </summary>
    [FixtureFact]
    public void AFrameInsideAnOrder10BlockIsFound()
    {
        var target = FixtureKernels.Open("sysrq");
        var problems = new List<string>();
        var block = FreePageSearch.Find(target, 0x1380a123, problems);
        Assert.Empty(problems);
        Assert.NotNull(block);
        Assert.Equal(10, block.Order);
        Assert.Equal(0xffffd46e004e0000UL, block.Page);
        Assert.Equal(0x13800000UL, block.Physical);
        Assert.Equal(0xffffffff828bede0UL, block.FreeList);
        Assert.Equal("DMA32", block.Zone.Name);
        // The panic task's frame is allocated: no block holds it.
        Assert.Null(FreePageSearch.Find(target, 0xa9a880, problems));
    }
}
