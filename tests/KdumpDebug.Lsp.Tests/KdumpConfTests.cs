namespace KdumpDebug.Lsp.Tests;

/// <summary>kdump.conf documents: diagnostics, completion and hover, on the samples and on single lines.</summary>
public class KdumpConfTests
{
    const string Uri = "file:///etc/kdump.conf";

    [Fact]
    public async Task TheRhelFedoraDefaultFileHasNoProblems()
    {
        await using var client = await LspTestClient.StartAsync();
        var diagnostics = await client.OpenAsync(Samples.Uri("kdump.conf"), "plaintext", Samples.Text("kdump.conf"));
        Assert.Empty(LspTestClient.Describe(diagnostics));
    }

    [Fact]
    public async Task TheErrorsSampleGetsOneDiagnosticPerMistake()
    {
        await using var client = await LspTestClient.StartAsync();
        var diagnostics = await client.OpenAsync(Samples.Uri("errors.kdump.conf"), "kdump-conf", Samples.Text("errors.kdump.conf"));
        Assert.Equal(
        [
            "4:0-3 error more than one dump target: 'ssh' here and 'xfs' on line 4",
            "6:5-14 error path must be absolute (a folder on the dump target, e.g. /var/crash), not 'var/crash'",
            "10:15-22 error 'restart' is not a failure_action value: expected reboot, halt, poweroff, shell, dump_to_rootfs",
            "12:0-3 error 'net' was removed: kdumpctl refuses it. use `nfs host:/export` or `ssh user@host`.",
            "14:0-12 error unknown kdump.conf directive 'extra_module'",
            "8:28-30 error makedumpfile has no option '-k'",
            "8:58-60 error dump level must be a number in 0..31, not '32'",
            "8:34-36 error makedumpfile takes one output format: -c and -l exclude each other",
        ], LspTestClient.Describe(diagnostics));
    }

    [Theory]
    [InlineData("nfs my.server.com:/export/tmp", null)]
    [InlineData("nfs [2001:db8::1:2:3:4]:/export/tmp", null)]
    [InlineData("nfs my.server.com", "0:4-17 error nfs needs host:/export (e.g. my.server.com:/export/tmp), not 'my.server.com'")]
    [InlineData("ssh user@my.server.com\ncore_collector makedumpfile -F -l --message-level 7 -d 31", null)]
    [InlineData("ssh user@2001:db8::1:2:3:4\ncore_collector makedumpfile -F -l -d 31", null)]
    [InlineData("ssh my.server.com", "0:4-17 error ssh needs user@server (e.g. root@my.server.com), not 'my.server.com'")]
    [InlineData("ssh user@my.server.com\ncore_collector makedumpfile -l -d 31", "1:15-27 error an ssh dump target needs makedumpfile -F (flattened output)")]
    [InlineData("raw /dev/vg/lv_kdump\ncore_collector makedumpfile -F -l -d 31", null)]
    [InlineData("raw vg/lv_kdump", "0:4-15 error raw needs a partition: a device (/dev/...), LABEL=<label> or UUID=<uuid>, not 'vg/lv_kdump'")]
    [InlineData("ext4 LABEL=/boot", null)]
    [InlineData("ext4 UUID=03138356-5e61-4ab3-b58e-27507ac41937", null)]
    [InlineData("xfs UUID=not-a-uuid", "0:4-19 warning 'not-a-uuid' does not look like a file system UUID (see blkid)")]
    [InlineData("ext4 /dev/vg/lv_kdump extra", "0:22-27 error ext4 takes one argument")]
    [InlineData("ext4", "0:0-4 error 'ext4' needs a value: ext4 <partition>")]
    [InlineData("core_collector makedumpfile -c -d 31 -F", "0:37-39 error -F writes the flattened format to standard output: only for ssh and raw dump targets (the target here is the local file system)")]
    [InlineData("core_collector makedumpfile -l --message-level 40 -d 31", "0:47-49 error message level must be a number in 0..31, not '40'")]
    [InlineData("core_collector makedumpfile -l --message-level=7 -d31", null)]
    [InlineData("core_collector makedumpfile -l -d 31 /proc/vmcore", "0:37-49 warning '/proc/vmcore': kdump adds the vmcore and dump file names itself")]
    [InlineData("core_collector makedumpfile -z -d", "0:31-33 error makedumpfile -d needs an argument")]
    [InlineData("core_collector cp", null)]
    [InlineData("default shell\nfailure_action reboot", "0:0-7 error 'default' and 'failure_action' cannot both be given (default is the obsolete name of failure_action)")]
    [InlineData("path /var/crash\npath /var/crash2", "1:0-4 error 'path' is given twice (first on line 1); kdumpctl refuses duplicates")]
    [InlineData("force_rebuild 1\nforce_no_rebuild 1", "1:0-16 error force_rebuild 1 and force_no_rebuild 1 exclude each other")]
    [InlineData("final_action shell", "0:13-18 error 'shell' is not a final_action value: expected reboot, halt, poweroff")]
    [InlineData("path /var/crash # the default, with a comment", null)]
    [InlineData("kdump_post scripts/post.sh", "0:11-26 warning kdump_post should be an absolute path: the kdump initramfs has no current folder")]
    public async Task OneLineChecks(string text, string? expected)
    {
        await using var client = await LspTestClient.StartAsync();
        var diagnostics = LspTestClient.Describe(await client.OpenAsync(Uri, "kdump-conf", text));
        if (expected is null) Assert.Empty(diagnostics);
        else Assert.Equal([expected], diagnostics);
    }

