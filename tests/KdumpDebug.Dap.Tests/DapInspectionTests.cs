using System.Text.Json.Nodes;
using KdumpDebug.Dap.Session;
using KdumpDebug.Target;
using KdumpDebug.Target.Unwind;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Dap.Tests;

/// <summary>
/// The inspection requests on the real fixture dumps, driven in process over a duplex pipe:
/// disassemble against crash's dis golden, readMemory against the dump (excluded pages reported
/// as unreadable), writeMemory refused, completions, modules on the oops-module dump (lkdtm),
/// source through kernelSource, progress events during launch, and stack-switch label frames.
/// </summary>
public sealed class DapInspectionTests
{
    static string VmlinuxCache => Path.Combine(Fixtures.CacheDirectory, "vmlinux-cache");

    static DapTestClient NewClient() => new(s => _ = new DapSession(s, VmlinuxCache));

    static JsonObject Body(JsonObject response)
    {
        Assert.True((bool?)response["success"], $"request failed: {response.ToJsonString()}");
        return response["body"]!.AsObject();
    }

    static string Error(JsonObject response)
    {
        Assert.False((bool?)response["success"], $"request succeeded: {response.ToJsonString()}");
        return (string)response["message"]!;
    }

    static async Task<JsonObject> RequestAsync(DapTestClient client, string command, object? arguments = null) =>
        await client.ResponseAsync(await client.SendAsync(command, arguments));

