using System.Text.Json;
using System.Text.Json.Nodes;
using KdumpDebug.Dap.Session;
using KdumpDebug.Target;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Dap.Tests;

/// <summary>
/// The Variables pane on the sysrq fixture dump, driven in process as a client would: scopes of the
/// panic task's frames with drgn's parameters and locals (<c>drgn/crashed-thread.json</c>), the
/// entry-value parameters drgn could not read, lazy expansion of structs, arrays (paged), pointers,
/// strings, enums, bit fields, function pointers, kernel lists, excluded pages, watch/hover
/// evaluation in a frame, and setVariable refused. Values noted "drgn:" were read with drgn 0.0.22
/// on the same dump (<c>python3 -m drgn -c vmcore.kdump-zlib -s vmlinux</c>).
/// </summary>
public sealed class DapVariablesTests
{
    static DapTestClient NewClient() =>
        new(s => _ = new DapSession(s, Path.Combine(Fixtures.CacheDirectory, "vmlinux-cache")));

    static JsonObject Body(JsonObject response)
    {
        Assert.True((bool?)response["success"], $"request failed: {response.ToJsonString()}");
        return response["body"]!.AsObject();
    }

    /// <summary>
    /// initialize, launch, configurationDone; returns the panic task's stack frames. The oops-module
    /// dump is launched with <c>modules</c> naming the folder of lkdtm.ko.xz (its DWARF).
    /// </summary>
    static async Task<JsonArray> StartAsync(DapTestClient client, string scenario = "sysrq")
    {
        Body(await client.ResponseAsync(await client.SendAsync("initialize", new { adapterID = "kdump" })));
        var launch = await client.ResponseAsync(await client.SendAsync("launch", new
        {
            vmcore = Fixtures.Plain($"{scenario}/vmcore.kdump-zlib"),
            vmlinux = Fixtures.Path("kernel/vmlinux.xz"),
            modules = scenario == "oops-module" ? new[] { Fixtures.Path("kernel") } : null,
        }));
        Assert.True((bool?)launch["success"], launch.ToJsonString());
        await client.ResponseAsync(await client.SendAsync("configurationDone"));
        var stopped = await client.EventAsync("stopped");
        var threadId = (int)stopped["body"]!["threadId"]!;
        return Body(await client.ResponseAsync(await client.SendAsync("stackTrace", new { threadId })))["stackFrames"]!.AsArray();
    }

    static async Task<Dictionary<string, int>> ScopesAsync(DapTestClient client, int frameId)
    {
        var scopes = Body(await client.ResponseAsync(await client.SendAsync("scopes", new { frameId })))["scopes"]!.AsArray();
        return scopes.ToDictionary(s => (string)s!["name"]!, s => (int)s!["variablesReference"]!);
    }

    static async Task<List<JsonObject>> VariablesAsync(DapTestClient client, int reference, int? start = null, int? count = null)
    {
        object args = start is null ? new { variablesReference = reference } : new { variablesReference = reference, start, count };
        return [.. Body(await client.ResponseAsync(await client.SendAsync("variables", args)))["variables"]!.AsArray().Select(v => v!.AsObject())];
    }

    static async Task<JsonObject> EvaluateAsync(DapTestClient client, string expression, string context = "watch", int? frameId = null) =>
        Body(await client.ResponseAsync(await client.SendAsync("evaluate", frameId is null ? new { expression, context } : (object)new { expression, context, frameId })));

    static JsonObject Named(List<JsonObject> variables, string name) =>
        variables.FirstOrDefault(v => (string?)v["name"] == name) ?? throw new Xunit.Sdk.XunitException($"no variable {name} in [{string.Join(", ", variables.Select(v => v["name"]))}]");

