using System.Text;
using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Types;
using KdumpDebug.Kernel;
using KdumpDebug.Target.Objects;

namespace KdumpDebug.Dap.Session;

/// <summary>
/// Kernel-aware presentations of common kernel types in the Variables pane (ARCHITECTURE.md "DAP
/// mapping"): a <c>list_head</c>/<c>hlist_head</c> shows its entries, an <c>rb_root</c> its nodes in
/// order, a <c>cpumask</c> its CPUs as a list, <c>atomic_t</c>/<c>atomic64_t</c>/<c>atomic_long_t</c>/
/// <c>refcount_t</c> their counter; each keeps a <c>[raw]</c> child with the plain members. Types are
/// recognised by their C names (struct tag or typedef), members looked up by name.
/// <para>
/// A list's entries are shown as their containing type when it can be inferred: a head embedded in a
/// struct whose entries are the same struct linked through the same member (<c>task_struct.tasks</c>,
/// <c>module.list</c>), or a known pairing such as <c>task_struct.children</c>, whose entries are
/// task_structs linked through <c>sibling</c> (<c>list_for_each_entry(p, &amp;task-&gt;children,
/// sibling)</c> in kernel/exit.c). Otherwise the entries are the raw <c>struct list_head *</c> nodes.
/// Walks stop after <see cref="EntryLimit"/> entries, at a loop or an unreadable node, and say so.
/// </para>
/// </summary>
internal static class KernelValueViews
{
    /// <summary>At most this many entries of a list or tree are listed.</summary>
    public const int EntryLimit = 10000;

    /// <summary>Heads whose entries are linked through another member: (container struct, head member) -> (entry struct, node member).</summary>
    static readonly Dictionary<(string, string), (string Struct, string Member)> KnownLists = new()
    {
        // kernel/fork.c: list_add_tail(&p->sibling, &p->real_parent->children).
        [("task_struct", "children")] = ("task_struct", "sibling"),
        // kernel/fork.c: list_add_tail_rcu(&p->thread_group, &p->group_leader->thread_group)
        // links every thread through the same member: the same-member rule covers it.
    };

    /// <summary>The kind of view a type gets, or null for none.</summary>
    public static string? ViewOf(CType type)
    {
        for (var t = type; t is not null; t = t.Kind is CTypeKind.Typedef or CTypeKind.Const or CTypeKind.Volatile ? t.Target : null)
        {
            if (t.Kind == CTypeKind.Typedef && t.Name is "atomic_t" or "atomic64_t" or "atomic_long_t" or "refcount_t" or "cpumask_t" or "cpumask_var_t")
                return t.Name switch { "refcount_t" => "refcount", "cpumask_t" or "cpumask_var_t" => "cpumask", _ => "atomic" };
            if (t.Kind is CTypeKind.Struct && t.Name is "list_head" or "hlist_head" or "rb_root" or "rb_root_cached" or "cpumask" or "refcount_struct")
                return t.Name switch { "refcount_struct" => "refcount", _ => t.Name };
        }
        return null;
    }

    /// <summary>The one-line value of a viewed type: "3 entries" needs a walk, so lists say only whether they are empty.</summary>
    public static string Summary(string view, TargetObject value)
    {
        switch (view)
        {
            case "atomic":
                return value.Member("counter").ReadSigned().ToString(System.Globalization.CultureInfo.InvariantCulture);
            case "refcount":
                return value.Member("refs").Member("counter").ReadSigned().ToString(System.Globalization.CultureInfo.InvariantCulture);
            case "cpumask":
                return "{" + CpuList(value) + "}";
            case "list_head":
            {
                var next = value.Member("next").ReadUnsigned();
                return value.Address is ulong a && next == a ? "empty list" : next == 0 ? "uninitialised list (next = NULL)" : "list {...}";
            }
            case "hlist_head":
                return value.Member("first").ReadUnsigned() == 0 ? "empty list" : "hlist {...}";
            case "rb_root":
                return value.Member("rb_node").ReadUnsigned() == 0 ? "empty tree" : "rb-tree {...}";
            case "rb_root_cached":
                return value.Member("rb_root").Member("rb_node").ReadUnsigned() == 0 ? "empty tree" : "rb-tree {...}";
            default:
                return "{...}";
        }
    }

    /// <summary>True when the view lists entries (the others show only the [raw] child).</summary>
    public static bool HasEntries(string view) => view is "list_head" or "hlist_head" or "rb_root" or "rb_root_cached";

