namespace KdumpDebug.Lsp.Tests;

/// <summary>crashkernel= in GRUB configuration files.</summary>
public class GrubTests
{
    [Fact]
    public async Task TheSampleDefaultGrubFlagsOnlyTheLiveAutoValue()
    {
        await using var client = await LspTestClient.StartAsync();
        var diagnostics = await client.OpenAsync(Samples.Uri("default/grub"), "plaintext", Samples.Text("default/grub"));
        // Line 7 holds crashkernel=auto in a comment: not flagged. Line 8 is live.
        Assert.Equal(
            ["8:28-44 warning crashkernel=auto was removed (RHEL 9; it was never in the upstream kernel): no memory is reserved and kdump cannot start. Give a size, e.g. 1G-4G:192M,4G-64G:256M,64G-:512M, or run `kdumpctl reset-crashkernel`"],
            LspTestClient.Describe(diagnostics));
    }

    [Fact]
    public async Task HoverExplainsARangeReservation()
    {
        await using var client = await LspTestClient.StartAsync();
        var uri = Samples.Uri("default/grub");
        await client.OpenAsync(uri, "grub", Samples.Text("default/grub"));
        var hover = await client.HoverAsync(uri, 5, 30);
        Assert.Equal("""
            `crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M`: memory reserved at boot for the kdump (capture) kernel, chosen by the size of system RAM:

            | System RAM | Reserved |
            | --- | --- |
            | 1 GiB – below 4 GiB | 192 MiB |
            | 4 GiB – below 64 GiB | 256 MiB |
            | 64 GiB – and more | 512 MiB |

            With less RAM than the first range, nothing is reserved.
            """.ReplaceLineEndings("\n"), hover);
    }

    [Theory]
    [InlineData("linux /vmlinuz root=/dev/sda1 crashkernel=256M quiet", null)]
    [InlineData("linux /vmlinuz crashkernel=256M@16M", null)]
    [InlineData("linux /vmlinuz crashkernel=512M,high crashkernel=72M,low", null)]
    [InlineData("linux /vmlinuz crashkernel=256", "0:15-30 warning size 256 has no unit: 256 bytes are reserved (write 256M for MiB)")]
    [InlineData("linux /vmlinuz crashkernel=4G-1G:192M", "0:15-37 error crashkernel=4G-1G:192M: the range 4G-1G ends before it starts")]
    [InlineData("linux /vmlinuz crashkernel=1G-4G:192M,2G-:256M", "0:15-46 warning the range 2G- overlaps the one before it (the kernel takes the first range that holds the RAM size)")]
    [InlineData("linux /vmlinuz crashkernel=lots", "0:15-31 error crashkernel=lots: cannot read the size 'lots' (e.g. 256M, or ranges such as 1G-4G:192M,4G-:256M)")]
    [InlineData("linux /vmlinuz crashkernel=256M,high@16M", "0:15-40 error crashkernel=256M,high@16M: cannot read the size '256M,high' (e.g. 256M, or ranges such as 1G-4G:192M,4G-:256M)")]
    [InlineData("linux /vmlinuz crashkernel=128M crashkernel=256M", "0:32-48 warning crashkernel= is given twice on this command line: the kernel uses the last one")]
    [InlineData("linux /vmlinuz nocrashkernel=256", null)]
    public async Task GrubCfgLines(string line, string? expected)
    {
        await using var client = await LspTestClient.StartAsync();
        var diagnostics = LspTestClient.Describe(await client.OpenAsync("file:///boot/grub2/grub.cfg", "plaintext", line));
        if (expected is null) Assert.Empty(diagnostics);
        else Assert.Equal([expected], diagnostics);
    }

    [Fact]
    public async Task CompletionAfterTheKeyOffersTypicalValues()
    {
        await using var client = await LspTestClient.StartAsync();
        await client.OpenAsync("file:///etc/default/grub", "grub", "GRUB_CMDLINE_LINUX=\"crashkernel=\"\nGRUB_CMDLINE_LINUX=\"crashk");
        Assert.Equal(["1G-4G:192M,4G-64G:256M,64G-:512M", "256M", "512M,high"], (await client.CompletionAsync("file:///etc/default/grub", 0, 32)).Select(i => i.Label));
        Assert.Equal(["crashkernel="], (await client.CompletionAsync("file:///etc/default/grub", 1, 26)).Select(i => i.Label));
    }
}