    /// <summary>
    /// drgn's frames against ours from the first frame drgn shows (on oops-module our stack starts
    /// higher, at the kexec path, with the exception frame of lkdtm_EXCEPTION's NULL write below it;
    /// its first two frames are lkdtm's, typed by lkdtm.ko's DWARF).
    /// </summary>
    [FixtureTheory]
    [InlineData("sysrq", 25)]
    [InlineData("oops-module", 18)]
    public async Task EveryFrameShowsDrgnsParametersAndLocalsWithItsValues(string scenario, int atLeast)
    {
        await using var client = NewClient();
        var frames = await StartAsync(client, scenario);
        using var drgn = JsonDocument.Parse(Fixtures.ReadText($"{scenario}/drgn/crashed-thread.json"));
        var drgnFrames = drgn.RootElement.GetProperty("frames").EnumerateArray().ToList();
        var first = drgnFrames[0].GetProperty("function").GetString();
        var offset = frames.Select(f => (string?)f!["name"]).ToList().IndexOf(first);
        Assert.True(offset >= 0, $"no frame {first} in {string.Join(", ", frames.Select(f => (string?)f!["name"]))}");
        var checkedValues = 0;
        for (var i = 0; i < drgnFrames.Count; i++)
        {
            var scopes = await ScopesAsync(client, (int)frames[offset + i]!["id"]!);
            Assert.Equal(["Arguments", "Locals", "Registers", "Globals", "Per-CPU"], scopes.Keys);
            var shown = (await VariablesAsync(client, scopes["Arguments"])).Concat(await VariablesAsync(client, scopes["Locals"])).ToList();
            var expected = drgnFrames[i].GetProperty("locals").EnumerateArray().ToList();
            Assert.Equal(expected.Select(l => l.GetProperty("name").GetString()), shown.Select(v => (string?)v["name"]));
            foreach (var local in expected)
            {
                var variable = Named(shown, local.GetProperty("name").GetString()!);
                var value = (string)variable["value"]!;
                if (local.TryGetProperty("error", out _)) continue;
                if (local.GetProperty("absent").GetBoolean())
                {
                    Assert.StartsWith("<optimized out", value);
                    continue;
                }
                Assert.Equal(local.GetProperty("type").GetString(), (string?)variable["type"]);
                // drgn: "(struct pt_regs *)0xffffa40a401a7cd8", "(long)0", "(bool)0", "(ssize_t)-5".
                var drgnValue = local.GetProperty("value").GetString()!;
                var scalar = drgnValue.Contains(" = 0x", StringComparison.Ordinal)
                    ? drgnValue.Split(" = ")[1] // "(const char *).LC0+0x31b = 0xffffffff8270c8cc = \"...\""
                    : drgnValue[(drgnValue.IndexOf(')') + 1)..];
                if (scalar.StartsWith("0x", StringComparison.Ordinal)) Assert.StartsWith(scalar.Split(' ')[0], value);
                else if (long.TryParse(scalar, out var number))
                    Assert.Equal(number, (string?)variable["type"] == "bool" ? (value == "true" ? 1 : 0) : long.Parse(value.Split(' ')[0]));
                else continue;
                checkedValues++;
            }
        }
        Assert.True(checkedValues >= atLeast, $"{checkedValues} values compared");
    }

    [FixtureFact]
    public async Task EntryValueParametersRegistersAndStrings()
    {
        await using var client = NewClient();
        var frames = await StartAsync(client);
        // #7 proc_reg_write: drgn cannot read its parameters (DW_OP_entry_value); vfs_write's call site gives them.
        Assert.Equal("proc_reg_write", (string?)frames[7]!["name"]);
        var scopes = await ScopesAsync(client, (int)frames[7]!["id"]!);
        var args = await VariablesAsync(client, scopes["Arguments"]);
        Assert.Equal("0xffffa0f7c031d000", (string?)Named(args, "file")["value"]);
        Assert.Equal("2", (string?)Named(args, "count")["value"]);
        Assert.Equal("0xffffa0f7c031d000", (string?)Named(args, "file")["memoryReference"]);
        // Registers: callee-saved ones recovered, caller-saved ones not available in an outer frame.
        var registers = await VariablesAsync(client, scopes["Registers"]);
        Assert.Equal("<not available>", (string?)Named(registers, "rax")["value"]);
        Assert.Equal("0xffffa0f7c083a3c0", "0x" + ((string)Named(registers, "rbx")["value"]!)[2..].TrimStart('0')); // drgn: rbx of frame #7
        // #2 panic: fmt is a char * shown with its string, buf a char[1024] shown as a string, paged 1024 elements.
        var panic = await ScopesAsync(client, (int)frames[2]!["id"]!);
        var fmt = Named(await VariablesAsync(client, panic["Arguments"]), "fmt");
        Assert.EndsWith("\"sysrq triggered crash\\n\"", (string)fmt["value"]!);
        var locals = await VariablesAsync(client, panic["Locals"]);
        var buf = Named(locals, "buf");
        Assert.Equal("\"sysrq triggered crash\"", (string?)buf["value"]);
        Assert.Equal(1024, (int?)buf["indexedVariables"]);
        var page = await VariablesAsync(client, (int)buf["variablesReference"]!, start: 6, count: 3);
        Assert.Equal(["[6]", "[7]", "[8]"], page.Select(v => (string?)v["name"]));
        Assert.Equal("116 't'", (string?)page[0]["value"]);
        Assert.Equal("buf[6]", (string?)page[0]["evaluateName"]);
        Assert.StartsWith("<optimized out", (string?)Named(locals, "i")["value"]);
    }

