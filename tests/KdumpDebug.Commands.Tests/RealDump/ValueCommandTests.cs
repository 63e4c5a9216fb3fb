using KdumpDebug.TestSupport;

namespace KdumpDebug.Commands.Tests.RealDump;

/// <summary>
/// p, whatis, ptype and struct on the real sysrq dump beyond the recorded session: errors (crash
/// 8.0.2's own lines, after which we print gdb's reason), the value history, and the formats.
/// </summary>
public sealed class ValueCommandTests
{
    static CommandSession Session() => new(FixtureDumps.Open("sysrq"));

    [FixtureTheory]
    // crash prints only "p: gdb request failed: p EXPR"; gdb's reason is on the line before.
    [InlineData("p nosuchsym", "No symbol \"nosuchsym\" in current context.\np: gdb request failed: p nosuchsym\n")]
    [InlineData("p init_task.nosuch", "There is no member named nosuch.\np: gdb request failed: p init_task.nosuch\n")]
    [InlineData("p *init_task.mm", "Cannot access memory at address 0x0\np: gdb request failed: p *init_task.mm\n")]
    [InlineData("p 1 +", "A syntax error in expression, near `'.\np: gdb request failed: p 1 +\n")]
    [InlineData("p (struct nosuch *)0", "No struct type named nosuch.\np: gdb request failed: p (struct nosuch *)0\n")]
    [InlineData("ptype struct nosuch", "No struct type named nosuch.\nptype: gdb request failed: ptype struct nosuch\n")]
    // crash 8.0.2, word for word (the eval, whatis, p/FMT lines below too):
    [InlineData("p -1", "p: invalid option -- '1'\nUsage:\n  p [-x|-d][-u] [expression | symbol[:cpuspec]]\nEnter \"help p\" for details.\n")]
    [InlineData("whatis nosuchsym", "whatis: cannot resolve: nosuchsym\nUsage:\n  whatis [[-o] [struct | union | typedef | symbol]] | \n         [[-r [size|range]] [-m member]]\nEnter \"help whatis\" for details.\n")]
    [InlineData("struct task_struct.nosuch ffffa0f7c0a9a880", "struct: invalid data structure reference: task_struct.nosuch\n")]
    [InlineData("struct list_head 0", "struct: invalid kernel virtual address: 0\n")]
    [InlineData("eval nosuch", "No symbol \"nosuch\" in current context.\neval: invalid expression: (nosuch)\n")]
    [InlineData("whatis SYSTEM_RUNNING", "enum system_states = 3\n")]
    [InlineData("p/d (unsigned char)200", "$1 = -56\n")]
    [InlineData("p/x (char)-1", "$1 = 0xff\n")]
    [InlineData("p/c 321", "$1 = 65 'A'\n")]
    [InlineData("whatis pid_t", "typedef int pid_t;\nSIZE: 4\n")]
    [InlineData("eval jiffies", "hexadecimal: ffffffff828079c0  \n    decimal: 18446744071604042176  (-2105509440)\n      octal: 1777777777760240074700\n     binary: 1111111111111111111111111111111110000010100000000111100111000000\n")]
    [InlineData("struct task_struct.pid", "struct task_struct {\n   [912] pid_t pid;\n}\n")]
    [InlineData("struct list_head.next", "struct list_head {\n   [0] struct list_head *next;\n}\n")]
    [InlineData("struct -x list_head", "struct list_head {\n    struct list_head *next;\n    struct list_head *prev;\n}\nSIZE: 0x10\n")]
    [InlineData("struct list_head ffffffff828128b0 -2", "struct: invalid option -- '2'\nUsage:\n  struct struct_name[.member[,member]][-o][-l offset][-rfuxdp]\n         [address | symbol][:cpuspec] [count | -c count]\nEnter \"help struct\" for details.\n")]
    [InlineData("union thread_union", "union: invalid data structure reference: thread_union\n")]
    [InlineData("*task_struct.pid ffffa0f7c0a9a880", "crash: command not found: *task_struct.pid\n")]
    public void ErrorsMatchCrash(string command, string expected) => Assert.Equal(expected, Session().ExecuteAndCapture(command));

