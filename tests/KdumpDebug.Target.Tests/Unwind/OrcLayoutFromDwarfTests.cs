using KdumpDebug.Debuginfo.Orc;
using KdumpDebug.Target.Unwind;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Target.Tests.Unwind;

/// <summary>The ORC entry layout comes from the vmlinux's own DWARF (struct orc_entry), not from a version check.</summary>
public class OrcLayoutFromDwarfTests
{
    [FixtureFact]
    public void The_6_1_fixture_kernel_describes_the_v4_14_to_v6_2_layout()
    {
        using var target = FixtureTargets.Open("sysrq/vmcore.kdump-zlib");
        var layout = KernelUnwinder.OrcLayoutFromDwarf(target.Vmlinux.Types);
        Assert.NotNull(layout);
        var v1 = OrcEntryLayout.V1;
        // Same field positions and type numbering as the known 6.1 layout (the name differs).
        Assert.Equal(v1 with { Name = layout!.Name }, layout);
        // And every entry of the vmlinux's table decodes under it.
        var unwinder = new KernelUnwinder(target);
        Assert.Empty(unwinder.Problems);
    }
}
