using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel.Memory;

/// <summary>One <c>struct page</c> as crash's <c>kmem -p</c> shows it.</summary>
/// <param name="Address">The struct page's kernel virtual address (in the vmemmap).</param>
/// <param name="Physical">The physical address of the page frame it describes.</param>
/// <param name="Flags"><c>page-&gt;flags</c>, whole (node, zone and section bits included, as crash prints it).</param>
/// <param name="Mapping"><c>page-&gt;mapping</c>.</param>
/// <param name="Index"><c>page-&gt;index</c>.</param>
/// <param name="RefCount"><c>page-&gt;_refcount</c>.</param>
public sealed record PageDescriptor(ulong Address, ulong Physical, ulong Flags, ulong Mapping, ulong Index, int RefCount);

/// <summary>
/// The kernel's memory map on x86-64 (SPARSEMEM_VMEMMAP): <c>pfn_to_page(pfn)</c> is
/// <c>vmemmap + pfn</c>, vmemmap being <c>vmemmap_base</c> (randomized with RANDOMIZE_MEMORY, since
/// v4.8) or VMEMMAP_START (arch/x86/include/asm/pgtable_64_types.h) when the kernel has no such
/// variable. Member offsets of <c>struct page</c> come from DWARF (the anonymous unions of v4.18+
/// included). One instance per target (<see cref="For"/>); thread-safe.
/// </summary>
public sealed class PageMap
{
    // VMEMMAP_START with 4- and 5-level paging (Documentation/x86/x86_64/mm.rst), for kernels without vmemmap_base.
    const ulong VmemmapStart4 = 0xffff_ea00_0000_0000UL;
    const ulong VmemmapStart5 = 0xffd4_0000_0000_0000UL;
    const int PageShift = 12;
    // __PAGE_OFFSET_BASE_L4 / _L5 (arch/x86/include/asm/page_64_types.h), for kernels without page_offset_base.
    const ulong PageOffset4 = 0xffff_8880_0000_0000UL;
    const ulong PageOffset5 = 0xff11_0000_0000_0000UL;

    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<KernelTarget, PageMap> Instances = new();

    readonly KernelTarget _target;
    readonly ulong _flags, _mapping, _index, _refcount;

    PageMap(KernelTarget target)
    {
        _target = target;
        var layouts = target.TypeLayouts;
        PageStructSize = KernelMemory.SizeOf(layouts, "page");
        if (PageStructSize == 0) throw new KdumpDebugException("struct page has size 0 in the debug info");
        _flags = KernelMemory.Offset(layouts, "page", "flags");
        _mapping = KernelMemory.Offset(layouts, "page", "mapping");
        _index = KernelMemory.Offset(layouts, "page", "index");
        // Since v4.6 (commit 0139aa7b7fa1 "mm: rename _count, field of the struct page, to _refcount").
        _refcount = KernelMemory.TryOffset(target, "page", "_refcount", out var rc) ? rc : KernelMemory.Offset(layouts, "page", "_count");
        Vmemmap = KernelMemory.SymbolAddress(target, "vmemmap_base") is ulong variable
            ? KernelMemory.ReadU64(target, variable)
            : target.AddressSpace.PagingLevels >= 5 ? VmemmapStart5 : VmemmapStart4;
        DirectMapBase = KernelMemory.SymbolAddress(target, "page_offset_base") is ulong pageOffset
            ? KernelMemory.ReadU64(target, pageOffset)
            : target.AddressSpace.PagingLevels >= 5 ? PageOffset5 : PageOffset4;
        _slabBit = KernelMemory.Enumerator(target, "PG_slab") is long bit and >= 0 and < 64 ? 1UL << (int)bit : 0;
        _compoundHead = KernelMemory.TryOffset(target, "page", "compound_head", out var ch) ? ch : null;
    }

    readonly ulong _slabBit;
    readonly ulong? _compoundHead;

    /// <summary>
    /// <c>__va(0)</c>: where the direct map starts, <c>page_offset_base</c> (randomized with
    /// RANDOMIZE_MEMORY since v4.8), else __PAGE_OFFSET_BASE for the paging depth.
    /// </summary>
    public ulong DirectMapBase { get; }

    /// <summary><c>1 &lt;&lt; PG_slab</c> (enum pageflags), 0 when the kernel has no such flag.</summary>
    public ulong SlabFlag => _slabBit;

    /// <summary>
    /// <c>compound_head(page)</c>: the head page of the compound page <paramref name="page"/> belongs
    /// to (<c>page-&gt;compound_head</c> with bit 0 set marks a tail, since v4.6), else the page itself.
    /// </summary>
    public ulong CompoundHead(ulong page)
    {
        if (_compoundHead is not ulong offset) return page;
        var head = KernelMemory.ReadU64(_target, page + offset);
        return (head & 1) != 0 ? head - 1 : page;
    }

    /// <summary><c>page-&gt;flags</c> of the struct page at <paramref name="page"/>.</summary>
    public ulong FlagsAt(ulong page) => KernelMemory.ReadU64(_target, page + _flags);

    /// <summary>The map of <paramref name="target"/>; throws a one-line error when the debug info has no struct page.</summary>
    public static PageMap For(KernelTarget target) => Instances.GetValue(target, t => new PageMap(t));

    /// <summary>The target whose memory map this is.</summary>
    public KernelTarget Target => _target;

    /// <summary>
    /// The end of the memory the page map covers: <c>max_pfn</c> pages (crash's VTOP(high_memory)
    /// on x86-64, where all RAM is low memory); null when the kernel has no readable max_pfn.
    /// </summary>
    public static ulong? MaxPhysical(KernelTarget target) =>
        KernelMemory.SymbolAddress(target, "max_pfn") is ulong maxPfn ? KernelMemory.ReadU64(target, maxPfn) << PageShift : null;

    /// <summary>Where <c>struct page</c> of pfn 0 is.</summary>
    public ulong Vmemmap { get; }

    /// <summary><c>sizeof(struct page)</c>.</summary>
    public ulong PageStructSize { get; }

    /// <summary><c>pfn_to_page</c> of the frame holding <paramref name="physical"/>.</summary>
    public ulong PageAddress(ulong physical) => Vmemmap + (physical >> PageShift) * PageStructSize;

    /// <summary>
    /// True when <paramref name="address"/> is the start of a <c>struct page</c> of the map
    /// (crash's is_page_ptr), with the physical address of its frame.
    /// </summary>
    public bool TryPhysicalOf(ulong address, out ulong physical)
    {
        physical = 0;
        if (address < Vmemmap) return false;
        var offset = address - Vmemmap;
        if (offset % PageStructSize != 0) return false;
        var pfn = offset / PageStructSize;
        // Above 2^52 bytes of physical memory (MAX_PHYSMEM_BITS with 5 levels) it cannot be a page.
        if (pfn >= 1UL << (52 - PageShift)) return false;
        physical = pfn << PageShift;
        return true;
    }

    /// <summary>Reads the <c>struct page</c> of the frame holding <paramref name="physical"/>; throws when it is not in the dump.</summary>
    public PageDescriptor Read(ulong physical)
    {
        var frame = physical & ~((1UL << PageShift) - 1);
        var address = PageAddress(frame);
        var bytes = KernelMemory.ReadBytes(_target, address, (int)PageStructSize);
        ulong U64(ulong offset) => BitConverter.ToUInt64(bytes, (int)offset);
        return new PageDescriptor(address, frame, U64(_flags), U64(_mapping), U64(_index), BitConverter.ToInt32(bytes, (int)_refcount));
    }
}
