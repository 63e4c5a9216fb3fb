using System.Collections.Concurrent;
using KdumpDebug.Dap.Protocol;
using KdumpDebug.Kernel;

namespace KdumpDebug.Dap.Session;

// stackTrace label frames and the symbol name list for completions.
public sealed partial class DapSession
{
    private static StackFrame LabelFrame(OpenDump dump, KernelTask task, int presentedIndex, string label) => new()
    {
        // Label frames are keyed by negative indexes, apart from the unwinder's frames.
        Id = dump.Frames.IdOf((task.Address, -1 - presentedIndex)),
        Name = label,
        Line = 0,
        Column = 0,
        PresentationHint = StackFramePresentationHint.Label,
    };

    private sealed partial class OpenDump
    {
        private readonly ConcurrentDictionary<ulong, IReadOnlyList<PresentedFrame>> _presented = new();
        private Lazy<IReadOnlyList<CpuStackRange>>? _cpuStacks;
        private Lazy<string[]>? _symbolNames;

        /// <summary>The task's frames as stackTrace lists them: the logical frames with stack-switch labels between them.</summary>
        public IReadOnlyList<PresentedFrame> PresentedFrames(KernelTask task) =>
            _presented.GetOrAdd(task.Address, _ =>
            {
                var stacks = LazyInitializer.EnsureInitialized(ref _cpuStacks, () => new(() => CpuStacks.All(Target))).Value;
                return StackLabels.Insert(Backtrace(task).Frames, sp => stacks.FirstOrDefault(s => s.Contains(sp))?.Name);
            });

        /// <summary>Kernel and module symbol names starting with <paramref name="prefix"/>, sorted, at most <paramref name="max"/>.</summary>
        public IEnumerable<string> SymbolNamesStartingWith(string prefix, int max)
        {
            var names = LazyInitializer.EnsureInitialized(ref _symbolNames, () => new(() =>
                Target.SymbolsByAddress.Concat(Target.ModuleSymbolsByAddress).Select(s => s.Name)
                    .Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray())).Value;
            var lo = Array.BinarySearch(names, prefix, StringComparer.Ordinal);
            if (lo < 0) lo = ~lo;
            for (var i = lo; i < names.Length && max > 0 && names[i].StartsWith(prefix, StringComparison.Ordinal); i++, max--)
                yield return names[i];
        }
    }
}