    [FixtureFact]
    public async Task StructsPointersFunctionPointersEnumsAndBitFieldsExpand()
    {
        await using var client = NewClient();
        var frames = await StartAsync(client);
        var scopes = await ScopesAsync(client, (int)frames[8]!["id"]!); // vfs_write
        var vfsArgs = await VariablesAsync(client, scopes["Arguments"]);
        // A char * into user space (not in the dump): the address alone.
        Assert.Equal("0x25177b70", (string?)Named(vfsArgs, "buf")["value"]);
        var file = Named(vfsArgs, "file");
        Assert.Equal("struct file *", (string?)file["type"]);
        // A pointer to a struct lists the struct's members.
        var members = await VariablesAsync(client, (int)file["variablesReference"]!);
        var fop = Named(members, "f_op");
        Assert.Equal("file->f_op", (string?)fop["evaluateName"]);
        var ops = await VariablesAsync(client, (int)fop["variablesReference"]!);
        // The file is /proc/sysrq-trigger: f_op is proc_reg_file_ops, whose write is proc_reg_write.
        var write = Named(ops, "write");
        Assert.Matches("^0xffffffff[0-9a-f]{8} <proc_reg_write>$", (string)write["value"]!);
        Assert.Equal(0, (int?)write["variablesReference"]);

        // Enum by name (drgn: (enum system_states)SYSTEM_RUNNING).
        Assert.Equal("SYSTEM_RUNNING", (string?)(await EvaluateAsync(client, "system_state"))["result"]);
        // Bit fields (drgn: platform_bus.kobj.state_initialized = 1, .state_remove_uevent_sent = 0).
        var kobj = await EvaluateAsync(client, "platform_bus.kobj");
        var kobjMembers = await VariablesAsync(client, (int)kobj["variablesReference"]!);
        Assert.Equal("1", (string?)Named(kobjMembers, "state_initialized")["value"]);
        Assert.Equal("0", (string?)Named(kobjMembers, "state_remove_uevent_sent")["value"]);
        Assert.Null(Named(kobjMembers, "state_initialized")["memoryReference"]);
        // Anonymous unions are children of their own; evaluate names skip them as C does.
        var task = await EvaluateAsync(client, "init_task");
        Assert.Equal("{...}", (string?)task["result"]);
        var taskMembers = await VariablesAsync(client, (int)task["variablesReference"]!);
        Assert.Equal("\"swapper/0\"", (string?)Named(taskMembers, "comm")["value"]);
        Assert.Equal("init_task.comm", (string?)Named(taskMembers, "comm")["evaluateName"]);
        Assert.Matches("^0x[0-9a-f]+$", (string)Named(taskMembers, "comm")["memoryReference"]!);
        // atomic_t / refcount_t by value, with the raw members reachable (drgn: usage = 1 for pid 68; init_task's is 2).
        var usage = Named(taskMembers, "usage");
        Assert.Matches("^[0-9]+$", (string)usage["value"]!);
        var raw = await VariablesAsync(client, (int)usage["variablesReference"]!);
        Assert.Equal("[raw]", (string?)raw.Single()["name"]);
        Assert.Equal("refs", (string?)(await VariablesAsync(client, (int)raw[0]["variablesReference"]!)).Single()["name"]);
        // cpumask as a CPU list (drgn: __cpu_online_mask.bits = { 3 }).
        Assert.Equal("{0-1}", (string?)(await EvaluateAsync(client, "__cpu_online_mask"))["result"]);
    }