    [FixtureFact]
    public void ValueHistoryNumbersOnlySuccessfulPrints()
    {
        var session = Session();
        Assert.Equal("jiffies = $1 = 4294893219\n", session.ExecuteAndCapture("p jiffies"));
        session.ExecuteAndCapture("p nosuchsym");
        Assert.Equal("$2 = 68\n", session.ExecuteAndCapture("p ((struct task_struct *)0xffffa0f7c0a9a880)->pid"));
        Assert.Equal("$3 = 69\n", session.ExecuteAndCapture("p $ + 1"));
        Assert.Equal("$4 = 4294893220\n", session.ExecuteAndCapture("p $1 + 1"));
        Assert.Equal("$5 = 68\n", session.ExecuteAndCapture("p $$2"));
        Assert.Equal("History has not yet reached $9.\np: gdb request failed: p $9\n", session.ExecuteAndCapture("p $9"));
    }

    [FixtureFact]
    public void FormatsApplyToEveryScalarInsideAggregates()
    {
        var session = Session();
        Assert.Equal("$1 = {\n  next = 0xffffa0f7c01a02b0,\n  prev = 0xffffa0f7c0a9ab30\n}\n", session.ExecuteAndCapture("p/x init_task.tasks"));
        Assert.Equal("$2 = 0x44\n", session.ExecuteAndCapture("p/x ((struct task_struct *)0xffffa0f7c0a9a880)->pid"));
        Assert.Equal("$3 = 68 'D'\n", session.ExecuteAndCapture("p/c 68"));
        Assert.Equal("$4 = -1\n", session.ExecuteAndCapture("p/d 0xffffffff"));
        Assert.Equal("  pid = 0x44,\n  comm = \"sh\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\",\n",
            session.ExecuteAndCapture("struct -x task_struct.pid,comm ffffa0f7c0a9a880"));
    }

    [FixtureFact]
    public void FlagEnumsPrintTheirBitsByNameLikeCrash()
    {
        // crash 8.0.2 on the sysrq dump, this session.
        var session = Session();
        Assert.Equal("$1 = (MEMBLOCK_HOTPLUG | MEMBLOCK_MIRROR)\n", session.ExecuteAndCapture("p (enum memblock_flags)3"));
        Assert.Equal("$2 = (MEMBLOCK_HOTPLUG | MEMBLOCK_MIRROR | unknown: 0x10)\n", session.ExecuteAndCapture("p (enum memblock_flags)0x13"));
        Assert.Equal("$3 = MEMBLOCK_NONE\n", session.ExecuteAndCapture("p (enum memblock_flags)0"));
        Assert.Equal("$4 = 7\n", session.ExecuteAndCapture("p (enum pid_type)7"));
        Assert.Equal("$5 = 0x3\n", session.ExecuteAndCapture("p/x (enum memblock_flags)3"));
        Assert.Equal("$6 = MEMBLOCK_NOMAP\n", session.ExecuteAndCapture("p (enum memblock_flags)4"));
    }

    [FixtureFact]
    public void PerCpuVariablesLikeCrash()
    {
        // crash 8.0.2 on the sysrq dump, this session.
        var session = Session();
        Assert.Equal("PER-CPU DATA TYPE:\n  int cpu_number;\nPER-CPU ADDRESSES:\n  [0]: ffffa0f7cce15160\n  [1]: ffffa0f7ccf15160\n",
            session.ExecuteAndCapture("p cpu_number"));
        Assert.Equal("per_cpu(cpu_number, 0) = $1 = 0\n", session.ExecuteAndCapture("p cpu_number:0"));
        Assert.Equal("per_cpu(cpu_number, 1) = $2 = 1\n", session.ExecuteAndCapture("p cpu_number:1"));
        Assert.Equal("per_cpu(cpu_number, 0) = $3 = 0\nper_cpu(cpu_number, 1) = $4 = 1\n", session.ExecuteAndCapture("p cpu_number:a"));
        Assert.Equal("per_cpu(cpu_number, 0) = $5 = 0\nper_cpu(cpu_number, 1) = $6 = 1\n", session.ExecuteAndCapture("p cpu_number:0,1"));
        Assert.Equal("per_cpu(this_cpu_off, 1) = $7 = 18446639584888487936\n", session.ExecuteAndCapture("p this_cpu_off:1"));
        Assert.Equal("p: invalid cpu specification: 5\n", session.ExecuteAndCapture("p cpu_number:5"));
        Assert.Equal("[0]: ffffa0f7cce1edc0\n  cpu = 0,\n[1]: ffffa0f7ccf1edc0\n  cpu = 1,\n", session.ExecuteAndCapture("struct rq.cpu runqueues:a"));
        Assert.Equal("[0]: ffffa0f7cce1edc0\n  cpu = 0,\n  nr_running = 1,\n", session.ExecuteAndCapture("struct rq.cpu,nr_running runqueues:0"));
        Assert.Equal("[1]: ffffa0f7ccf1edc0\nstruct list_head {\n  next = 0x100000000,\n  prev = 0x0\n}\n", session.ExecuteAndCapture("struct list_head runqueues:1"));
    }

