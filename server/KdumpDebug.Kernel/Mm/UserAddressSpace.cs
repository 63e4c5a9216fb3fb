using KdumpDebug.Core.Errors;
using KdumpDebug.Dump;
using KdumpDebug.Target;
using KdumpDebug.Target.Arch.X86_64;

namespace KdumpDebug.Kernel.Mm;

/// <summary>
/// A process's user address space on x86-64: the page tables rooted at <c>mm-&gt;pgd</c> (a
/// direct-map address, translated to physical once), walked with the kernel's paging depth (4
/// or 5 levels). <see cref="Translate"/> reports a page as mapped (and whether the dump kept
/// it), swapped out (x86-64 swap entry decoding, arch/x86/include/asm/pgtable_64.h), not mapped,
/// or unreadable when a page-table page is missing from the dump. Cost: one walk (4-5 cached
/// 8-byte reads) per page; thread-safe.
/// </summary>
public sealed class UserAddressSpace
{
    // arch/x86/include/asm/pgtable_64.h: SWP_TYPE_BITS 5, SWP_OFFSET_FIRST_BIT _PAGE_BIT_PROTNONE+1 = 9.
    const int SwpTypeBits = 5;
    const int SwpOffsetShift = 9 + SwpTypeBits;
    const ulong Present = 1;
    const int PageShift = 12;

    readonly PageTableWalker _walker;
    readonly IPhysicalMemory _memory;

    UserAddressSpace(PageTableWalker walker, IPhysicalMemory memory, ulong pgd)
    {
        _walker = walker;
        _memory = memory;
        Pgd = pgd;
    }

    /// <summary><c>mm-&gt;pgd</c> (kernel virtual address).</summary>
    public ulong Pgd { get; }

    /// <summary>The address space of <paramref name="mm"/>; throws when <c>mm-&gt;pgd</c> cannot be read or translated.</summary>
    public static UserAddressSpace ForMm(KernelTarget target, ulong mm)
    {
        var pgd = KernelMemory.ReadU64(target, mm + KernelMemory.Offset(target, "mm_struct", "pgd"));
        if (!target.TryTranslate(pgd, out var pgdPhysical))
            throw new KdumpDebugException($"mm {mm:x}: its pgd {pgd:x} is not mapped");
        var walker = new PageTableWalker(target.Dump.Memory, pgdPhysical, target.AddressSpace.PagingLevels);
        return new UserAddressSpace(walker, target.Dump.Memory, pgd);
    }

    /// <summary>
    /// The swap type and offset a non-present PTE holds: __pte_to_swp_entry is the PTE value;
    /// __swp_type/__swp_offset decode it (the offset is stored inverted).
    /// </summary>
    public static (ulong Type, ulong Offset) SwapEntry(ulong pte) => (pte >> (64 - SwpTypeBits), (~pte << SwpTypeBits) >> SwpOffsetShift);

    /// <summary>The entries a walk of <paramref name="virtualAddress"/> reads, top level first (<see cref="PageTableWalker.Walk"/>).</summary>
    public IReadOnlyList<PageTableStep> Walk(ulong virtualAddress) => _walker.Walk(virtualAddress);

    /// <summary>What the page tables say about the page holding <paramref name="virtualAddress"/>.</summary>
    public UserPage Translate(ulong virtualAddress)
    {
        try
        {
            if (_walker.TryTranslate(virtualAddress, out var physical, out _))
            {
                var excluded = _memory.GetPageStatus(physical >> PageShift) != PageStatus.Present;
                return new UserPage(virtualAddress, UserPageKind.Mapped, physical, excluded);
            }
            var steps = _walker.Walk(virtualAddress);
            if (steps.Count == _walker.Levels && steps[^1].Entry != 0 && (steps[^1].Entry & Present) == 0)
            {
                var (type, offset) = SwapEntry(steps[^1].Entry);
                return new UserPage(virtualAddress, UserPageKind.Swapped, SwapType: type, SwapOffset: offset);
            }
            return new UserPage(virtualAddress, UserPageKind.NotMapped);
        }
        catch (KdumpDebugException e)
        {
            return new UserPage(virtualAddress, UserPageKind.Unreadable, Error: $"page table: {e.Message}");
        }
    }
}
