using KdumpDebug.TestSupport;

namespace KdumpDebug.Lsp.Tests;

/// <summary>A vmlinux without a dump, given later through workspace/didChangeConfiguration: types and declarations, no values.</summary>
public class VmlinuxOnlyTests
{
    [FixtureFact]
    public async Task SettingsChangedLaterOpenTheVmlinuxForHovers()
    {
        Environment.SetEnvironmentVariable("KDUMPDEBUG_CACHE", Path.Combine(Fixtures.CacheDirectory, "vmlinux-cache"));
        await using var client = await LspTestClient.StartAsync();
        const string uri = "file:///src/only.c";
        await client.OpenAsync(uri, "c", "unsigned long f(void) { return jiffies; }\n");
        Assert.Null(await client.HoverAsync(uri, 0, 33)); // nothing configured yet

        await client.NotifyAsync("workspace/didChangeConfiguration", new { settings = new { kdumpDebug = new { vmlinux = Fixtures.Path("kernel/vmlinux.xz") } } });
        var hover = await client.HoverAsync(uri, 0, 33);
        Assert.NotNull(hover);
        // The link-time address (no dump: no KASLR offset), System.map's.
        var link = File.ReadLines(Fixtures.Path("kernel/System.map")).Select(l => l.Split(' ')).First(f => f.Length == 3 && f[2] == "jiffies")[0];
        Assert.Equal($"```c\nvolatile unsigned long jiffies;\n```\n\nsize 8 (0x8) bytes, at {link}", hover);
    }
}