    /// <summary>initialize and launch on a scenario's main dump; returns the initialize body (capabilities).</summary>
    static async Task<JsonObject> LaunchAsync(DapTestClient client, string dump = "sysrq/vmcore.kdump-zlib", object? extra = null, bool progress = false)
    {
        var caps = Body(await RequestAsync(client, "initialize", new { adapterID = "kdump", linesStartAt1 = true, columnsStartAt1 = true, supportsProgressReporting = progress }));
        var args = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(new { vmcore = Fixtures.Plain(dump), vmlinux = Fixtures.Path("kernel/vmlinux.xz") }))!.AsObject();
        if (extra is not null)
            foreach (var (key, value) in JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(extra))!.AsObject())
                args[key] = value?.DeepClone();
        var launch = await RequestAsync(client, "launch", args);
        Assert.True((bool?)launch["success"], launch.ToJsonString());
        return caps;
    }

    /// <summary>Instruction text as crash's dis golden prints it, by address.</summary>
    static Dictionary<string, string> GoldenInstructions(string relative) =>
        Fixtures.ReadText(relative).Split('\n').Where(l => l.StartsWith("0x") && l.Contains(":\t"))
            .ToDictionary(l => l[..l.IndexOf(' ')], l => l[(l.IndexOf(":\t") + 2)..].TrimEnd());

    [FixtureFact]
    public async Task Capabilities_announce_the_inspection_requests()
    {
        await using var client = NewClient();
        var caps = Body(await RequestAsync(client, "initialize", new { adapterID = "kdump" }));
        Assert.True((bool?)caps["supportsDisassembleRequest"]);
        Assert.True((bool?)caps["supportsReadMemoryRequest"]);
        Assert.True((bool?)caps["supportsCompletionsRequest"]);
        Assert.True((bool?)caps["supportsModulesRequest"]);
        Assert.Equal([".", ">"], caps["completionTriggerCharacters"]!.AsArray().Select(n => (string)n!));
    }

    [FixtureFact]
    public async Task Disassemble_returns_sysrq_handle_crash_around_the_panic_return_address_as_crash_prints_it()
    {
        await using var client = NewClient();
        await LaunchAsync(client);
        var frames = Body(await RequestAsync(client, "stackTrace", new { threadId = 1 }))["stackFrames"]!.AsArray();
        var frame = frames.First(f => (string?)f!["name"] == "sysrq_handle_crash")!;
        var pc = (string)frame["instructionPointerReference"]!;
        Assert.Equal("0xffffffff8204d94c", pc); // crash's bt: sysrq_handle_crash at ffffffff8204d94c

        var body = Body(await RequestAsync(client, "disassemble", new { memoryReference = pc, instructionOffset = -3, instructionCount = 6 }));
        var instructions = body["instructions"]!.AsArray();
        Assert.Equal(6, instructions.Count);
        var golden = GoldenInstructions("sysrq/crash/dis-l-sysrq_handle_crash.txt");
        Assert.Equal(["0xffffffff8204d940", "0xffffffff8204d947"], golden.Keys);
        // Two instructions of the routine, then the one at the return address.
        Assert.Equal("0xffffffff8204d940", (string?)instructions[1]!["address"]);
        Assert.Equal(golden["0xffffffff8204d940"], (string?)instructions[1]!["instruction"]);
        Assert.Equal("sysrq_handle_crash", (string?)instructions[1]!["symbol"]);
        Assert.Equal("48 c7 c7 cc c8 70 82", (string?)instructions[1]!["instructionBytes"]);
        Assert.Equal(golden["0xffffffff8204d947"], (string?)instructions[2]!["instruction"]);
        Assert.Equal("call   0xffffffff82189a32 <panic>", (string?)instructions[2]!["instruction"]);
        Assert.Equal("sysrq_handle_crash+7", (string?)instructions[2]!["symbol"]);
        Assert.Equal(pc, (string?)instructions[3]!["address"]);
        Assert.Equal("nopl   0x0(%rax)", (string?)instructions[3]!["instruction"]);
        Assert.Equal(155, (int?)instructions[1]!["line"]); // ./drivers/tty/sysrq.c: 155
        // The source location comes with the first instruction and wherever the file changes.
        Assert.NotNull(instructions[0]!["location"]);
        Assert.Contains(instructions, i => (string?)i!["location"]?["path"] == "drivers/tty/sysrq.c");
        // The first entry is the last instruction of the routine before (moom_callback), decoded in step.
        Assert.Equal("0xffffffff8204d940", AddressAfter(instructions[0]!));
        Assert.Equal((string?)instructions[3]!["address"], AddressAfter(instructions[2]!));
        Assert.Equal((string?)instructions[4]!["address"], AddressAfter(instructions[3]!));

        // Far back: every entry real and contiguous, ending right before the routine.
        var back = Body(await RequestAsync(client, "disassemble", new { memoryReference = "0xffffffff8204d940", instructionOffset = -200, instructionCount = 200 }))["instructions"]!.AsArray();
        Assert.Equal(200, back.Count);
        Assert.All(back, i => Assert.NotEqual("??", (string?)i!["instruction"]));
        for (var i = 1; i < back.Count; i++) Assert.Equal((string?)back[i]!["address"], AddressAfter(back[i - 1]!));
        Assert.Equal("0xffffffff8204d940", AddressAfter(back[^1]!));
    }

    static string AddressAfter(JsonNode instruction) =>
        $"0x{Convert.ToUInt64((string)instruction["address"]!, 16) + (ulong)((string)instruction["instructionBytes"]!).Split(' ').Length:x}";

    [FixtureFact]
    public async Task Disassemble_of_unreadable_memory_gives_question_mark_entries_not_an_error()
    {
        await using var client = NewClient();
        await LaunchAsync(client);
        var body = Body(await RequestAsync(client, "disassemble", new { memoryReference = "0xffffc8fffffff000", instructionOffset = -2, instructionCount = 4 }));
        var instructions = body["instructions"]!.AsArray();
        Assert.Equal(4, instructions.Count);
        Assert.All(instructions, i =>
        {
            Assert.Equal("??", (string?)i!["instruction"]);
            Assert.Equal("invalid", (string?)i["presentationHint"]);
        });
        Assert.Equal("0xffffc8fffffff000", (string?)instructions[2]!["address"]);
        Assert.Equal("memoryReference 'jiffies' is not an address (expected a hexadecimal 0x... value)",
            Error(await RequestAsync(client, "disassemble", new { memoryReference = "jiffies", instructionCount = 4 })));
    }

    /// <summary>A direct-map address in a page the sysrq dump excluded, whose preceding page is in the dump.</summary>
    static ulong ExcludedPageAfterAPresentOne()
    {
        using var target = KernelTarget.Open(new TargetOptions(Fixtures.Plain("sysrq/vmcore.kdump-zlib"), Fixtures.Path("kernel/vmlinux.xz"), CacheDirectory: VmlinuxCache));
        var memory = target.Dump.Memory;
        Assert.True(target.TryLookupSymbol("page_offset_base", out var pob));
        var b = new byte[8];
        target.ReadVirtual(pob.Address, b);
        var directMap = BitConverter.ToUInt64(b);
        for (ulong p = 0x101; p < memory.MaxPfn; p++)
        {
            if (memory.GetPageStatus(p) != Dump.PageStatus.Excluded || memory.GetPageStatus(p - 1) == Dump.PageStatus.Excluded) continue;
            var va = directMap + p * 4096;
            try
            {
                target.ReadVirtual(va - 16, new byte[16]);
                return va;
            }
            catch (Core.Errors.KdumpDebugException)
            {
            }
        }
        throw new InvalidOperationException("no excluded page after a present one");
    }

    [FixtureFact]
    public async Task ReadMemory_returns_the_dump_s_bytes_and_reports_excluded_pages_as_unreadable()
    {
        var excluded = ExcludedPageAfterAPresentOne();
        await using var client = NewClient();
        await LaunchAsync(client);
        var jiffies = Body(await RequestAsync(client, "evaluate", new { expression = "jiffies", context = "watch" }));
        var read = Body(await RequestAsync(client, "readMemory", new { memoryReference = (string)jiffies["memoryReference"]!, count = 8 }));
        Assert.Equal((string?)jiffies["memoryReference"], (string?)read["address"]);
        Assert.Null(read["unreadableBytes"]);
        Assert.Equal(ulong.Parse((string)jiffies["result"]!), BitConverter.ToUInt64(Convert.FromBase64String((string)read["data"]!)));

        // Straddling into the excluded page: the 16 bytes before it, then 16 unreadable ones (not zeros).
        var straddle = Body(await RequestAsync(client, "readMemory", new { memoryReference = $"0x{excluded - 16:x}", count = 32 }));
        Assert.Equal($"0x{excluded - 16:x}", (string?)straddle["address"]);
        Assert.Equal(16, Convert.FromBase64String((string)straddle["data"]!).Length);
        Assert.Equal(16, (int?)straddle["unreadableBytes"]);

        // Inside it: nothing readable, the whole request unreadable.
        var inside = Body(await RequestAsync(client, "readMemory", new { memoryReference = $"0x{excluded:x}", offset = 64, count = 100 }));
        Assert.Equal($"0x{excluded + 64:x}", (string?)inside["address"]);
        Assert.Empty(Convert.FromBase64String((string)inside["data"]!));
        Assert.Equal(100, (int?)inside["unreadableBytes"]);
    }

    [FixtureFact]
    public async Task WriteMemory_is_refused_with_a_clear_message()
    {
        await using var client = NewClient();
        await LaunchAsync(client);
        var response = await RequestAsync(client, "writeMemory", new { memoryReference = "0xffffffff82b18a00", data = "AAAA" });
        Assert.Equal(DapSession.ReadOnlyMemoryMessage, Error(response));
        Assert.True((bool?)response["body"]!["error"]!["showUser"]);
    }

    static async Task<List<string>> CompletionLabelsAsync(DapTestClient client, string text, int? column = null)
    {
        var body = Body(await RequestAsync(client, "completions", new { text, column = column ?? text.Length + 1 }));
        return body["targets"]!.AsArray().Select(t => (string)t!["label"]!).ToList();
    }

    [FixtureFact]
    public async Task Completions_list_commands_symbols_and_struct_members()
    {
        await using var client = NewClient();
        await LaunchAsync(client);
        Assert.Contains("foreach", await CompletionLabelsAsync(client, "f"));
        Assert.Equal(["foreach"], await CompletionLabelsAsync(client, "fore"));
        var all = await CompletionLabelsAsync(client, "");
        Assert.Contains("bt", all);
        Assert.Contains("dis", all);
        Assert.Contains("foreach", all);

        var members = await CompletionLabelsAsync(client, "p init_task.");
        Assert.Contains("comm", members);
        Assert.Contains("pid", members);
        Assert.Contains("tasks", members);
        Assert.Contains("__state", members);
        var withC = await CompletionLabelsAsync(client, "p init_task.c");
        Assert.Contains("comm", withC);
        Assert.All(withC, m => Assert.StartsWith("c", m));
        Assert.Equal(members.Where(m => m.StartsWith('c')), withC);
        Assert.Contains("pid", await CompletionLabelsAsync(client, "struct task_struct."));
        Assert.Contains("comm", await CompletionLabelsAsync(client, "p init_task.parent->"));

        var symbols = await CompletionLabelsAsync(client, "dis sysrq_handle_cr");
        Assert.Contains("sysrq_handle_crash", symbols);
        var item = Body(await RequestAsync(client, "completions", new { text = "dis sysrq_handle_cr", column = 20 }))["targets"]!.AsArray()
            .First(t => (string?)t!["label"] == "sysrq_handle_crash")!;
        Assert.Equal(5, (int?)item["start"]);
        Assert.Equal(15, (int?)item["length"]);
        // The cursor in the middle: only the word before it counts.
        Assert.Contains("jiffies", await CompletionLabelsAsync(client, "p jiff + 1", column: 7));
    }

    [FixtureFact]
    public async Task Modules_list_the_kernel_and_lkdtm_with_crash_s_range_and_debug_info_status()
    {
        // crash's mod golden: lkdtm at base ffffffffc00d6000, size 57344.
        var mod = Fixtures.ReadText("oops-module/crash/mod.txt").Split('\n')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var start = Convert.ToUInt64(mod[2], 16);
        var end = start + ulong.Parse(mod[3]);

        await using var client = NewClient();
        await LaunchAsync(client, "oops-module/vmcore.kdump-zlib", new { modules = new[] { Fixtures.Path("kernel") } });
        var body = Body(await RequestAsync(client, "modules"));
        Assert.Equal(2, (int?)body["totalModules"]);
        var modules = body["modules"]!.AsArray();
        Assert.Equal("vmlinux", (string?)modules[0]!["name"]);
        Assert.StartsWith("0xffffffff", (string?)modules[0]!["addressRange"]);
        var lkdtm = modules[1]!;
        Assert.Equal("lkdtm", (string?)lkdtm["name"]);
        Assert.Equal($"0x{start:x}-0x{end:x}", (string?)lkdtm["addressRange"]);
        Assert.Equal("Symbols loaded.", (string?)lkdtm["symbolStatus"]);
        Assert.EndsWith("lkdtm.ko", (string?)lkdtm["path"]);

        var page = Body(await RequestAsync(client, "modules", new { startModule = 1, moduleCount = 5 }));
        Assert.Equal(["lkdtm"], page["modules"]!.AsArray().Select(m => (string)m!["name"]!));

        // Without the folder: the module is still listed, from kallsyms only.
        await using var bare = NewClient();
        await LaunchAsync(bare, "oops-module/vmcore.kdump-zlib");
        var plain = Body(await RequestAsync(bare, "modules"))["modules"]!.AsArray()[1]!;
        Assert.Equal("lkdtm", (string?)plain["name"]);
        Assert.StartsWith("Symbols from kallsyms only", (string?)plain["symbolStatus"]);
        Assert.Null(plain["path"]);
    }

    [FixtureFact]
    public async Task Source_reads_a_file_through_kernelSource_and_names_what_is_missing()
    {
        var root = Fixtures.NewTempDirectory();
        Directory.CreateDirectory(Path.Combine(root, "drivers", "tty"));
        File.WriteAllText(Path.Combine(root, "drivers", "tty", "sysrq.c"), "static void sysrq_handle_crash(int key)\n");
        await using var client = NewClient();
        await LaunchAsync(client, extra: new { kernelSource = root });
        var body = Body(await RequestAsync(client, "source", new { source = new { path = "./drivers/tty/sysrq.c" }, sourceReference = 0 }));
        Assert.Equal("static void sysrq_handle_crash(int key)\n", (string?)body["content"]);
        var missing = Error(await RequestAsync(client, "source", new { source = new { path = "kernel/panic.c" }, sourceReference = 0 }));
        Assert.Equal($"kernel/panic.c: no such file (looked for {Path.Combine(root, "kernel", "panic.c")}; set kernelSource or sourceFileMap in the launch configuration)", missing);
        Assert.Equal("sourceReference 7 does not exist (this adapter names sources by path)",
            Error(await RequestAsync(client, "source", new { sourceReference = 7 })));
    }

    [FixtureFact]
    public async Task Launch_reports_progress_when_the_client_supports_it()
    {
        await using var client = NewClient();
        await LaunchAsync(client, progress: true);
        var start = await client.EventAsync("progressStart");
        var end = await client.EventAsync("progressEnd");
        var id = (string?)start["body"]!["progressId"];
        Assert.Equal(id, (string?)end["body"]!["progressId"]);
        Assert.Equal("Opening vmcore.kdump-zlib", (string?)start["body"]!["title"]);
        var updates = client.Received.Where(m => (string?)m["event"] == "progressUpdate").ToList();
        Assert.Equal(["Opening the dump and the vmlinux", "Loading debug info (symbols, DWARF index)", "Reading the task list"],
            updates.Select(u => (string)u["body"]!["message"]!));
        var seqs = new[] { start }.Concat(updates).Append(end).Select(m => (int)m["seq"]!).ToList();
        Assert.Equal(seqs.Order(), seqs);

        // A client that did not announce support gets none.
        await using var quiet = NewClient();
        await LaunchAsync(quiet);
        await quiet.ResponseAsync(await quiet.SendAsync("threads"));
        Assert.DoesNotContain(quiet.Received, m => ((string?)m["event"])?.StartsWith("progress") == true);
    }

    [FixtureFact]
    public async Task Every_thread_s_stack_trace_has_balanced_label_frames()
    {
        await using var client = NewClient();
        await LaunchAsync(client);
        var threads = Body(await RequestAsync(client, "threads"))["threads"]!.AsArray();
        foreach (var thread in threads)
        {
            var frames = Body(await RequestAsync(client, "stackTrace", new { threadId = (int)thread!["id"]! }))["stackFrames"]!.AsArray();
            var open = new Stack<string>();
            foreach (var f in frames)
            {
                if ((string?)f!["presentationHint"] != "label") continue;
                var name = (string)f["name"]!;
                if (name.StartsWith("</")) Assert.Equal(name[2..^1], open.Pop());
                else if (!name.StartsWith("<exception entry")) open.Push(name[1..^1]);
            }
            Assert.Empty(open);
        }
    }

    static LogicalFrame Frame(ulong sp, ulong? ptRegs = null, bool user = false) =>
        new(new StackFrameInfo(0, 0xffffffff81000000, sp, null, new RegisterSet(), false, null, null, ptRegs, user), 0, false, "f", null, 0);

    [Fact]
    public void Labels_mark_irq_and_exception_stacks_and_kernel_exception_frames()
    {
        // Two frames on the NMI stack, one on the IRQ stack, then the task stack through a
        // kernel-mode pt_regs, and the user-mode entry frame at the end.
        var frames = new[]
        {
            Frame(0x1000), Frame(0x1100),
            Frame(0x2000),
            Frame(0x9000, ptRegs: 0x9100), Frame(0x9200),
            Frame(0x9300, user: true),
        };
        var inline = new LogicalFrame(frames[4].Physical, 1, true, "inlined", null, 0);
        var withInline = frames.Take(5).Append(inline).Append(frames[5]).ToList();
        string? StackOf(ulong sp) => sp < 0x2000 ? "NMI" : sp < 0x3000 ? "IRQ" : null;
        var presented = StackLabels.Insert(withInline, StackOf);
        Assert.Equal(
            ["<NMI>", "f", "f", "</NMI>", "<IRQ>", "f", "</IRQ>", "f", "<exception entry: pt_regs at 9100>", "f", "inlined", "f"],
            presented.Select(p => p.Label ?? p.Frame!.Function!));
        Assert.Equal([0, 1, 2, 3, 4, 5, 6], presented.Where(p => p.Frame is not null).Select(p => p.Index));
    }
}
