using System.Buffers.Binary;
using KdumpDebug.Kernel.Mm;
using KdumpDebug.Target;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Kernel.Tests;

/// <summary>
/// The VMA sources of kernels before v6.1 (the fixture kernel has only the maple tree): layouts
/// of an older mm_struct / vm_area_struct given in code, memory from a MockTarget. The mmap list
/// through vm_next, the mm_rb tree through vm_rb, and their bad inputs (a loop, an excluded node).
/// </summary>
public class VmAreasFallbackTests
{
    /// <summary>Member offsets and sizes given by hand, as an older vmlinux's DWARF would give them.</summary>
    sealed class Layouts(Dictionary<(string, string), (ulong Offset, ulong Size)> members) : ITypeLayouts
    {
        public bool TryGetMemberOffset(string structName, string memberPath, out ulong offset)
        {
            var found = members.TryGetValue((structName, memberPath), out var m);
            offset = m.Offset;
            return found;
        }

        public bool TryGetMemberSize(string structName, string memberPath, out ulong size)
        {
            var found = members.TryGetValue((structName, memberPath), out var m);
            size = m.Size;
            return found;
        }

        public bool TryGetStructSize(string structName, out ulong size)
        {
            size = 0;
            return false;
        }
    }

    const ulong Mm = 0xffff_8880_0100_0000;
    static readonly ulong[] Vmas = [0xffff_8880_0110_0000, 0xffff_8880_0120_0000, 0xffff_8880_0130_0000];

    static Dictionary<(string, string), (ulong, ulong)> CommonMembers() => new()
    {
        [("mm_struct", "map_count")] = (8, 4),
        [("vm_area_struct", "vm_start")] = (0, 8),
        [("vm_area_struct", "vm_end")] = (8, 8),
        [("vm_area_struct", "vm_flags")] = (24, 8),
        [("vm_area_struct", "vm_pgoff")] = (32, 8),
        [("vm_area_struct", "vm_file")] = (40, 8),
    };

    static byte[] Words(params ulong[] words)
    {
        var bytes = new byte[Math.Max(words.Length * 8, 64)];
        for (var i = 0; i < words.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * 8), words[i]);
        return bytes;
    }

    /// <summary>vm_start, vm_end, vm_next (or 0), vm_flags, vm_pgoff, vm_file, then rb_node at 48: parent, right, left.</summary>
    static byte[] Vma(int i, ulong next, ulong right = 0, ulong left = 0) =>
        Words(0x400000 + (ulong)i * 0x10000, 0x401000 + (ulong)i * 0x10000, next, 0x71 + (ulong)i, 0, 0, 0, right, left);

    [Fact]
    public void TheMmapListIsFollowedAndALoopStopsIt()
    {
        var members = CommonMembers();
        members[("mm_struct", "mmap")] = (0, 8);
        members[("vm_area_struct", "vm_next")] = (16, 8);
        var mock = new MockTarget()
            .MapVirtual(Mm, Words(Vmas[0], 3))
            .MapVirtual(Vmas[0], Vma(0, Vmas[1]))
            .MapVirtual(Vmas[1], Vma(1, Vmas[2]))
            .MapVirtual(Vmas[2], Vma(2, Vmas[0])); // loops back to the first
        var problems = new List<string>();
        var vmas = VmAreas.Read(mock, new Layouts(members), Mm, problems);
        Assert.Equal([0x400000UL, 0x410000, 0x420000], vmas.Select(v => v.Start));
        Assert.Equal([0x71UL, 0x72, 0x73], vmas.Select(v => v.Flags));
        Assert.Equal($"mm {Mm:x} mmap list: loops back to vma {Vmas[0]:x}; stopped there", Assert.Single(problems));
    }

    [Fact]
    public void TheMmRbTreeIsWalkedInOrderAndAnExcludedNodeIsOneProblem()
    {
        var members = CommonMembers();
        members[("mm_struct", "mm_rb")] = (16, 8);
        members[("vm_area_struct", "vm_rb")] = (48, 24);
        members[("rb_node", "rb_right")] = (8, 8);
        members[("rb_node", "rb_left")] = (16, 8);
        var layouts = new Layouts(members);
        MockTarget Build() => new MockTarget()
            .MapVirtual(Mm, Words(0, 3, Vmas[1] + 48))
            .MapVirtual(Vmas[0], Vma(0, 0))
            .MapVirtual(Vmas[1], Vma(1, 0, right: Vmas[2] + 48, left: Vmas[0] + 48))
            .MapVirtual(Vmas[2], Vma(2, 0));

        var problems = new List<string>();
        Assert.Equal([0x400000UL, 0x410000, 0x420000], VmAreas.Read(Build(), layouts, Mm, problems).Select(v => v.Start));
        Assert.Empty(problems);

        problems.Clear();
        var vmas = VmAreas.Read(Build().ExcludeVirtualPage(Vmas[2], pfn: 0x777), layouts, Mm, problems);
        Assert.Equal([0x400000UL, 0x410000], vmas.Select(v => v.Start));
        Assert.Equal(2, problems.Count);
        Assert.StartsWith($"mm {Mm:x} mm_rb: cannot read node {Vmas[2] + 48:x}: page excluded", problems[0]);
        Assert.Equal($"mm {Mm:x}: 2 VMAs found, but map_count is 3", problems[1]);
    }
}
