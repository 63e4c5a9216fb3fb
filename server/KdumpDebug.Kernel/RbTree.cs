using KdumpDebug.Core.Errors;
using KdumpDebug.Target;

namespace KdumpDebug.Kernel;

/// <summary>
/// In-order walk of a <c>struct rb_root</c> in dump memory (<c>rb_first</c>/<c>rb_next</c> of
/// lib/rbtree.c, done as an explicit-stack traversal of <c>rb_left</c>/<c>rb_right</c>): every
/// node address, smallest first. A node seen twice (a loop), more than <paramref name="limit"/>
/// nodes, or a child pointer that cannot be read end the walk with one line in
/// <paramref name="problem"/>; the nodes found so far are kept. Cost: two 8-byte reads per node.
/// </summary>
public static class RbTree
{
    public static List<ulong> RbForEach(KernelTarget target, ulong rootNode, int limit, string what, out string? problem) =>
        RbForEach(target, target.TypeLayouts, rootNode, limit, what, out problem);

    /// <summary>The walk over any memory, with the given type layouts.</summary>
    public static List<ulong> RbForEach(IKernelTarget target, ITypeLayouts layouts, ulong rootNode, int limit, string what, out string? problem)
    {
        problem = null;
        var result = new List<ulong>();
        if (rootNode == 0) return result;
        var left = KernelMemory.Offset(layouts, "rb_node", "rb_left");
        var right = KernelMemory.Offset(layouts, "rb_node", "rb_right");
        var seen = new HashSet<ulong>();
        var stack = new Stack<ulong>();
        var node = rootNode;
        try
        {
            while (node != 0 || stack.Count > 0)
            {
                while (node != 0)
                {
                    if (!seen.Add(node))
                    {
                        problem = $"{what}: the tree loops back to node {node:x}; stopped there";
                        return result;
                    }
                    if (seen.Count > limit)
                    {
                        problem = $"{what}: more than {limit} nodes; stopped there";
                        return result;
                    }
                    stack.Push(node);
                    node = KernelMemory.ReadU64(target, node + left);
                }
                node = stack.Pop();
                result.Add(node);
                node = KernelMemory.ReadU64(target, node + right);
            }
        }
        catch (KdumpDebugException e)
        {
            problem = $"{what}: cannot read node {node:x}: {e.Message}";
        }
        return result;
    }
}