    [FixtureFact]
    public async Task ListHeadsShowTheirEntriesAsTheContainingType()
    {
        await using var client = NewClient();
        await StartAsync(client);
        var task = await EvaluateAsync(client, "init_task");
        var members = await VariablesAsync(client, (int)task["variablesReference"]!);
        // children links task_structs through sibling (drgn: [(1, 'init'), (2, 'kthreadd')]).
        var children = Named(members, "children");
        var entries = await VariablesAsync(client, (int)children["variablesReference"]!);
        Assert.Equal(["[0]", "[1]", "[raw]"], entries.Select(e => (string?)e["name"]));
        Assert.Equal("struct task_struct *", (string?)entries[0]["type"]);
        var first = await VariablesAsync(client, (int)entries[0]["variablesReference"]!);
        Assert.Equal("1", (string?)Named(first, "pid")["value"]);
        Assert.Equal("\"init\"", (string?)Named(first, "comm")["value"]);
        var second = await VariablesAsync(client, (int)entries[1]["variablesReference"]!);
        Assert.Equal("\"kthreadd\"", (string?)Named(second, "comm")["value"]);
        var raw = await VariablesAsync(client, (int)entries[2]["variablesReference"]!);
        Assert.Equal(["next", "prev"], raw.Select(r => (string?)r["name"]));
        // tasks: the same member of the same type; the first is init, every entry a task_struct.
        var tasks = await VariablesAsync(client, (int)Named(members, "tasks")["variablesReference"]!);
        Assert.True(tasks.Count > 10);
        Assert.All(tasks.SkipLast(1), t => Assert.Equal("struct task_struct *", (string?)t["type"]));
    }

    [FixtureFact]
    public async Task WatchAndHoverEvaluateInTheFramesScope()
    {
        await using var client = NewClient();
        var frames = await StartAsync(client);
        var vfsWrite = (int)frames[8]!["id"]!;
        var count = await EvaluateAsync(client, "count * 2", "watch", vfsWrite);
        Assert.Equal("4", (string?)count["result"]);
        var comm = await EvaluateAsync(client, "file->f_path.dentry->d_iname", "hover", vfsWrite);
        Assert.Equal("\"sysrq-trigger\"", (string?)comm["result"]);
        Assert.Equal(32, (int?)comm["indexedVariables"]);
        // A local of another frame is not in this one; globals still are.
        var failure = await client.ResponseAsync(await client.SendAsync("evaluate", new { expression = "fixed_regs", context = "watch", frameId = vfsWrite }));
        Assert.False((bool?)failure["success"]);
        Assert.Contains("No symbol \"fixed_regs\" in current context.", (string?)failure["message"]);
        var jiffies = await EvaluateAsync(client, "jiffies", "watch", vfsWrite);
        Assert.Matches("^[0-9]+$", (string)jiffies["result"]!);
        // Expandable result.
        var regs = await EvaluateAsync(client, "fixed_regs", "watch", (int)frames[1]!["id"]!);
        var regMembers = await VariablesAsync(client, (int)regs["variablesReference"]!);
        Assert.Equal("18446642962664946904", (string?)Named(regMembers, "sp")["value"]); // drgn: .sp = 18446642962664946904
    }

    [FixtureFact]
    public async Task ExcludedPagesAndBadReferencesAreReportedAndSetVariableIsRefused()
    {
        await using var client = NewClient();
        await StartAsync(client);
        ulong va;
        using (var target = KernelTarget.Open(new TargetOptions(Fixtures.Plain("sysrq/vmcore.kdump-zlib"), Fixtures.Path("kernel/vmlinux.xz"),
                   CacheDirectory: Path.Combine(Fixtures.CacheDirectory, "vmlinux-cache"))))
        {
            var memory = target.Dump.Memory;
            ulong pfn = 0;
            for (ulong p = 0x100; p < memory.MaxPfn && pfn == 0; p++)
                if (memory.GetPageStatus(p) == Dump.PageStatus.Excluded) pfn = p;
            Assert.True(target.TryLookupSymbol("page_offset_base", out var pob));
            var b = new byte[8];
            target.ReadVirtual(pob.Address, b);
            va = BitConverter.ToUInt64(b) + pfn * 4096;
        }
        var excluded = await EvaluateAsync(client, $"*(unsigned long *)0x{va:x}");
        Assert.StartsWith("<excluded from the dump: page excluded: virtual address", (string?)excluded["result"]);
        var structure = await EvaluateAsync(client, $"*(struct pt_regs *)0x{va:x}", "hover");
        var inside = await VariablesAsync(client, (int)structure["variablesReference"]!);
        Assert.StartsWith("<excluded from the dump: page excluded: virtual address", (string?)inside[0]["value"] ?? "");

        var bad = await client.ResponseAsync(await client.SendAsync("variables", new { variablesReference = 987654 }));
        Assert.False((bool?)bad["success"]);
        Assert.Contains("variablesReference 987654 does not exist", (string?)bad["message"]);
        var set = await client.ResponseAsync(await client.SendAsync("setVariable", new { variablesReference = 1, name = "x", value = "1" }));
        Assert.False((bool?)set["success"]);
        Assert.Equal(DapSession.ReadOnlyVariablesMessage, (string?)set["message"]);
        var noFrame = await client.ResponseAsync(await client.SendAsync("scopes", new { frameId = 424242 }));
        Assert.Contains("frame 424242 does not exist", (string?)noFrame["message"]);
    }

