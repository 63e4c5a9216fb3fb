namespace KdumpDebug.Lsp.Tests;

/// <summary>crash scripts without a kernel: everything comes from the command table.</summary>
public class CrashScriptTests
{
    const string Uri = "file:///home/user/check.crash";

    [Fact]
    public async Task TheSampleScriptIsClean()
    {
        await using var client = await LspTestClient.StartAsync();
        Assert.Empty(LspTestClient.Describe(await client.OpenAsync(Samples.Uri("triage.crash"), "crash", Samples.Text("triage.crash"))));
    }

    [Fact]
    public async Task UnknownCommandsAndBadOptionsAreReported()
    {
        await using var client = await LspTestClient.StartAsync();
        var diagnostics = await client.OpenAsync(Uri, "crash", """
            bt -z
            frobnicate
            ps -k -x | grep sh
            rd -8 jiffies
            sym -q
            log "unterminated
            # a comment -z
            !ls -z
            """);
        Assert.Equal(
        [
            "0:3-5 error bt: invalid option -- 'z' (synopsis: bt [-a|-e|-f|-l] [pid | task])",
            "1:0-10 warning unknown command 'frobnicate' (crash also accepts a struct name or symbol here; configure kdumpDebug.vmlinux to check)",
            "2:6-8 error ps: invalid option -- 'x' (synopsis: ps [-k|-u|-G] [-p|-c|-t] [pid | task | command] ...)",
            "4:4-6 error sym: option requires an argument -- 'q' (synopsis: sym [-l] | [-q string] | [symbol | vaddr]...)",
            "5:0-17 error unbalanced quotation marks in command line",
        ], LspTestClient.Describe(diagnostics));
    }

    [Fact]
    public async Task CompletionOffersCommandsThenTheirOptions()
    {
        await using var client = await LspTestClient.StartAsync();
        await client.OpenAsync(Uri, "crash", "\nps -\nb");
        var commands = await client.CompletionAsync(Uri, 0, 0);
        Assert.Contains(("bt", "backtrace"), commands);
        Assert.Contains(commands, c => c.Label == "struct");
        Assert.Equal(["-k", "-u", "-G", "-p", "-c", "-t"], (await client.CompletionAsync(Uri, 1, 4)).Select(i => i.Label));
        Assert.Equal("restrict the output to kernel threads.", (await client.CompletionAsync(Uri, 1, 4))[0].Detail);
    }

    [Fact]
    public async Task HoverShowsTheCommandHelpAndOptionHelp()
    {
        await using var client = await LspTestClient.StartAsync();
        await client.OpenAsync(Uri, "crash", "bt -f\n");
        var help = await client.HoverAsync(Uri, 0, 1);
        Assert.StartsWith("**bt** — backtrace\n\n```\nbt [-a|-e|-f|-l] [pid | task]\n```\n\nDisplay a kernel stack backtrace.", help);
        Assert.Equal("`-f` display all stack data contained in each frame.", await client.HoverAsync(Uri, 0, 4));
    }
}
