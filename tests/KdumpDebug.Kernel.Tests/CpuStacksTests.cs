using KdumpDebug.TestSupport;

namespace KdumpDebug.Kernel.Tests;

/// <summary>The per-CPU IRQ and exception stacks read from the sysrq dump (2 CPUs, no KASAN).</summary>
public sealed class CpuStacksTests
{
    [FixtureFact]
    public void Each_cpu_has_an_irq_stack_and_the_ist_exception_stacks()
    {
        var target = FixtureKernels.Open("sysrq");
        var stacks = CpuStacks.All(target);
        foreach (var cpu in new[] { 0, 1 })
        {
            var mine = stacks.Where(s => s.Cpu == cpu).ToDictionary(s => s.Name);
            // IRQ_STACK_SIZE is 16 KiB and EXCEPTION_STKSZ 8 KiB without KASAN (arch/x86/include/asm/page_64_types.h).
            Assert.Equal(16384UL, mine["IRQ"].End - mine["IRQ"].Start);
            foreach (var name in new[] { "DF", "NMI", "DB", "MCE" })
                Assert.Equal(8192UL, mine[name].End - mine[name].Start);
            var top = PerCpu.PerCpuVariable(target, "hardirq_stack_ptr", cpu).ReadUnsigned();
            Assert.Equal(top + 8, mine["IRQ"].End);
            Assert.True(mine["NMI"].Contains(mine["NMI"].Start) && !mine["NMI"].Contains(mine["NMI"].End));
        }
        // The stacks of different CPUs do not overlap.
        var ordered = stacks.OrderBy(s => s.Start).ToList();
        for (var i = 1; i < ordered.Count; i++) Assert.True(ordered[i - 1].End <= ordered[i].Start, $"{ordered[i - 1]} overlaps {ordered[i]}");
    }
}
