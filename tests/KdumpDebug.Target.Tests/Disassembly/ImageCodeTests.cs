using KdumpDebug.TestSupport;

namespace KdumpDebug.Target.Tests.Disassembly;

/// <summary>The vmlinux fallback for kernel code a dump lacks: the file's text at the run-time (KASLR) address, never data.</summary>
public sealed class ImageCodeTests
{
    [FixtureFact]
    public void Kernel_text_reads_from_the_vmlinux_at_the_relocated_address_and_data_is_refused()
    {
        using var target = FixtureTargets.Open("sysrq/vmcore.kdump-zlib");
        Assert.True(target.TryLookupSymbol("sysrq_handle_crash", out var function));
        var fromDump = new byte[12];
        target.ReadVirtual(function.Address, fromDump);
        var fromFile = new byte[12];
        Assert.True(target.TryReadImageCode(function.Address, fromFile));
        // mov $imm32,%rdi then call rel32 (crash's dis golden): the opcodes and the relative call
        // are the same; the absolute immediate is the link-time one, KASLR's boot-time relocation
        // is not in the file.
        Assert.Equal([0x48, 0xc7, 0xc7], fromFile[..3]);
        Assert.Equal(fromDump[7..], fromFile[7..]);
        var linkTime = (ulong)(long)BitConverter.ToInt32(fromFile, 3);
        var runTime = (ulong)(long)BitConverter.ToInt32(fromDump, 3);
        Assert.Equal(runTime, linkTime + target.KaslrOffset);

        Assert.True(target.TryLookupSymbol("jiffies", out var data));
        Assert.False(target.TryReadImageCode(data.Address, new byte[8]));
        Assert.False(target.TryReadImageCode(0xffffffffc0000000, new byte[8])); // module space
    }
}
