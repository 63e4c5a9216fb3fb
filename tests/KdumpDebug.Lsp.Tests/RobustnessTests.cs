using System.Diagnostics;
using System.Text;

namespace KdumpDebug.Lsp.Tests;

/// <summary>Bad input: huge, binary and invalid-UTF-8 documents, positions outside the text. The server answers, sensibly empty.</summary>
public class RobustnessTests
{
    static readonly string[] Kinds = ["file:///etc/kdump.conf", "file:///etc/default/grub", "file:///home/user/x.crash", "file:///src/x.c"];

    [Fact]
    public async Task AHugeDocumentIsDiagnosedWithinBoundsAndStaysResponsive()
    {
        await using var client = await LspTestClient.StartAsync();
        // 20 MB: 2.5 million unknown directives.
        var text = new StringBuilder(20 << 20);
        while (text.Length < 20 << 20) text.Append("junk line\n");
        var watch = Stopwatch.StartNew();
        var diagnostics = LspTestClient.Describe(await client.OpenAsync("file:///etc/kdump.conf", "kdump-conf", text.ToString()));
        Assert.Equal(200, diagnostics.Count); // capped
        Assert.Equal("0:0-4 error unknown kdump.conf directive 'junk'", diagnostics[0]);
        var lastLine = text.Length / 10 - 1;
        Assert.Null(await client.HoverAsync("file:///etc/kdump.conf", lastLine, 2));
        Assert.Contains(await client.CompletionAsync("file:///etc/kdump.conf", lastLine + 1, 0), i => i.Label == "path");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task BinaryJunkGetsAnswersInEveryDocumentKind()
    {
        await using var client = await LspTestClient.StartAsync();
        var random = new Random(7);
        var bytes = new byte[64 << 10];
        random.NextBytes(bytes);
        // Every byte value as a character: NULs, lone CRs, control characters.
        var junk = new string(bytes.Select(b => (char)b).ToArray());
        var document = new Documents.TextDocument("file:///x", "plaintext", 1, junk);
        foreach (var uri in Kinds)
        {
            var diagnostics = await client.OpenAsync(uri, "plaintext", junk);
            Assert.True(diagnostics.GetArrayLength() <= 200);
            for (var line = 0; line < document.LineCount; line += Math.Max(1, document.LineCount / 20))
            {
                var length = document.Line(line).Length;
                foreach (var column in new[] { 0, length / 2, length })
                {
                    await client.HoverAsync(uri, line, column);
                    await client.CompletionAsync(uri, line, column);
                }
            }
        }
        Assert.Equal(0, (await client.RequestAsync("shutdown", null)).ValueKind == System.Text.Json.JsonValueKind.Null ? 0 : 1);
    }

    [Fact]
    public async Task PositionsOutsideTheDocumentAnswerEmpty()
    {
        await using var client = await LspTestClient.StartAsync();
        foreach (var uri in Kinds) await client.OpenAsync(uri, "plaintext", "path /var/crash\n");
        foreach (var uri in Kinds.Append("file:///never/opened.conf"))
        {
            foreach (var (line, character) in new[] { (-1, 0), (0, -1), (1_000_000, 0), (0, 1_000_000), (int.MaxValue, int.MaxValue) })
            {
                Assert.Null(await client.HoverAsync(uri, line, character));
                Assert.Empty(await client.CompletionAsync(uri, line, character));
                var definition = await client.RequestAsync("textDocument/definition", new { textDocument = new { uri }, position = new { line, character } });
                Assert.Equal(System.Text.Json.JsonValueKind.Null, definition.ValueKind);
            }
        }
    }

    [Fact]
    public async Task InvalidUtf8AndLoneSurrogatesDoNotBreakTheConnection()
    {
        await using var client = await LspTestClient.StartAsync();
        // A didOpen whose text holds bytes that are not UTF-8 (as a client reading a Latin-1 file
        // byte by byte might send), written raw: the JSON-RPC client would not produce it.
        var body = Encoding.ASCII.GetBytes("""{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///etc/bad/kdump.conf","languageId":"kdump-conf","version":1,"text":"path /var/crash\n""")
            .Concat(new byte[] { 0xff, 0xfe, 0xc3, 0x28, 0xa0, (byte)'\\', (byte)'n' })
            .Concat(Encoding.ASCII.GetBytes("\"}}}")).ToArray();
        var header = Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n");
        await client.RawClientStream.WriteAsync(header.Concat(body).ToArray());
        await client.RawClientStream.FlushAsync();
        Assert.Equal(["1:0-5 error unknown kdump.conf directive '\ufffd\ufffd\ufffd(\ufffd'"], LspTestClient.Describe(client.NextDiagnostics("file:///etc/bad/kdump.conf", 1)));
        // A lone surrogate escape through the normal client.
        await client.OpenAsync("file:///etc/surrogate/kdump.conf", "kdump-conf", "path /var/crash \ud800\n");
        // Still serving: a hover on a good document answers.
        await client.OpenAsync("file:///etc/kdump.conf", "kdump-conf", "path /var/crash\n");
        Assert.StartsWith("`path <path>`", await client.HoverAsync("file:///etc/kdump.conf", 0, 1));
        var bad = await client.HoverAsync("file:///etc/bad/kdump.conf", 0, 1);
        Assert.True(bad is null || bad.StartsWith("`path <path>`", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RequestsWithMissingFieldsAnswerEmpty()
    {
        await using var client = await LspTestClient.StartAsync();
        var hover = await client.RequestAsync("textDocument/hover", new { });
        Assert.Equal(System.Text.Json.JsonValueKind.Null, hover.ValueKind);
        var completion = await client.RequestAsync("textDocument/completion", new { textDocument = new { uri = "file:///etc/kdump.conf" } });
        Assert.Equal(System.Text.Json.JsonValueKind.Null, completion.ValueKind);
    }

    [Fact]
    public async Task AnUnusableVmlinuxSettingLeavesTheServerWorkingWithoutAKernel()
    {
        var junk = Path.Combine(Path.GetTempPath(), $"kdumpdebug-lsp-junk-{Environment.ProcessId}.vmlinux");
        File.WriteAllBytes(junk, Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray());
        try
        {
            await using var client = await LspTestClient.StartAsync(new { kdumpDebug = new { vmlinux = junk } });
            await client.OpenAsync("file:///src/x.c", "c", "int f(void) { return jiffies; }\n");
            Assert.Null(await client.HoverAsync("file:///src/x.c", 0, 23));
            var diagnostics = await client.OpenAsync("file:///home/user/x.crash", "crash", "frobnicate\n");
            Assert.StartsWith("0:0-10 warning unknown command 'frobnicate'", LspTestClient.Describe(diagnostics).Single());
            Assert.Contains($"kdumpdebug lsp: kdumpDebug settings: {junk}", client.Log.ToString());
        }
        finally
        {
            File.Delete(junk);
        }
    }
}
