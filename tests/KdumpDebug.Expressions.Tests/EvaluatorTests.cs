using System.Collections.Concurrent;
using System.Text.Json;
using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo.Types;
using KdumpDebug.Target;
using KdumpDebug.Target.Objects;
using KdumpDebug.TestSupport;

namespace KdumpDebug.Expressions.Tests;

/// <summary>
/// The evaluator on the real sysrq dump (its vmlinux's DWARF and memory): C's integer rules,
/// pointer arithmetic, globals, functions, enumerators, casts, the scope hook, and gdb's errors.
/// Values that come from the dump are checked against crash 8.0.2's answers on the same dump.
/// </summary>
public sealed class EvaluatorTests
{
    static readonly ConcurrentDictionary<string, Lazy<KernelTarget>> Targets = new();

    static KernelTarget Sysrq() => Targets.GetOrAdd("sysrq", s => new Lazy<KernelTarget>(() =>
    {
        var main = JsonDocument.Parse(File.ReadAllText(Fixtures.Path($"{s}/facts.json"))).RootElement.GetProperty("main_dump").GetString()!;
        return KernelTarget.Open(new TargetOptions(Fixtures.Plain($"{s}/{main}"), Fixtures.Path("kernel/vmlinux.xz"),
            CacheDirectory: Path.Combine(Fixtures.CacheDirectory, "vmlinux-cache")));
    })).Value;

    internal static Evaluator E(IExpressionScope? scope = null) => Evaluator.For(Sysrq(), scope);

    static long Signed(string expression) => E().Evaluate(expression).ReadSigned();

    static ulong Unsigned(string expression) => E().Evaluate(expression).ReadUnsigned();

    static string TypeOf(string expression) => TypePrinter.TypeName(E().TypeOf(expression));

    [FixtureTheory]
    [InlineData("1+2*3", 7)]
    [InlineData("-5 / 2", -2)]
    [InlineData("-5 % 2", -1)]
    [InlineData("1 << 40", 0)] // int << 40: gdb gives 0
    [InlineData("1L << 40", 1L << 40)]
    [InlineData("-1 < 0u", 0)] // int converts to unsigned int
    [InlineData("-1 < 0L", 1)]
    [InlineData("(unsigned char)300", 44)]
    [InlineData("(signed char)255", -1)]
    [InlineData("~0", -1)]
    [InlineData("!5", 0)]
    [InlineData("3 > 2 && 2 > 1", 1)]
    [InlineData("0 || 0", 0)]
    [InlineData("5 == 3 ? 1 : 2", 2)]
    [InlineData("'A' + 1", 66)]
    [InlineData("-8 >> 1", -4)]
    [InlineData("0xffffffff + 1", 0)] // unsigned int wraps
    [InlineData("4294967295 + 1", 4294967296)] // a decimal that does not fit int is long
    [InlineData("sizeof(long)", 8)]
    [InlineData("sizeof(struct page)", 64)]
    [InlineData("sizeof init_task", 6528)]
    [InlineData("sizeof(struct task_struct *)", 8)]
    [InlineData("sizeof(int[10])", 40)]
    [InlineData("sizeof(char (*)[16])", 8)]
    [InlineData("sizeof(*(char (*)[16])0)", 16)]
    [InlineData("(1, 2)", 2)]
    public void IntegerArithmeticFollowsC(string expression, long expected) => Assert.Equal(expected, Signed(expression));

    [FixtureTheory]
    [InlineData("1", "int")]
    [InlineData("0xffffffff", "unsigned int")]
    [InlineData("4294967296", "long")]
    [InlineData("10UL", "unsigned long")]
    [InlineData("'a'", "char")]
    [InlineData("(char)1 + (char)1", "int")]
    [InlineData("1 + 1L", "long")]
    [InlineData("1u + 1", "unsigned int")]
    [InlineData("1u + 1L", "long")]
    [InlineData("sizeof(int)", "unsigned long")]
    [InlineData("init_task.comm", "char [16]")]
    [InlineData("&init_task.comm", "char (*)[16]")]
    [InlineData("init_task.comm[0]", "char")]
    [InlineData("&init_task", "struct task_struct *")]
    [InlineData("*&init_task", "struct task_struct")]
    [InlineData("init_task.tasks.next", "struct list_head *")]
    [InlineData("init_task.tasks.next - init_task.tasks.prev", "long")]
    [InlineData("jiffies", "volatile unsigned long")]
    [InlineData("system_state", "enum system_states")]
    [InlineData("SYSTEM_RUNNING", "enum system_states")]
    [InlineData("sysrq_handle_crash", "void (int)")]
    [InlineData("&sysrq_handle_crash", "void (*)(int)")]
    [InlineData("init_task.comm == 0", "int")]
    [InlineData("struct task_struct", "struct task_struct")]
    [InlineData("*init_task.comm@3", "char [3]")]
    [InlineData("(char (*)[16])&init_task.comm", "char (*)[16]")]
    [InlineData("(struct list_head *(*)[2])0", "struct list_head *(*)[2]")]
    [InlineData("(int (*)[2][3])0", "int (*)[2][3]")]
    [InlineData("(int *)0", "int *")]
    [InlineData("sizeof(int[10])", "unsigned long")]
    public void TypesAreGdbs(string expression, string expected) => Assert.Equal(expected, TypeOf(expression));

