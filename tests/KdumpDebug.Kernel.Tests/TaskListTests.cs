using KdumpDebug.TestSupport;

namespace KdumpDebug.Kernel.Tests;

/// <summary>The task list against drgn's tasks.json (crash 8.0.2 finds only 4 tasks on these kernels).</summary>
public class TaskListTests
{
    [FixtureTheory]
    [InlineData("sysrq")]
    [InlineData("oops-module")]
    [InlineData("sysrq-la57")]
    public void EveryTaskDrgnListsIsFoundWithTheSamePidStateCpuAndComm(string scenario)
    {
        var kernel = FixtureKernels.Kernel(scenario);
        var ours = kernel.Tasks.Tasks;
        Assert.Empty(kernel.Tasks.Problems);
        var drgn = FixtureKernels.DrgnTasks(scenario);
        // drgn's for_each_task has no idle tasks; ours adds one per CPU (pid 0, swapper/N).
        Assert.Equal(drgn.Count + 2, ours.Count);
        Assert.Equal(["swapper/0", "swapper/1"], ours.Where(t => t.IsIdle).Select(t => t.Comm));
        foreach (var d in drgn)
        {
            var t = kernel.Tasks.FindByAddress(d.Address);
            Assert.NotNull(t);
            Assert.Equal((d.Pid, d.Tgid, d.Ppid, d.State, d.Cpu, d.Comm), (t.Pid, t.Tgid, t.Ppid, TaskState.TaskStateToChar(t.StateBits), t.Cpu, t.Comm));
        }
    }

    [FixtureTheory]
    [InlineData("sysrq")]
    [InlineData("sysrq-qemu")]
    [InlineData("oops-module")]
    [InlineData("sysrq-la57")]
    public void ThePanicTaskIsTheOneFactsJsonNames(string scenario)
    {
        var facts = FixtureKernels.Facts(scenario);
        var panic = FixtureKernels.Kernel(scenario).Panic;
        Assert.NotNull(panic);
        Assert.Equal(facts.GetProperty("panic_pid").GetInt32(), panic.Pid);
        Assert.Equal(Convert.ToUInt64(facts.GetProperty("panic_task").GetString()!, 16), panic.TaskAddress);
        Assert.Equal(facts.GetProperty("panic_cpu").GetInt32(), panic.Cpu);
    }

    [FixtureFact]
    public void TheQemuDumpHasTheWholeWorkload()
    {
        // drgn cannot open it; the console's FIXTURE-MARKER line names the workload pids.
        var kernel = FixtureKernels.Kernel("sysrq-qemu");
        Assert.Empty(kernel.Tasks.Problems);
        var facts = FixtureKernels.Facts("sysrq-qemu");
        foreach (var pid in facts.GetProperty("workload_pids").EnumerateObject())
            Assert.Contains(kernel.Tasks.Tasks, t => t.Pid == pid.Value.GetInt32());
    }

    [Fact]
    public void StateLettersFollowCrash()
    {
        Assert.Equal("RU", TaskState.TaskStateToString(0));
        Assert.Equal("IN", TaskState.TaskStateToString(TaskState.TaskInterruptible));
        Assert.Equal("UN", TaskState.TaskStateToString(TaskState.TaskUninterruptible));
        Assert.Equal("ID", TaskState.TaskStateToString(TaskState.TaskUninterruptible | TaskState.TaskNoload));
        Assert.Equal("ZO", TaskState.TaskStateToString(TaskState.TaskDead | TaskState.ExitZombie));
        Assert.Equal("DE", TaskState.TaskStateToString(TaskState.TaskDead | TaskState.ExitDead));
        Assert.Equal("ST", TaskState.TaskStateToString(TaskState.TaskStopped));
        Assert.Equal("TR", TaskState.TaskStateToString(TaskState.TaskTraced));
        Assert.Equal('I', TaskState.TaskStateToChar(TaskState.TaskUninterruptible | TaskState.TaskNoload));
        Assert.Equal('D', TaskState.TaskStateToChar(TaskState.TaskFrozen)); // as procfs and drgn report a frozen task
        Assert.Equal("??", TaskState.TaskStateToString(0x10000));
    }
}