    /// <summary>The set bits of a cpumask as a CPU list ("0-3,6"); reads its <c>bits</c> array.</summary>
    static string CpuList(TargetObject mask)
    {
        var obj = mask;
        if (obj.UnderlyingType.Kind == CTypeKind.Array) obj = obj.Index(0); // cpumask_var_t is struct cpumask[1]
        var bits = obj.Member("bits");
        var words = (int)Math.Min(bits.UnderlyingType.Count ?? 1, 1024);
        var set = new List<int>();
        for (var w = 0; w < words; w++)
        {
            var word = bits.Index(w).ReadUnsigned();
            for (var b = 0; b < 64 && word != 0; b++, word >>= 1)
                if ((word & 1) != 0) set.Add(w * 64 + b);
        }
        var sb = new StringBuilder();
        for (var i = 0; i < set.Count; i++)
        {
            var start = set[i];
            while (i + 1 < set.Count && set[i + 1] == set[i] + 1) i++;
            if (sb.Length > 0) sb.Append(',');
            sb.Append(start);
            if (set[i] != start) sb.Append('-').Append(set[i]);
        }
        return sb.ToString();
    }

    /// <summary>
    /// The entries of a list, hlist or rb-tree value as (name, value, evaluate name), and the one-line
    /// reason a walk stopped early (null when it completed).
    /// </summary>
    public static List<(string Name, TargetObject Value, string? EvaluateName)> Entries(string view, TargetObject value, CType? container, string? memberName, out string? problem)
    {
        var target = value.Target;
        var types = value.Types;
        ulong ReadPointer(ulong address)
        {
            Span<byte> b = stackalloc byte[8];
            target.ReadVirtual(address, b);
            return BitConverter.ToUInt64(b);
        }
        var result = new List<(string, TargetObject, string?)>();
        problem = null;
        switch (view)
        {
            case "list_head":
            {
                if (value.Address is not ulong head) return result;
                var listHead = value.UnderlyingType;
                var nextOffset = listHead.FindMember("next").BitOffset / 8;
                // The containing type, when it can be inferred; else the raw nodes.
                CType? entryType = null;
                ulong nodeOffset = 0;
                if (container is { Name: { } cname } && memberName is not null)
                {
                    var (entryStruct, entryMember) = KnownLists.TryGetValue((cname, memberName), out var known) ? known : (cname, memberName);
                    if (types.TryFindType("struct " + entryStruct, out var st) && st.TryFindMember(entryMember, out var m)
                        && m.Member.Type.Unqualified() is { Kind: CTypeKind.Struct, Name: "list_head" })
                    {
                        entryType = st;
                        nodeOffset = m.BitOffset / 8;
                    }
                }
                var addresses = ListHead.ListForEachEntry(n => ReadPointer(n + nextOffset), head, nodeOffset, EntryLimit, "list", out problem);
                var shownType = types.PointerTo(entryType ?? value.Type);
                var typeName = TypeSystem.NameOf(shownType);
                for (var i = 0; i < addresses.Count; i++)
                    result.Add(($"[{i}]", TargetObject.FromInteger(target, types, shownType, addresses[i]), $"(({typeName})0x{addresses[i]:x})"));
                return result;
            }
            case "hlist_head":
            {
                var node = value.Member("first").ReadUnsigned();
                var nodeType = value.Member("first").Type;
                var seen = new HashSet<ulong>();
                while (node != 0)
                {
                    if (!seen.Add(node)) { problem = $"hlist: loops back to {node:x} after {result.Count} entries; stopped there"; break; }
                    if (result.Count >= EntryLimit) { problem = $"hlist: more than {EntryLimit} entries; stopped there"; break; }
                    result.Add(($"[{result.Count}]", TargetObject.FromInteger(target, types, nodeType, node), null));
                    try { node = TargetObject.AtAddress(target, types, nodeType.Unqualified().Target!, node).Member("next").ReadUnsigned(); }
                    catch (KdumpDebugException e) { problem = $"hlist: cannot read the node at {node:x}: {e.Message}"; break; }
                }
                return result;
            }
            case "rb_root" or "rb_root_cached":
            {
                var root = view == "rb_root" ? value : value.Member("rb_root");
                var nodePointer = root.Member("rb_node");
                var nodeType = nodePointer.Type;
                var rbNode = nodeType.Unqualified().Target!;
                // In-order walk (rb_first / rb_next) with an explicit stack, bounded.
                var stack = new Stack<ulong>();
                var seen = new HashSet<ulong>();
                var current = nodePointer.ReadUnsigned();
                try
                {
                    while ((current != 0 || stack.Count > 0) && result.Count < EntryLimit)
                    {
                        while (current != 0)
                        {
                            if (!seen.Add(current)) throw new KdumpDebugException($"rb-tree: node {current:x} is reached twice; stopped there");
                            stack.Push(current);
                            current = TargetObject.AtAddress(target, types, rbNode, current).Member("rb_left").ReadUnsigned();
                        }
                        var n = stack.Pop();
                        result.Add(($"[{result.Count}]", TargetObject.FromInteger(target, types, nodeType, n), null));
                        current = TargetObject.AtAddress(target, types, rbNode, n).Member("rb_right").ReadUnsigned();
                    }
                    if (result.Count >= EntryLimit && (current != 0 || stack.Count > 0)) problem = $"rb-tree: more than {EntryLimit} nodes; stopped there";
                }
                catch (KdumpDebugException e)
                {
                    problem = e.Message;
                }
                return result;
            }
        }
        return result;
    }
}