    [FixtureFact]
    public void GlobalsAreReadAtTheirRelocatedAddresses()
    {
        // crash 8.0.2 on this dump: p jiffies = 4294893219, p &init_task.tasks = 0xffffffff828128b0.
        Assert.Equal(4294893219UL, Unsigned("jiffies"));
        Assert.Equal(0xffffffff828128b0UL, Unsigned("&init_task.tasks"));
        Assert.Equal(0xffffffff82812600UL, E().Evaluate("init_task").Address);
        Assert.Equal(68, Signed("((struct task_struct *)0xffffa0f7c0a9a880)->pid"));
        Assert.Equal("sh", E().Evaluate("((struct task_struct *)0xffffa0f7c0a9a880)->comm").ReadCString());
        // Through the pointer with '.', as gdb allows, and with '->' on the struct itself.
        Assert.Equal(68, Signed("((struct task_struct *)0xffffa0f7c0a9a880).pid"));
        Assert.Equal((long)'s', Signed("init_task.comm[0]"));
        Assert.Equal((long)'w', Signed("*(init_task.comm + 1)"));
        Assert.Equal(0xffffffff8204d940UL, Unsigned("&sysrq_handle_crash"));
        Assert.Equal(1, Signed("system_state == SYSTEM_RUNNING"));
    }

    [FixtureFact]
    public void PointerArithmeticIsScaledByThePointeeSize()
    {
        Assert.Equal(0xffffffff828128c0UL, Unsigned("&init_task.tasks + 1"));
        Assert.Equal(0xffffffff828128a0UL, Unsigned("&init_task.tasks - 1"));
        Assert.Equal(0xffffffff828128c0UL, Unsigned("1 + &init_task.tasks"));
        Assert.Equal(0xffffffff828128b1UL, Unsigned("(char *)&init_task.tasks + 1"));
        Assert.Equal(6528UL, Unsigned("(struct task_struct *)0 + 1"));
        Assert.Equal(3, Signed("&init_task.comm[3] - &init_task.comm[0]"));
        Assert.Equal(1, Signed("(&init_task.tasks + 1) - &init_task.tasks"));
        Assert.Equal(1, Signed("&init_task.tasks < &init_task.tasks + 1"));
        Assert.Equal(0xffffffff82812600UL + 688, Unsigned("&((struct task_struct *)0xffffffff82812600)->tasks"));
    }

    [FixtureFact]
    public void CastsOfLvaluesReinterpretMemory()
    {
        var list = E().Evaluate("*(struct list_head *)&init_task.tasks");
        Assert.Equal(0xffffffff828128b0UL, list.Address);
        Assert.Equal(0xffffa0f7c01a02b0UL, list.Member("next").ReadUnsigned());
        Assert.Equal(0xffffa0f7c01a02b0UL, Unsigned("(unsigned long)init_task.tasks.next"));
        Assert.Equal(1, Signed("(_Bool)8"));
    }

    sealed class Locals(Dictionary<string, Func<Evaluator, TargetObject>> values, Evaluator? evaluator = null) : IExpressionScope
    {
        public Evaluator? Evaluator { get; set; } = evaluator;

        public bool TryLookup(string name, out TargetObject value)
        {
            value = null!;
            if (!values.TryGetValue(name, out var make)) return false;
            value = make(Evaluator!);
            return true;
        }
    }

    [FixtureFact]
    public void TheScopeIsAskedBeforeGlobals()
    {
        var scope = new Locals(new()
        {
            ["task"] = e => e.Evaluate("(struct task_struct *)0xffffa0f7c0a9a880"),
            ["jiffies"] = e => e.Evaluate("42"),
        });
        var evaluator = E(scope);
        scope.Evaluator = E();
        Assert.Equal(68, evaluator.Evaluate("task->pid").ReadSigned());
        Assert.Equal(42, evaluator.Evaluate("jiffies").ReadSigned());
        Assert.Equal(0xffffffff828128b0UL, evaluator.Evaluate("&init_task.tasks").ReadUnsigned());
    }

    [FixtureTheory]
    [InlineData("nosuchsym", "No symbol \"nosuchsym\" in current context.")]
    [InlineData("init_task.nosuch", "There is no member named nosuch.")]
    [InlineData("init_task.tasks.next->bar", "There is no member named bar.")]
    [InlineData("(struct nosuch *)0", "No struct type named nosuch.")]
    [InlineData("sizeof(struct nosuch)", "No struct type named nosuch.")]
    [InlineData("1 / 0", "Division by zero")]
    [InlineData("1 % 0", "Division by zero")]
    [InlineData("*jiffies_64 + init_task", "Argument to arithmetic operation not a number or boolean.")]
    [InlineData("*init_task", "Attempt to take contents of a non-pointer value.")]
    [InlineData("jiffies.x", "Attempt to extract a component of a value that is not a structure (type volatile unsigned long).")]
    [InlineData("jiffies[1]", "cannot subscript something of type `volatile unsigned long'")]
    [InlineData("&1", "Attempt to take address of value not located in memory.")]
    [InlineData("struct task_struct", "Attempt to use a type name as an expression")]
    [InlineData("(void (*)(int))sysrq_handle_crash", "casts to function types are not supported; cast to void * or unsigned long instead")]
    [InlineData("(char (*)[16]x)0", "A syntax error in expression, near `x'.")] // quoted from the type name
    [InlineData("entry_SYSCALL_64", "'entry_SYSCALL_64' has unknown type; cast it to its declared type")]
    public void ErrorsUseGdbsWording(string expression, string message)
    {
        var e = Assert.ThrowsAny<KdumpDebugException>(() => E().Evaluate(expression).ReadUnsigned());
        Assert.Equal(message, e.Message);
    }

    [FixtureFact]
    public void ReadingANullPointerFaults()
    {
        Assert.ThrowsAny<KdumpDebugException>(() => E().Evaluate("*init_task.mm").ReadBytes());
    }
}
