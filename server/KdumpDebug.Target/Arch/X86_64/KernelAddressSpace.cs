using KdumpDebug.Core.Errors;
using KdumpDebug.Dump;

namespace KdumpDebug.Target.Arch.X86_64;

/// <summary>
/// The crashed kernel's virtual address space on x86-64 (Documentation/x86/x86_64/mm.rst):
/// the kernel image mapping at __START_KERNEL_map (translated arithmetically with phys_base, as
/// the kernel's __phys_addr_symbol does), everything else (direct map, vmalloc, vmemmap, modules:
/// all randomized under RANDOMIZE_MEMORY) through the page tables rooted at init_top_pgt.
/// Translations of 4 KiB pages are cached in a small direct-mapped table (lock-free: entries are
/// immutable objects); thread-safe.
/// </summary>
public sealed class KernelAddressSpace
{
    /// <summary>__START_KERNEL_map: where the kernel image is mapped before the KASLR slide.</summary>
    public const ulong StartKernelMap = 0xffff_ffff_8000_0000UL;

    sealed record CachedTranslation(ulong VirtualPage, ulong PhysicalPage);

    const int CacheSize = 8192;
    readonly CachedTranslation?[] _cache = new CachedTranslation?[CacheSize];
    readonly IPhysicalMemory _memory;

    public KernelAddressSpace(IPhysicalMemory memory, ulong physBase, ulong kernelImageSize, ulong rootTableVirtualAddress, int levels)
    {
        _memory = memory;
        PhysBase = physBase;
        KernelImageSize = kernelImageSize;
        RootTableVirtualAddress = rootTableVirtualAddress;
        if (!TryTranslateKernelImage(rootTableVirtualAddress, out var rootPhys))
            throw new KdumpDebugException($"init_top_pgt at {rootTableVirtualAddress:x} is outside the kernel image mapping");
        Walker = new PageTableWalker(memory, rootPhys, levels);
    }

    /// <summary>phys_base: where the kernel image landed in physical memory, minus its link-time offset.</summary>
    public ulong PhysBase { get; }

    /// <summary>Size of the kernel image mapping (KERNEL_IMAGE_SIZE: 1 GiB with KASLR, else 512 MiB).</summary>
    public ulong KernelImageSize { get; }

    public PageTableWalker Walker { get; }

    /// <summary>The kernel's top page table (<c>init_top_pgt</c>) at its run-time address (crash's "PGD DIRECTORY").</summary>
    public ulong RootTableVirtualAddress { get; }

    /// <summary>4 or 5.</summary>
    public int PagingLevels => Walker.Levels;

    /// <summary>Translates through the image mapping, the cache, then the page tables.</summary>
    public bool TryTranslate(ulong va, out ulong physicalAddress)
    {
        if (TryTranslateKernelImage(va, out physicalAddress)) return true;
        var page = va & ~0xfffUL;
        var slot = (int)((page >> 12) & (CacheSize - 1));
        var cached = _cache[slot];
        if (cached is not null && cached.VirtualPage == page)
        {
            physicalAddress = cached.PhysicalPage | (va & 0xfff);
            return true;
        }
        if (!Walker.TryTranslate(va, out physicalAddress, out _)) return false;
        _cache[slot] = new CachedTranslation(page, physicalAddress & ~0xfffUL);
        return true;
    }

    /// <summary>
    /// Reads virtual memory page by page. A hole is a FaultException; an excluded page is a
    /// PageExcludedException carrying the virtual address that was being read.
    /// </summary>
    public void Read(ulong va, Span<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var inPage = (int)Math.Min((ulong)buffer.Length, 0x1000 - (va & 0xfff));
            if (!TryTranslate(va, out var pa))
                throw new FaultException(va, AddressSpaceKind.Virtual);
            try
            {
                _memory.Read(pa, buffer[..inPage]);
            }
            catch (PageExcludedException e) when (e.VirtualAddress is null)
            {
                throw e.WithVirtualAddress(va);
            }
            catch (FaultException e) when (e.Space == AddressSpaceKind.Physical)
            {
                throw new FaultException(va, AddressSpaceKind.Virtual, $"physical address {pa:x} not in dump");
            }
            buffer = buffer[inPage..];
            va += (ulong)inPage;
        }
    }

    /// <summary>The kernel image mapping: va - __START_KERNEL_map + phys_base (arch/x86/mm/physaddr.c).</summary>
    bool TryTranslateKernelImage(ulong va, out ulong physicalAddress)
    {
        if (va >= StartKernelMap && va - StartKernelMap < KernelImageSize)
        {
            physicalAddress = va - StartKernelMap + PhysBase;
            return true;
        }
        physicalAddress = 0;
        return false;
    }
}