    [FixtureFact]
    public async Task ScopeReferencesAreStableAndBigExpansionsDoNotBlockStackTraces()
    {
        await using var client = NewClient();
        var frames = await StartAsync(client);
        var frameId = (int)frames[2]!["id"]!;
        Assert.Equal(await ScopesAsync(client, frameId), await ScopesAsync(client, frameId));
        // Every task through init_task.tasks (a list walk and one task_struct read per entry),
        // with threads and stackTrace sent behind it: all three are answered.
        var task = await EvaluateAsync(client, "init_task");
        var tasksRef = (int)Named(await VariablesAsync(client, (int)task["variablesReference"]!), "tasks")["variablesReference"]!;
        var big = await client.SendAsync("variables", new { variablesReference = tasksRef });
        var threads = await client.SendAsync("threads");
        var stack = await client.SendAsync("stackTrace", new { threadId = 1, startFrame = 0, levels = 5 });
        Assert.True((bool?)(await client.ResponseAsync(threads))["success"]);
        Assert.True((bool?)(await client.ResponseAsync(stack))["success"]);
        Assert.True(Body(await client.ResponseAsync(big))["variables"]!.AsArray().Count > 10);
    }

    /// <summary>drgn: vmap_area_root has 57 nodes in order, the first 0xffffa0f7c0144050;
    /// init_struct_pid.tasks[2] (PIDTYPE_PGID) 42 entries from 0xffffa0f7c0a9aca0; panic_cpu = 0.</summary>
    [FixtureFact]
    public async Task HlistsRbTreesAndTheGlobalsScope()
    {
        await using var client = NewClient();
        var frames = await StartAsync(client);
        var tree = await EvaluateAsync(client, "vmap_area_root");
        Assert.Equal("rb-tree {...}", (string?)tree["result"]);
        var nodes = await VariablesAsync(client, (int)tree["variablesReference"]!);
        Assert.Equal(58, nodes.Count); // 57 nodes and [raw]
        Assert.Equal("struct rb_node *", (string?)nodes[0]["type"]);
        Assert.Equal("0xffffa0f7c0144050", (string?)nodes[0]["value"]);
        Assert.Equal("rb_node", (string?)(await VariablesAsync(client, (int)nodes[^1]["variablesReference"]!)).Single()["name"]);

        var pgid = await EvaluateAsync(client, "init_struct_pid.tasks[2]");
        var entries = await VariablesAsync(client, (int)pgid["variablesReference"]!);
        Assert.Equal(43, entries.Count);
        Assert.Equal("0xffffa0f7c0a9aca0", (string?)entries[0]["value"]);
        Assert.Equal("empty list", (string?)(await EvaluateAsync(client, "init_struct_pid.tasks[0]"))["result"]);

        // Globals of panic's compilation unit (kernel/panic.c), by name, atomic_t shown by value.
        var globals = await VariablesAsync(client, (await ScopesAsync(client, (int)frames[2]!["id"]!))["Globals"]);
        Assert.Equal(globals.Select(g => (string)g["name"]!).Order(StringComparer.Ordinal), globals.Select(g => (string)g["name"]!));
        Assert.Equal("0", (string?)Named(globals, "panic_cpu")["value"]);
        Assert.Equal("atomic_t", (string?)Named(globals, "panic_cpu")["type"]);
    }

