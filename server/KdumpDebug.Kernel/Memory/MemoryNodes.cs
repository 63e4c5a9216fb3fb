using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel.Memory;

/// <summary>One memory node: its id, its <c>struct pglist_data</c> and the frames it spans.</summary>
public sealed record MemoryNode(int Id, ulong Pgdat, ulong StartPfn, ulong SpannedPages);

/// <summary>
/// The kernel's memory nodes, as crash's node_table holds them: with CONFIG_NUMA every non-NULL
/// <c>node_data[]</c> entry (arch/x86/mm/numa.c), else <c>contig_page_data</c>. Used for crash's
/// page_to_nid (which node's span holds a frame). Read once per target; thread-safe.
/// </summary>
public sealed class MemoryNodes
{
    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<KernelTarget, MemoryNodes> Instances = new();

    MemoryNodes(KernelTarget target)
    {
        var nodes = new List<MemoryNode>();
        var layouts = target.TypeLayouts;
        var start = KernelMemory.Offset(layouts, "pglist_data", "node_start_pfn");
        var spanned = KernelMemory.Offset(layouts, "pglist_data", "node_spanned_pages");
        var id = KernelMemory.Offset(layouts, "pglist_data", "node_id");
        MemoryNode Read(ulong pgdat) =>
            new((int)KernelMemory.ReadU32(target, pgdat + id), pgdat, KernelMemory.ReadU64(target, pgdat + start), KernelMemory.ReadU64(target, pgdat + spanned));
        if (target.Objects.TryVariable("node_data", out var nodeData) && nodeData.Address is ulong array && nodeData.Type.StripTypedefs().Count is ulong count)
        {
            for (ulong i = 0; i < Math.Min(count, 1024); i++)
            {
                var pgdat = KernelMemory.ReadU64(target, array + i * 8);
                if (pgdat != 0) nodes.Add(Read(pgdat));
            }
        }
        else if (KernelMemory.SymbolAddress(target, "contig_page_data") is ulong contig) nodes.Add(Read(contig));
        if (nodes.Count == 0) throw new KdumpDebugException("no memory node found (node_data / contig_page_data)");
        Nodes = nodes;
    }

    /// <summary>The nodes of <paramref name="target"/>; throws one line when none can be read.</summary>
    public static MemoryNodes For(KernelTarget target) => Instances.GetValue(target, t => new MemoryNodes(t));

    public IReadOnlyList<MemoryNode> Nodes { get; }

    /// <summary>crash's page_to_nid for the frame holding <paramref name="physical"/>: the node whose span holds it, or -1.</summary>
    public int NodeOf(ulong physical)
    {
        var pfn = physical >> 12;
        foreach (var node in Nodes)
            if (pfn >= node.StartPfn && pfn - node.StartPfn < node.SpannedPages) return node.Id;
        return -1;
    }
}
