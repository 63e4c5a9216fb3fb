using KdumpDebug.TestSupport;

namespace KdumpDebug.Lsp.Tests;

/// <summary>
/// C sources and crash scripts with the fixture vmlinux and vmcore configured: hovers and
/// completions compared with what crash 8.0.2 prints for the same dump (Golden/README.md).
/// </summary>
public class KernelDocumentTests(KernelFixture fixture) : IClassFixture<KernelFixture>
{
    const string Source = """
        #include <linux/sched.h>

        static int show(struct task_struct *p, const struct cred *cred)
        {
        	unsigned long now = jiffies;
        	return p->pid + p->comm[0] + p->se.load.weight;
        }
        """;

    static string GoldenTaskStruct => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "crash-struct-o-task_struct.txt"));

    [FixtureFact]
    public async Task HoverOnAStructShowsItsLayoutAsStructDashO()
    {
        var client = fixture.Client;
        const string uri = "file:///src/show1.c";
        await client.OpenAsync(uri, "c", Source);
        var hover = await client.HoverAsync(uri, 2, 25);
        Assert.Equal("```c\n" + GoldenTaskStruct + "```\n\nsize 6528 (0x1980) bytes", hover);
    }

    [FixtureFact]
    public async Task HoverOnAGlobalShowsItsTypeAndTheDumpsValue()
    {
        var client = fixture.Client;
        const string uri = "file:///src/show2.c";
        await client.OpenAsync(uri, "c", Source);
        var hover = await client.HoverAsync(uri, 4, 23);
        Assert.NotNull(hover);
        // The address is System.map's plus the dump's KASLR offset (facts.json: 0xe00000).
        var link = File.ReadLines(Fixtures.Path("kernel/System.map")).Select(l => l.Split(' ')).First(f => f.Length == 3 && f[2] == "jiffies")[0];
        var address = Convert.ToUInt64(link, 16) + 0xe00000;
        Assert.StartsWith($"```c\nvolatile unsigned long jiffies;\n```\n\nsize 8 (0x8) bytes, at {address:x}\n", hover);
        // crash: p jiffies -> "jiffies = $1 = 4294893219" (fixture sysrq/crash/p-jiffies.txt).
        Assert.EndsWith("Value in the dump:\n```\njiffies = 4294893219\n```", hover);
    }

    [FixtureFact]
    public async Task HoverOnAMemberAccessUsesTheDeclaredTypeOfItsBase()
    {
        var client = fixture.Client;
        const string uri = "file:///src/show3.c";
        await client.OpenAsync(uri, "c", Source);
        // crash: struct -o task_struct.pid -> "[912] pid_t pid;", task_struct.comm -> "[1408] char comm[16];".
        Assert.StartsWith("```c\nstruct task_struct {\n  [912] pid_t pid;\n}\n```\n\noffset 912 (0x390), size 4 (0x4) bytes; struct task_struct is 6528 bytes",
            await client.HoverAsync(uri, 5, 12));
        Assert.StartsWith("```c\nstruct task_struct {\n  [1408] char comm[16];\n}\n```\n\noffset 1408 (0x580), size 16 (0x10) bytes",
            await client.HoverAsync(uri, 5, 22));
        // A chain: p->se.load.weight is a member of struct load_weight.
        var weight = await client.HoverAsync(uri, 5, 45);
        Assert.NotNull(weight);
        Assert.StartsWith("```c\nstruct load_weight {\n  [0] unsigned long weight;\n}\n```", weight);
    }

    [FixtureFact]
    public async Task HoverOnAFunctionShowsItsPrototype()
    {
        var client = fixture.Client;
        const string uri = "file:///src/show5.c";
        await client.OpenAsync(uri, "c", "void f(void)\n{\n\tsysrq_handle_crash(0);\n}\n");
        // crash: whatis sysrq_handle_crash -> "void sysrq_handle_crash(int);"
        Assert.StartsWith("```c\nvoid sysrq_handle_crash(int);\n```\n\nat ffffffff", await client.HoverAsync(uri, 2, 5));
    }

    [FixtureFact]
    public async Task GoToDefinitionOfAStructOpensItsDeclaration()
    {
        if (!Directory.Exists(KernelFixture.KernelSource)) return; // the local tree is optional
        var client = fixture.Client;
        const string uri = "file:///src/show4.c";
        await client.OpenAsync(uri, "c", Source);
        var location = await client.RequestAsync("textDocument/definition", new { textDocument = new { uri }, position = new { line = 2, character = 25 } });
        var target = new Uri(location.GetProperty("uri").GetString()!).LocalPath;
        Assert.Equal(Path.Combine(KernelFixture.KernelSource, "include/linux/sched.h"), target);
        var line = location.GetProperty("range").GetProperty("start").GetProperty("line").GetInt32();
        Assert.StartsWith("struct task_struct {", File.ReadAllLines(target)[line]);
    }

    [FixtureFact]
    public async Task CrashScriptsCompleteSymbolsAndMembers()
    {
        var client = fixture.Client;
        const string uri = "file:///home/user/kernel.crash";
        await client.OpenAsync(uri, "crash", "p init_task.co\nstruct task_struct.pi\np jiff\ntask -R \n");
        Assert.Contains(("comm", "[1408] char comm[16]"), await client.CompletionAsync(uri, 0, 14));
        Assert.Contains(("pid", "[912] pid_t pid"), await client.CompletionAsync(uri, 1, 21));
        Assert.Contains(await client.CompletionAsync(uri, 2, 6), i => i.Label == "jiffies");
        Assert.Contains(await client.CompletionAsync(uri, 3, 8), i => i.Label == "comm");
    }

    [FixtureFact]
    public async Task WithAKernelStructNamesAreCommandsAndUnknownWordsAreErrors()
    {
        var client = fixture.Client;
        const string uri = "file:///home/user/names.crash";
        await client.OpenAsync(uri, "crash", "list_head\njiffies\nfrobnicate\n");
        // The first publish may come before the kernel is open; the server publishes again once it is.
        await client.HoverAsync(uri, 0, 0);
        var diagnostics = await client.ChangeAsync(uri, "list_head\njiffies\nfrobnicate\n");
        Assert.Equal(["2:0-10 error unknown command 'frobnicate'"], LspTestClient.Describe(diagnostics));
    }
}