/// <summary>Stacks of tasks that cannot be read end with one line; the panic task's starts where kdump stopped it.</summary>
public class TaskStackTests
{
    [FixtureFact]
    public void ACorruptTaskAddressGivesOneLineAndNoFrames()
    {
        var kernel = FixtureKernels.Kernel("sysrq");
        var bogus = kernel.Tasks.Tasks[5] with { Address = 0xffffc900dead0000, IsRunningOnCpu = false };
        var bt = TaskStack.Unwind(kernel, bogus);
        Assert.Empty(bt.Frames);
        Assert.StartsWith("cannot unwind: ", bt.StopReason);
        Assert.DoesNotContain('\n', bt.StopReason!);
    }

    [FixtureTheory]
    [InlineData("sysrq")]
    [InlineData("oops-module")]
    public void ThePanicTaskStartsAtMachineKexec(string scenario)
    {
        var kernel = FixtureKernels.Kernel(scenario);
        var task = kernel.Tasks.FindByAddress(kernel.Panic!.TaskAddress)!;
        var bt = TaskStack.Unwind(kernel, task);
        Assert.Equal("machine_kexec", bt.Frames[0].Symbol?.Name);
        Assert.True(bt.Frames[^1].IsUserMode);
    }

    [FixtureFact]
    public void SleepingTasksStartInSchedule()
    {
        var kernel = FixtureKernels.Kernel("sysrq");
        foreach (var task in kernel.Tasks.Tasks.Where(t => !t.IsRunningOnCpu && t.State != "ZO"))
        {
            var bt = TaskStack.Unwind(kernel, task);
            Assert.Null(bt.StopReason);
            Assert.Equal("__schedule", bt.Frames[0].Symbol?.Name);
        }
    }
}

/// <summary>The log buffer and the sys facts against the fixtures' own records.</summary>
public class PrintkAndSystemInfoTests
{
    [FixtureTheory]
    [InlineData("sysrq")]
    [InlineData("sysrq-qemu")]
    [InlineData("oops-module")]
    [InlineData("sysrq-la57")]
    public void RecordsAreInSequenceAndHoldTheMarkers(string scenario)
    {
        var kernel = FixtureKernels.Kernel(scenario);
        var records = kernel.LogRecords;
        Assert.Empty(kernel.LogProblems);
        Assert.StartsWith("Linux version 6.1.192-fixture", records[0].Text);
        Assert.True(records.Zip(records.Skip(1)).All(p => p.Second.Sequence == p.First.Sequence + 1));
        Assert.Contains(records, r => r.Text.StartsWith($"FIXTURE-MARKER first-kernel scenario={scenario}", StringComparison.Ordinal));
        Assert.Equal(5, records[0].Level); // KERN_NOTICE: init/main.c start_kernel pr_notice("%s", linux_banner)
    }

    [FixtureTheory]
    [InlineData("sysrq", "Kernel panic - not syncing: sysrq triggered crash")]
    [InlineData("oops-module", "Oops: 0002 [#1] SMP NOPTI")]
    public void ThePanicMessageIsTheOneCrashFinds(string scenario, string message)
    {
        Assert.Equal(message, SystemInfo.PanicMessage(FixtureKernels.Kernel(scenario).LogRecords));
    }

    [FixtureFact]
    public void UptimeUsesTheKernelsTickRate()
    {
        var target = FixtureKernels.Open("sysrq");
        Assert.Equal(250, SystemInfo.Hz(target)); // CONFIG_HZ=250 in kernel/config
        Assert.Equal("00:00:03", SystemInfo.FormatUptime(SystemInfo.Uptime(target)));
        Assert.Equal("2 days, 03:04:05", SystemInfo.FormatUptime(new TimeSpan(2, 3, 4, 5)));
    }
}
