using KdumpDebug.TestSupport;

namespace KdumpDebug.Lsp.Tests;

/// <summary>
/// One language server configured with the sysrq fixture dump and its vmlinux (the way the
/// extension passes kdumpDebug.vmcore/vmlinux as initializationOptions), shared by the tests of
/// a class: opening the kernel takes seconds. Unused (and not started) when fixtures are absent.
/// </summary>
public sealed class KernelFixture : IAsyncLifetime
{
    private LspTestClient? _client;

    /// <summary>The local Linux 6.1 tree used as kernelSource, when installed.</summary>
    public static string KernelSource => "/usr/src/linux-source-6.1";

    public LspTestClient Client => _client ?? throw new InvalidOperationException("fixtures absent");

    public async Task InitializeAsync()
    {
        if (!Fixtures.Available) return;
        // Share the unpacked vmlinux and its DWARF index with the other test projects.
        Environment.SetEnvironmentVariable("KDUMPDEBUG_CACHE", Path.Combine(Fixtures.CacheDirectory, "vmlinux-cache"));
        _client = await LspTestClient.StartAsync(new
        {
            kdumpDebug = new
            {
                vmcore = Fixtures.Path("sysrq/vmcore.kdump-zlib"),
                vmlinux = Fixtures.Path("kernel/vmlinux.xz"),
                kernelSource = KernelSource,
            },
        });
    }

    public async Task DisposeAsync()
    {
        if (_client is not null) await _client.DisposeAsync();
    }
}