    [Fact]
    public async Task HoverOnTheDumpLevelSaysWhatIsExcludedAndWhatThatMeans()
    {
        await using var client = await LspTestClient.StartAsync();
        var text = Samples.Text("kdump.conf");
        await client.OpenAsync(Uri, "kdump-conf", text);
        var lines = text.Split('\n');
        var line = Array.IndexOf(lines, "core_collector makedumpfile -l --message-level 7 -d 31");
        var hover = await client.HoverAsync(Uri, line, lines[line].IndexOf("31", StringComparison.Ordinal) + 1);
        Assert.NotNull(hover);
        Assert.StartsWith("**Dump level 31** excludes zero pages (1), cache pages (2), cache private (4), user data (8), free pages (16).", hover);
        Assert.Contains("user data: user-space process memory: user stacks, heaps and mappings are unreadable", hover);
        Assert.Contains("Kept: kernel memory only.", hover);

        var level = await client.HoverAsync(Uri, line, lines[line].IndexOf("7", StringComparison.Ordinal));
        Assert.Equal("**Message level 7** prints progress indicator, common messages, error messages.", level);
        var option = await client.HoverAsync(Uri, line, lines[line].IndexOf("-l", StringComparison.Ordinal) + 1);
        Assert.Equal("`makedumpfile -l`: Compress each page with lzo (fast; the RHEL/Fedora default).", option);
    }

    [Fact]
    public async Task HoverOnADirectiveShowsItsSynopsisAndHelp()
    {
        await using var client = await LspTestClient.StartAsync();
        await client.OpenAsync(Uri, "kdump-conf", "path /var/crash\nfailure_action dump_to_rootfs\n");
        var path = await client.HoverAsync(Uri, 0, 2);
        Assert.StartsWith("`path <path>`\n\nThe directory the vmcore is saved in", path);
        Assert.Equal("`failure_action dump_to_rootfs`: Dump to the root file system from the initramfs, then run the final action; useful when the configured target is not the root file system.",
            await client.HoverAsync(Uri, 1, 20));
        Assert.Null(await client.HoverAsync(Uri, 0, 15 + 1)); // past the end of the line
    }

    [Fact]
    public async Task CompletionOffersDirectivesThenValues()
    {
        await using var client = await LspTestClient.StartAsync();
        await client.OpenAsync(Uri, "kdump-conf", "\nfailure_action \ncore_collector makedumpfile -l -d \ncore_collector makedumpfile -l \n");
        var directives = (await client.CompletionAsync(Uri, 0, 0)).Select(i => i.Label).ToList();
        Assert.Contains("core_collector", directives);
        Assert.Contains("xfs", directives);
        Assert.DoesNotContain("net", directives); // removed directives are not offered
        Assert.Equal(["reboot", "halt", "poweroff", "shell", "dump_to_rootfs"], (await client.CompletionAsync(Uri, 1, 15)).Select(i => i.Label));
        var levels = await client.CompletionAsync(Uri, 2, 34);
        Assert.Equal(("31", "excludes: zero pages, cache pages, cache private, user data, free pages"), levels[0]);
        var options = (await client.CompletionAsync(Uri, 3, 31)).Select(i => i.Label).ToList();
        Assert.Contains("--message-level", options);
        Assert.Contains("-F", options);
        Assert.DoesNotContain("-R", options); // not a capture option
    }

    [Fact]
    public async Task DiagnosticsFollowEdits()
    {
        await using var client = await LspTestClient.StartAsync();
        Assert.Single(LspTestClient.Describe(await client.OpenAsync(Uri, "kdump-conf", "path crash\n")));
        Assert.Empty(LspTestClient.Describe(await client.ChangeAsync(Uri, "path /var/crash\n")));
    }

    [Fact]
    public async Task DebianKdumpToolsConfigIsNotTreatedAsKdumpConf()
    {
        await using var client = await LspTestClient.StartAsync();
        // /etc/default/kdump-tools is a shell-variable file: no kdump.conf diagnostics, no answers.
        await client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri = "file:///etc/default/kdump-tools", languageId = "shellscript", version = 1, text = "USE_KDUMP=1\nKDUMP_COREDIR=\"/var/crash\"\n" } });
        Assert.Null(await client.HoverAsync("file:///etc/default/kdump-tools", 0, 2));
        Assert.Empty(await client.CompletionAsync("file:///etc/default/kdump-tools", 0, 0));
    }
}