    [FixtureFact]
    public void ASymbolsOneLineBraceValueStartsOnTheNextLineLikeCrash()
    {
        // crash 8.0.2 on the sysrq dump, this session.
        var session = Session();
        Assert.Equal("__per_cpu_offset = $1 = \n {18446639584887439360, 18446639584888487936, 18446744071606317056, 18446744071606317056}\n",
            session.ExecuteAndCapture("p __per_cpu_offset"));
        Assert.Equal("__per_cpu_offset = $2 = \n {0xffffa0f7cce00000, 0xffffa0f7ccf00000, 0xffffffff82a33000, 0xffffffff82a33000}\n",
            session.ExecuteAndCapture("p -x __per_cpu_offset"));
        Assert.Equal("jiffies = $3 = 0xfffedea3\n", session.ExecuteAndCapture("p -x jiffies"));
        // An array longer than crash's 256 elements ends in "..." (sys_call_table has 451).
        var table = session.ExecuteAndCapture("p sys_call_table");
        Assert.StartsWith("sys_call_table = $4 = \n {0xffffffff81f3efa0 <__x64_sys_read>, 0xffffffff81f3f090 <__x64_sys_write>, ", table);
        Assert.EndsWith(">...}\n", table);
        Assert.Equal(256, table.Split(", ").Length);
        Assert.EndsWith("0xffffffff81e6d650 <__x64_sys_inotify_rm_watch>...}\n", table);
        Assert.Equal("$5 = 0xffffffff8264ae74 <linux_banner+20> \"2-fixture (fixture@fixture-factory) (gcc (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP 2025-01-01 00:00:00 UTC\\n\"\n",
            session.ExecuteAndCapture("p (char *)linux_banner + 20"));
    }

    [FixtureFact]
    public void StructAcceptsASymbolAndACount()
    {
        var session = Session();
        var one = session.ExecuteAndCapture("struct list_head ffffffff828128b0");
        Assert.Equal(one, session.ExecuteAndCapture("struct list_head 0xffffffff828128b0"));
        Assert.Equal("  pid = 0,\n", session.ExecuteAndCapture("struct task_struct.pid init_task"));
        var three = session.ExecuteAndCapture("struct list_head ffffffff828128b0 3");
        Assert.Equal(3, three.Split("struct list_head {").Length - 1);
        Assert.StartsWith(one + "\n", three);
    }

    [FixtureFact]
    public void WhatisAndPtypeOfTypedefs()
    {
        var session = Session();
        // crash 8.0.2: whatis u32 and whatis -o u32 both print this.
        Assert.Equal("typedef unsigned int u32;\nSIZE: 4\n", session.ExecuteAndCapture("whatis u32"));
        Assert.Equal("type = unsigned int\n", session.ExecuteAndCapture("ptype u32"));
        // gdb's ptype expands a struct behind a pointer too.
        Assert.Equal("type = struct list_head {\n    struct list_head *next;\n    struct list_head *prev;\n} *\n", session.ExecuteAndCapture("ptype init_task.tasks.next"));
        Assert.StartsWith("struct list_head {\n   [0] struct list_head *next;\n", session.ExecuteAndCapture("whatis -o struct list_head"));
    }
}
