using System.Buffers.Binary;
using KdumpDebug.Core.Errors;
using KdumpDebug.Dump;
using KdumpDebug.Target.Arch.X86_64;

namespace KdumpDebug.Target.Tests;

/// <summary>Page-table walks over page tables built in code: 4 KiB, 2 MiB, 1 GiB pages, 4 and 5 levels.</summary>
public class PageTableWalkerTests
{
    /// <summary>Physical memory as a sparse set of 4 KiB pages.</summary>
    sealed class SparseMemory : IPhysicalMemory
    {
        readonly Dictionary<ulong, byte[]> _pages = new();
        public int PageSize => 4096;
        public ulong MaxPfn => 1UL << 30;
        public void Read(ulong address, Span<byte> buffer)
        {
            for (var i = 0; i < buffer.Length; i++)
            {
                var a = address + (ulong)i;
                if (!_pages.TryGetValue(a >> 12, out var page)) throw new FaultException(a, AddressSpaceKind.Physical);
                buffer[i] = page[a & 0xfff];
            }
        }
        public PageStatus GetPageStatus(ulong pfn) => _pages.ContainsKey(pfn) ? PageStatus.Present : PageStatus.NotInDump;
        public IEnumerable<ulong> EnumeratePresentPfns() => _pages.Keys.Order();
        public void WriteEntry(ulong table, ulong index, ulong value)
        {
            if (!_pages.TryGetValue(table >> 12, out var page)) _pages[table >> 12] = page = new byte[4096];
            BinaryPrimitives.WriteUInt64LittleEndian(page.AsSpan((int)(index * 8)), value);
        }
        public void AddPage(ulong pa) => _pages.TryAdd(pa >> 12, new byte[4096]);
    }

    const ulong P = 1, PS = 1 << 7;

    static ulong Index(ulong va, int level) => (va >> (12 + 9 * (level - 1))) & 0x1ff;

    [Fact]
    public void Four_level_walk_maps_4k_2m_and_1g_pages()
    {
        var m = new SparseMemory();
        ulong pgd = 0x1000, pud = 0x2000, pmd = 0x3000, pte = 0x4000;
        var va4k = 0xffff888000201234UL;
        m.WriteEntry(pgd, Index(va4k, 4), pud | P);
        m.WriteEntry(pud, Index(va4k, 3), pmd | P);
        m.WriteEntry(pmd, Index(va4k, 2), pte | P);
        m.WriteEntry(pte, Index(va4k, 1), 0x7777000UL | P | (1UL << 63)); // NX bit must be masked off
        var walker = new PageTableWalker(m, pgd, 4);
        Assert.True(walker.TryTranslate(va4k, out var pa, out var size));
        Assert.Equal(0x7777234UL, pa);
        Assert.Equal(4096UL, size);

        var va2m = va4k + 0x200000; // next PMD slot: a 2 MiB page
        m.WriteEntry(pmd, Index(va2m, 2), 0x40000000UL | P | PS);
        Assert.True(walker.TryTranslate(va2m + 0x12345, out pa, out size));
        Assert.Equal(0x40000000UL + ((va2m + 0x12345) & 0x1fffff), pa);
        Assert.Equal(2UL << 20, size);

        var va1g = va4k + (1UL << 30); // next PUD slot: a 1 GiB page
        m.WriteEntry(pud, Index(va1g, 3), 0x80000000UL | P | PS);
        Assert.True(walker.TryTranslate(va1g, out pa, out size));
        Assert.Equal(0x80000000UL + (va1g & 0x3fffffff), pa);
        Assert.Equal(1UL << 30, size);

        Assert.False(walker.TryTranslate(va4k + 0x1000, out _, out _)); // PTE not present
        Assert.False(walker.TryTranslate(0x0000900000000000UL, out _, out _)); // non-canonical
        Assert.Equal(["PGD", "PUD", "PMD", "PTE"], walker.Walk(va4k).Select(s => s.Level));
    }

    [Fact]
    public void Five_level_walk_uses_the_p4d_level()
    {
        var m = new SparseMemory();
        ulong pgd = 0x1000, p4d = 0x2000, pud = 0x3000, pmd = 0x4000, pte = 0x5000;
        var va = 0xff48447c00a76540UL;
        m.WriteEntry(pgd, Index(va, 5), p4d | P);
        m.WriteEntry(p4d, Index(va, 4), pud | P);
        m.WriteEntry(pud, Index(va, 3), pmd | P);
        m.WriteEntry(pmd, Index(va, 2), pte | P);
        m.WriteEntry(pte, Index(va, 1), 0xa76000UL | P);
        var walker = new PageTableWalker(m, pgd, 5);
        Assert.True(walker.IsCanonical(va));
        Assert.False(new PageTableWalker(m, pgd, 4).IsCanonical(va)); // not canonical with 48 bits
        Assert.True(walker.TryTranslate(va, out var pa, out _));
        Assert.Equal(0xa76540UL, pa);
        Assert.Equal(["PGD", "P4D", "PUD", "PMD", "PTE"], walker.Walk(va).Select(s => s.Level));
    }

    [Fact]
    public void Kernel_image_addresses_translate_with_phys_base_and_others_fault()
    {
        var m = new SparseMemory();
        var physBase = 0x3c00000UL;
        var rootVa = 0xffffffff8280a000UL;
        var rootPa = rootVa - KernelAddressSpace.StartKernelMap + physBase;
        m.AddPage(rootPa);
        var space = new KernelAddressSpace(m, physBase, 1UL << 30, rootVa, 4);
        Assert.Equal(rootPa, space.Walker.RootPhysicalAddress);
        Assert.True(space.TryTranslate(0xffffffff81e00010UL, out var pa));
        Assert.Equal(0x1e00010UL + physBase, pa);
        var e = Assert.Throws<FaultException>(() => space.Read(0xffff888000000000UL, new byte[4]));
        Assert.Equal(AddressSpaceKind.Virtual, e.Space);
    }
}
