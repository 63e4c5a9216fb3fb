using KdumpDebug.Core.Errors;
using KdumpDebug.Kernel.Mm;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel.Irq;

/// <summary>One <c>struct irqaction</c> of an IRQ: its address and <c>name</c> (empty when NULL).</summary>
public readonly record struct IrqAction(ulong Address, string Name);

/// <summary>
/// One IRQ number: its <c>struct irq_desc</c> (0 when none is allocated), the <c>desc-&gt;action</c>
/// chain, and a problem line when the chain could not be read to its end.
/// </summary>
public sealed record IrqDescriptor(int Irq, ulong Address, IReadOnlyList<IrqAction> Actions, string? Problem);

/// <summary>
/// <c>irq_to_desc()</c> (kernel/irq/irqdesc.c) for every IRQ below <c>nr_irqs</c>. Which store the
/// kernel keeps descriptors in is found from its symbols, newest first: the maple tree
/// <c>sparse_irqs</c> (v6.5, commit 721255b9826b "genirq: Use a maple tree for interrupt descriptor
/// management"), the radix tree/xarray <c>irq_desc_tree</c> (CONFIG_SPARSE_IRQ before that), or the
/// static array <c>irq_desc[NR_IRQS]</c> (!CONFIG_SPARSE_IRQ). Actions follow <c>irqaction.next</c>.
/// Cost: one lookup per IRQ (a few reads) and one read per action and name.
/// </summary>
public sealed class IrqDescriptors
{
    /// <summary>More actions sharing one IRQ than this means a corrupt chain.</summary>
    const int MaxActions = 1024;

    readonly KernelTarget _target;
    readonly Func<int, ulong> _lookup;

    IrqDescriptors(KernelTarget target, int nrIrqs, Func<int, ulong> lookup)
    {
        _target = target;
        NrIrqs = nrIrqs;
        _lookup = lookup;
    }

    /// <summary><c>nr_irqs</c>: how many IRQ numbers the kernel allocated room for.</summary>
    public int NrIrqs { get; }

    /// <summary>Finds the kernel's descriptor store; throws a one-line KdumpDebugException when it has none this code knows.</summary>
    public static IrqDescriptors Open(KernelTarget target)
    {
        var descSize = KernelMemory.SizeOf(target, "irq_desc");
        var nr = target.Objects.TryVariable("nr_irqs", out var nrIrqs) ? (int)Math.Min(nrIrqs.ReadUnsigned(), 1 << 20) : 0;
        if (target.TryLookupSymbol("sparse_irqs", out var maple))
        {
            var problems = new List<string>();
            var entries = MapleTree.ForEach(target, maple.Address, "sparse_irqs", problems);
            var byIrq = new Dictionary<int, ulong>();
            foreach (var e in entries)
                for (var i = e.First; i <= e.Last && i < (ulong)Math.Max(nr, 1); i++)
                    byIrq[(int)i] = e.Value;
            return new IrqDescriptors(target, nr, irq => byIrq.GetValueOrDefault(irq));
        }
        if (target.TryLookupSymbol("irq_desc_tree", out var tree))
            return new IrqDescriptors(target, nr, irq => XArray.Load(target, tree.Address, (ulong)irq));
        if (target.Objects.TryVariable("irq_desc", out var array) && array.Address is { } arrayAddress)
        {
            var count = (int)(array.Size / descSize);
            if (nr == 0) nr = count;
            return new IrqDescriptors(target, Math.Min(nr, count), irq => arrayAddress + (ulong)irq * descSize);
        }
        throw new KdumpDebugException("no IRQ descriptors: the kernel has neither sparse_irqs, irq_desc_tree nor irq_desc");
    }

    /// <summary>IRQ <paramref name="irq"/>'s descriptor and actions. Unreadable memory gives a descriptor with its Problem set.</summary>
    public IrqDescriptor Read(int irq)
    {
        ulong desc;
        try
        {
            desc = _lookup(irq);
        }
        catch (KdumpDebugException e)
        {
            return new IrqDescriptor(irq, 0, [], $"cannot look up irq_desc: {e.Message}");
        }
        if (desc == 0) return new IrqDescriptor(irq, 0, [], null);
        var actions = ReadActions(_target, _target.TypeLayouts, desc, out var problem);
        return new IrqDescriptor(irq, desc, actions, problem);
    }

    /// <summary>
    /// The <c>desc-&gt;action</c> chain of the <c>irq_desc</c> at <paramref name="desc"/> over any memory
    /// and layouts: the actions read, and a problem line when the chain loops or cannot be read.
    /// </summary>
    public static List<IrqAction> ReadActions(IKernelTarget target, ITypeLayouts layouts, ulong desc, out string? problem)
    {
        var actions = new List<IrqAction>();
        problem = null;
        try
        {
            var action = KernelMemory.ReadU64(target, desc + KernelMemory.Offset(layouts, "irq_desc", "action"));
            var nextOffset = KernelMemory.Offset(layouts, "irqaction", "next");
            var nameOffset = KernelMemory.Offset(layouts, "irqaction", "name");
            var seen = new HashSet<ulong>();
            while (action != 0)
            {
                if (!seen.Add(action) || seen.Count > MaxActions)
                {
                    problem = $"irqaction chain loops at {action:x}";
                    break;
                }
                var namePointer = KernelMemory.ReadU64(target, action + nameOffset);
                actions.Add(new IrqAction(action, namePointer == 0 ? "" : KernelMemory.ReadCString(target, namePointer, 256)));
                action = KernelMemory.ReadU64(target, action + nextOffset);
            }
        }
        catch (KdumpDebugException e)
        {
            problem = e.Message;
        }
        return actions;
    }

    /// <summary>
    /// The CPUs in the descriptor's affinity mask (<c>irq_common_data.affinity</c>, a
    /// <c>cpumask_var_t</c>: an embedded one-element array, or a pointer with CONFIG_CPUMASK_OFFSTACK).
    /// </summary>
    public IReadOnlyList<int> Affinity(ulong desc)
    {
        var mask = _target.Objects.At("irq_desc", desc).Member("irq_common_data").Member("affinity");
        var address = mask.UnderlyingType.Kind == Debuginfo.Types.CTypeKind.Pointer ? mask.ReadUnsigned() : mask.Address!.Value;
        var cpus = PerCpu.NrCpuIds(_target);
        var words = KernelMemory.ReadBytes(_target, address, (cpus + 63) / 64 * 8);
        var result = new List<int>();
        for (var cpu = 0; cpu < cpus; cpu++)
            if ((words[cpu / 8] & (1 << (cpu % 8))) != 0) result.Add(cpu);
        return result;
    }
}