    /// <summary>
    /// The Per-CPU scope of the panic frame (sysrq: pid 68 on CPU 0, facts.json): every per-CPU
    /// variable by name, paged; runqueues of CPU 0 runs the panic task (drgn:
    /// per_cpu(runqueues, 0).curr == 0xffffa0f7c0a9a880) and cpu_number of CPU 0 is 0.
    /// </summary>
    [FixtureFact]
    public async Task ThePerCpuScopeListsTheTasksCpusPerCpuVariablesPaged()
    {
        await using var client = NewClient();
        var frames = await StartAsync(client);
        using var facts = JsonDocument.Parse(Fixtures.ReadText("sysrq/facts.json"));
        var panicTask = "0x" + facts.RootElement.GetProperty("panic_task").GetString();
        var panicCpu = facts.RootElement.GetProperty("panic_cpu").GetInt32();
        var scopes = Body(await client.ResponseAsync(await client.SendAsync("scopes", new { frameId = (int)frames[0]!["id"]! })))["scopes"]!.AsArray();
        var perCpu = scopes.Single(s => (string?)s!["name"] == "Per-CPU")!;
        Assert.True((bool?)perCpu["expensive"]);
        var total = (int)perCpu["namedVariables"]!;
        Assert.True(total > 100, $"{total} per-CPU variables");
        var reference = (int)perCpu["variablesReference"]!;
        var page = await VariablesAsync(client, reference, start: 10, count: 5);
        Assert.Equal(5, page.Count);
        var all = await VariablesAsync(client, reference);
        Assert.Equal(total, all.Count);
        Assert.Equal(all.Skip(10).Take(5).Select(v => (string?)v["name"]), page.Select(v => (string?)v["name"]));
        var names = all.Select(v => (string)v["name"]!).ToList();
        Assert.Equal(names.Order(StringComparer.Ordinal), names);

        var cpuNumber = Named(all, "cpu_number");
        Assert.Equal("int", (string?)cpuNumber["type"]);
        Assert.Equal(panicCpu.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)cpuNumber["value"]);
        var runqueues = Named(all, "runqueues");
        Assert.Equal("struct rq", (string?)runqueues["type"]);
        var rq = await VariablesAsync(client, (int)runqueues["variablesReference"]!);
        var curr = Named(rq, "curr");
        Assert.Equal(panicTask, (string?)curr["value"]);
        Assert.Equal("struct task_struct *", (string?)curr["type"]);
        // A per-CPU copy has no name of its own: its expression is its address, and watches work on it.
        var watched = await EvaluateAsync(client, (string)curr["evaluateName"]!);
        Assert.Equal(panicTask, (string?)watched["result"]);
        Assert.Equal(cpuNumber["value"]!.ToString(), (string?)Named(rq, "cpu")["value"]);
    }

    /// <summary>
    /// oops-module with lkdtm.ko's DWARF: the module frames get their variables and the Globals
    /// of their compilation unit (drivers/misc/lkdtm/core.c for direct_entry), typed by the module.
    /// </summary>
    [FixtureFact]
    public async Task ModuleFramesShowTheirVariablesAndTheirUnitsGlobals()
    {
        await using var client = NewClient();
        var frames = await StartAsync(client, "oops-module");
        var names = frames.Select(f => (string?)f!["name"]).ToList();
        var directEntry = frames[names.IndexOf("direct_entry")]!;
        var scopes = await ScopesAsync(client, (int)directEntry["id"]!);
        var args = await VariablesAsync(client, scopes["Arguments"]);
        Assert.Equal(["f", "user_buf", "count", "off"], args.Select(a => (string?)a["name"]));
        Assert.Equal("10", (string?)Named(args, "count")["value"]);
        var locals = await VariablesAsync(client, scopes["Locals"]);
        var crashtype = Named(locals, "crashtype");
        Assert.Equal("const struct crashtype *", (string?)crashtype["type"]);
        var members = await VariablesAsync(client, (int)crashtype["variablesReference"]!);
        Assert.EndsWith("\"EXCEPTION\"", (string?)Named(members, "name")["value"]);
        Assert.Matches("<lkdtm_EXCEPTION>$", (string?)Named(members, "func")["value"]);
        // core.c's file statics, at module addresses (no KASLR slide).
        var globals = await VariablesAsync(client, scopes["Globals"]);
        Assert.StartsWith("0xffffffffc", (string?)Named(globals, "crashtype_categories")["memoryReference"]);
        // lkdtm_EXCEPTION(void) has no variables; its unit is bugs.c, whose crashtypes[] table holds
        // the entry direct_entry found (drgn: crashtype = crashtypes+0x40 = 0xffffffffc00e02c0).
        var exception = await ScopesAsync(client, (int)frames[names.IndexOf("lkdtm_EXCEPTION")]!["id"]!);
        Assert.Equal(["Arguments", "Locals", "Registers", "Globals", "Per-CPU"], exception.Keys);
        Assert.Empty(await VariablesAsync(client, exception["Arguments"]));
        var crashtypes = Named(await VariablesAsync(client, exception["Globals"]), "crashtypes");
        Assert.Equal("0xffffffffc00e0280", (string?)crashtypes["memoryReference"]);
        Assert.Matches(@"^struct crashtype \[\d+\]$", (string?)crashtypes["type"]);
        Assert.True((int?)crashtypes["indexedVariables"] > 2);
    }
}
