using KdumpDebug.Target;
using KdumpDebug.Target.Objects;

namespace KdumpDebug.Kernel;

/// <summary>A task waiting on a run queue, with its priority (<c>task-&gt;prio</c>).</summary>
public readonly record struct QueuedTask(int Prio, ulong TaskAddress);

/// <summary>
/// One CPU's run queue (<c>per_cpu(runqueues, cpu)</c>, kernel/sched/sched.h struct rq): the
/// running task, the real-time priority array (<c>rq-&gt;rt.active</c>: one list per priority of
/// <c>sched_rt_entity.run_list</c>) and the CFS red-black tree (<c>rq-&gt;cfs.tasks_timeline</c> of
/// <c>sched_entity.run_node</c>), read in order. Walks are bounded; a broken link ends that walk
/// with one line in <see cref="Problems"/>. Group scheduling entities (<c>se-&gt;my_q</c>) are
/// entered recursively.
/// </summary>
public sealed class RunQueue
{
    const int MaxQueued = 1 << 16;

    public int Cpu { get; }
    public ulong Address { get; }
    public ulong Current { get; }
    public ulong RtArrayAddress { get; }
    public ulong CfsRootAddress { get; }
    public IReadOnlyList<QueuedTask> RtQueued { get; }
    public IReadOnlyList<QueuedTask> CfsQueued { get; }
    public IReadOnlyList<string> Problems { get; }

    RunQueue(int cpu, ulong address, ulong current, ulong rt, ulong cfs, IReadOnlyList<QueuedTask> rtQueued, IReadOnlyList<QueuedTask> cfsQueued, IReadOnlyList<string> problems)
    {
        (Cpu, Address, Current, RtArrayAddress, CfsRootAddress, RtQueued, CfsQueued, Problems) = (cpu, address, current, rt, cfs, rtQueued, cfsQueued, problems);
    }

    /// <summary>Reads CPU <paramref name="cpu"/>'s run queue.</summary>
    public static RunQueue Read(KernelTarget target, int cpu)
    {
        var rq = PerCpu.PerCpuVariable(target, "runqueues", cpu);
        var problems = new List<string>();
        var taskType = target.Objects.Type("struct task_struct").Unqualified();
        ulong Offset(string path) => KernelMemory.Offset(target, "task_struct", path);
        TargetObject Task(ulong address) => TargetObject.AtAddress(target, target.Objects.Types, taskType, address);
        ulong ReadPointer(ulong address) => KernelMemory.ReadU64(target, address);

        var rtActive = rq.Member("rt").Member("active");
        var rtQueued = new List<QueuedTask>();
        var queues = rtActive.Member("queue");
        var count = (long)(queues.UnderlyingType.Count ?? 0);
        var rtNode = Offset("rt.run_list");
        for (var prio = 0L; prio < count; prio++)
        {
            var head = queues.Index(prio).Address!.Value;
            var entries = ListHead.ListForEachEntry(ReadPointer, head, rtNode, MaxQueued, $"cpu {cpu} rt queue {prio}", out var problem);
            foreach (var task in entries) rtQueued.Add(new QueuedTask((int)Task(task).Member("prio").ReadSigned(), task));
            if (problem is not null) problems.Add(problem);
        }

        var cfsRoot = rq.Member("cfs").Member("tasks_timeline");
        var cfsQueued = new List<QueuedTask>();
        var runNode = Offset("se.run_node");
        var seOffset = Offset("se");
        var entityType = target.Objects.Type("struct sched_entity").Unqualified();
        var hasGroups = entityType.TryFindMember("my_q", out var myQ);
        var runNodeInEntity = runNode - seOffset;
        void Walk(ulong root, int depth)
        {
            // rb_root_cached starts with its rb_root, whose first member is the rb_node pointer.
            var nodes = RbTree.RbForEach(target, ReadPointer(root), MaxQueued, $"cpu {cpu} cfs tree", out var problem);
            if (problem is not null) problems.Add(problem);
            foreach (var n in nodes)
            {
                var entity = n - runNodeInEntity;
                if (hasGroups && depth < 8)
                {
                    var group = ReadPointer(entity + myQ.BitOffset / 8);
                    if (group != 0)
                    {
                        var timeline = target.Objects.At("struct cfs_rq", group).Member("tasks_timeline").Address!.Value;
                        Walk(timeline, depth + 1);
                        continue;
                    }
                }
                var task = entity - seOffset;
                cfsQueued.Add(new QueuedTask((int)Task(task).Member("prio").ReadSigned(), task));
            }
        }
        Walk(cfsRoot.Address!.Value, 0);
        return new RunQueue(cpu, rq.Address!.Value, rq.Member("curr").ReadUnsigned(), rtActive.Address!.Value, cfsRoot.Address!.Value, rtQueued, cfsQueued, problems);
    }
}
