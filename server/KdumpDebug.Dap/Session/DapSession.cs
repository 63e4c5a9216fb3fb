using System.Text;
using KdumpDebug.Commands;
using KdumpDebug.Core.Errors;
using KdumpDebug.Dap.Protocol;
using KdumpDebug.Debuginfo.Types;
using KdumpDebug.Dap.Transport;
using KdumpDebug.Expressions;
using KdumpDebug.Kernel;
using KdumpDebug.Target;
using KdumpDebug.Target.Unwind;
using DapThread = KdumpDebug.Dap.Protocol.Thread;

namespace KdumpDebug.Dap.Session;

/// <summary>
/// The debug adapter's session (ARCHITECTURE.md "DAP mapping"): registers the request handlers
/// on a <see cref="DapServer"/> and translates them to the engine. One dump per session, opened
/// by <c>launch</c>; tasks are threads, the unwinder's logical frames (inline ones included) are
/// stack frames, the repl runs crash commands or C expressions. Ids live in
/// <see cref="DapHandleTable{TKey}"/>s owned by the session and stay valid until it ends (a dump
/// never resumes). Thread-safe: <c>threads</c> and <c>stackTrace</c> run concurrently; commands
/// and expressions share one <see cref="CommandSession"/> and run one at a time.
/// </summary>
public sealed partial class DapSession : IDisposable
{
    /// <summary>The error every request needing a dump gets before a successful <c>launch</c>.</summary>
    public const string NoDumpMessage = "no dump is open: send launch first";

    private readonly DapServer _server;
    private readonly string? _cacheDirectory;
    private readonly Lock _stateLock = new();
    private OpenDump? _dump;
    private bool _configurationDone;
    private bool _stoppedSent;

    /// <summary>
    /// Registers the handlers on <paramref name="server"/> and sets its capabilities; call before
    /// <see cref="DapServer.RunAsync"/>. <paramref name="cacheDirectory"/> is where compressed
    /// debug files are unpacked (null: the default cache folder).
    /// </summary>
    public DapSession(DapServer server, string? cacheDirectory = null)
    {
        _server = server;
        _cacheDirectory = cacheDirectory;
        var caps = server.Capabilities;
        caps.SupportsConfigurationDoneRequest = true;
        caps.SupportsExceptionInfoRequest = true;
        caps.SupportsEvaluateForHovers = true;
        caps.SupportsTerminateRequest = true;

        var json = DapJsonContext.Default;
        server.AddHandler(DapCommands.Launch, json.KdumpLaunchRequestArguments, LaunchAsync, DapExecution.Serialized);
        server.AddHandler(DapCommands.ConfigurationDone, json.JsonElement, ConfigurationDoneAsync, DapExecution.Serialized);
        server.AddHandler(DapCommands.Threads, json.JsonElement, json.ThreadsResponseBody, (_, _, _) => Task.FromResult(Threads()));
        server.AddHandler(DapCommands.StackTrace, json.StackTraceArguments, json.StackTraceResponseBody,
            (args, _, token) => Task.Run(() => StackTrace(args), token));
        server.AddHandler(DapCommands.ExceptionInfo, json.ExceptionInfoArguments, json.ExceptionInfoResponseBody,
            (args, _, _) => Task.FromResult(ExceptionInfo(args)));
        server.AddHandler(DapCommands.Evaluate, json.EvaluateArguments, json.EvaluateResponseBody,
            (args, _, token) => Task.Run(() => Evaluate(args), token));
        RegisterVariableHandlers(server);
        RegisterInspectionHandlers(server);
        server.AddHandler(DapCommands.Terminate, json.JsonElement, async (_, context, token) =>
            await context.Server.SendEventAsync(DapEvents.Terminated, token), DapExecution.Serialized);
        server.AddHandler(DapCommands.Disconnect, json.JsonElement, (_, _, _) =>
        {
            Dispose();
            return Task.CompletedTask;
        }, DapExecution.Serialized);
    }

    /// <summary>Closes the dump, if one is open. Later requests get <see cref="NoDumpMessage"/>.</summary>
    public void Dispose()
    {
        OpenDump? dump;
        lock (_stateLock)
        {
            dump = _dump;
            _dump = null;
        }
        if (dump is null) return;
        // Background warm-ups read the mapped files: let them finish before the files are unmapped.
        Task[] warmups;
        lock (dump.Warmups) warmups = [.. dump.Warmups];
        try { Task.WaitAll(warmups, TimeSpan.FromSeconds(30)); }
        catch (AggregateException) { /* their errors surface when the work is really needed */ }
        lock (dump.CommandLock) dump.Target.Dispose();
    }

    private OpenDump Dump => Volatile.Read(ref _dump) ?? throw new DapRequestException(NoDumpMessage);

    private async Task LaunchAsync(KdumpLaunchRequestArguments args, DapRequestContext context, CancellationToken token)
    {
        if (Volatile.Read(ref _dump) is not null)
            throw new DapRequestException("a dump is already open in this session: start a new debug session to open another");
        OpenDump dump;
        try
        {
            dump = await OpenWithProgressAsync(args, context, token);
        }
        catch (Exception e) when (e is KdumpDebugException or IOException or UnauthorizedAccessException)
        {
            var message = DapServer.OneLine(e.Message);
            await context.Server.SendOutputAsync($"kdumpdebug: {message}", "stderr", token);
            throw new DapRequestException(message, showUser: true);
        }
        lock (_stateLock) _dump = dump;
        // The client asks for the panic task's stack next: unwind it while the handshake goes on.
        lock (dump.Warmups) dump.Warmups.Add(OpenDump.Background(() => dump.Backtrace(dump.PanicTask)));
        foreach (var problem in dump.Kernel.Tasks.Problems)
            await context.Server.SendOutputAsync($"kdumpdebug: {problem}", "console", token);
        // The client sends configurationDone after this (DAP: "initialized" may come after launch).
        await context.Server.SendEventAsync(DapEvents.Initialized, token);
        await SendStoppedIfReadyAsync(token);
    }

    private Task ConfigurationDoneAsync(System.Text.Json.JsonElement _, DapRequestContext context, CancellationToken token)
    {
        lock (_stateLock) _configurationDone = true;
        return SendStoppedIfReadyAsync(token);
    }

    /// <summary>Sends the one <c>stopped</c> event once the dump is open and configuration is done.</summary>
    private async Task SendStoppedIfReadyAsync(CancellationToken token)
    {
        OpenDump? dump;
        lock (_stateLock)
        {
            dump = _dump;
            if (dump is null || !_configurationDone || _stoppedSent || !dump.StopOnPanic) return;
            _stoppedSent = true;
        }
        await _server.SendEventAsync(DapEvents.Stopped, new StoppedEventBody
        {
            Reason = "exception",
            Description = dump.PanicMessage ?? "the dump shows no panic message",
            ThreadId = dump.ThreadId(dump.PanicTask),
            AllThreadsStopped = true,
        }, DapJsonContext.Default.StoppedEventBody, token);
    }

    private ThreadsResponseBody Threads()
    {
        var dump = Dump;
        var threads = new List<DapThread>(dump.OrderedTasks.Count);
        foreach (var task in dump.OrderedTasks)
            threads.Add(new DapThread { Id = dump.ThreadId(task), Name = ThreadName(task) });
        return new ThreadsResponseBody { Threads = threads };
    }

    /// <summary><c>PID COMM</c>, with <c> [CPU n]</c> for a task on a CPU (ARCHITECTURE.md).</summary>
    public static string ThreadName(KernelTask task) =>
        task.IsRunningOnCpu ? $"{task.Pid} {task.Comm} [CPU {task.Cpu}]" : $"{task.Pid} {task.Comm}";

    private StackTraceResponseBody StackTrace(StackTraceArguments args)
    {
        var dump = Dump;
        var task = dump.TaskOf(args.ThreadId);
        // The unwinder's frames with label frames where it crossed stacks (DapSession.Labels.cs).
        var frames = dump.PresentedFrames(task);
        var start = (int)Math.Clamp(args.StartFrame ?? 0, 0, frames.Count);
        var levels = args.Levels is long l && l > 0 ? (int)Math.Min(l, frames.Count - start) : frames.Count - start;
        var result = new List<StackFrame>(levels);
        for (var i = start; i < start + levels; i++)
        {
            if (frames[i].Label is { } label)
            {
                result.Add(LabelFrame(dump, task, i, label));
                continue;
            }
            var frame = frames[i].Frame!;
            var pc = frame.Physical.Pc;
            var known = frame.File is not null && frame.Line > 0;
            result.Add(new StackFrame
            {
                Id = dump.Frames.IdOf((task.Address, frames[i].Index)),
                Name = frame.Function ?? Symbolize(dump.Target, pc),
                Source = known ? dump.SourceOf(frame.File!) : null,
                Line = known ? frame.Line : 0,
                Column = 0,
                InstructionPointerReference = $"0x{pc:x}",
                PresentationHint = known ? null : StackFramePresentationHint.Subtle,
            });
        }
        return new StackTraceResponseBody { StackFrames = result, TotalFrames = frames.Count };
    }

    private static string Symbolize(KernelTarget target, ulong pc) =>
        target.TryFindSymbol(pc, out var symbol, out var offset) ? $"{symbol.Name}+0x{offset:x}" : $"0x{pc:x}";

    private ExceptionInfoResponseBody ExceptionInfo(ExceptionInfoArguments args)
    {
        var dump = Dump;
        dump.TaskOf(args.ThreadId); // an id that does not exist is an error
        return new ExceptionInfoResponseBody
        {
            ExceptionId = "panic",
            Description = dump.PanicMessage ?? "the dump shows no panic message",
            BreakMode = ExceptionBreakMode.Always,
            Details = new ExceptionDetails
            {
                // ARCHITECTURE.md: the panic message, the oops text from the log, and the taint flags.
                Message = dump.TaintText is { } taint ? $"{dump.PanicMessage ?? "no panic message"} ({taint})" : dump.PanicMessage,
                TypeName = "kernel panic",
                FullTypeName = dump.Reason,
                StackTrace = dump.OopsText(),
            },
        };
    }

    private EvaluateResponseBody Evaluate(EvaluateArguments args)
    {
        var dump = Dump;
        var text = args.Expression.Trim();
        if (text.Length == 0) throw new DapRequestException("nothing to evaluate");
        var firstWord = text.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries)[0];
        // repl (and a client that names no context): crash commands first, as the console does.
        if (args.Context is null or "repl" && dump.Commands.Table.TryFind(firstWord, out _))
        {
            string output;
            lock (dump.CommandLock) output = dump.Commands.ExecuteAndCapture(text);
            return new EvaluateResponseBody { Result = output.TrimEnd('\n'), VariablesReference = 0 };
        }
        return EvaluateExpression(text, args);
    }

    /// <summary>Everything the session keeps about the open dump.</summary>
    private sealed partial class OpenDump
    {
        private readonly Dictionary<ulong, Lazy<TaskLogicalBacktrace>> _backtraces = [];
        private readonly Dictionary<ulong, KernelTask> _byAddress = [];
        private readonly DapHandleTable<ulong> _threads = new();
        private readonly KdumpLaunchRequestArguments _args;

        private OpenDump(KernelTarget target, KdumpLaunchRequestArguments args)
        {
            _args = args;
            Target = target;
            // The first stackTrace needs the line table and unit ranges: build them on the second core meanwhile.
            Warmups.Add(Background(() => InlineFrameExpander.Prepare(target)));
            Kernel = LinuxKernel.For(target);
            Commands = new CommandSession(target);
            StopOnPanic = args.StopOnPanic ?? true;
            var tasks = Kernel.Tasks.Tasks;
            var panic = Kernel.Panic;
            foreach (var task in tasks)
            {
                _byAddress.TryAdd(task.Address, task);
                _backtraces.TryAdd(task.Address, new Lazy<TaskLogicalBacktrace>(() => TaskLogicalStack.Unwind(Kernel, task)));
            }
            PanicTask = (panic is null ? null : tasks.FirstOrDefault(t => t.Address == panic.TaskAddress))
                ?? tasks.FirstOrDefault(t => t.IsRunningOnCpu)
                ?? throw new KdumpDebugException($"{args.Vmcore}: the task list is empty: nothing to show as a thread");
            // ARCHITECTURE.md: the panic task first, then tasks on a CPU, then the rest by PID
            // (the idle tasks, all PID 0, by CPU).
            var ordered = new List<KernelTask> { PanicTask };
            ordered.AddRange(tasks.Where(t => t != PanicTask && t.IsRunningOnCpu).OrderBy(t => t.Cpu).ThenBy(t => t.Pid));
            if (args.Threads != KdumpLaunchRequestArgumentsThreads.Active)
                ordered.AddRange(tasks.Where(t => t != PanicTask && !t.IsRunningOnCpu).OrderBy(t => t.Pid).ThenBy(t => t.Cpu).ThenBy(t => t.Address));
            OrderedTasks = ordered;
            // Ids follow the list order, so the panic task is thread 1.
            foreach (var task in ordered) _threads.IdOf(task.Address);
            PanicMessage = SystemInfo.PanicMessage(Kernel.LogRecords);
        }

        /// <summary>Opens the dump; <paramref name="stage"/> hears each step (for progress events).</summary>
        public static OpenDump Open(KdumpLaunchRequestArguments args, string? cacheDirectory, Action<string>? stage = null)
        {
            if (string.IsNullOrWhiteSpace(args.Vmcore)) throw new DapRequestException("launch: 'vmcore' is empty: give the path of the dump");
            stage?.Invoke("Opening the dump and the vmlinux");
            var target = KernelTarget.Open(new TargetOptions(args.Vmcore, args.Vmlinux, args.Modules, args.DebugInfoDirs, cacheDirectory));
            try
            {
                stage?.Invoke("Loading debug info (symbols, DWARF index)");
                LoadDebugInfo(target);
                stage?.Invoke("Reading the task list");
                return new OpenDump(target, args);
            }
            catch
            {
                target.Dispose();
                throw;
            }
        }

        public KernelTarget Target { get; }
        public LinuxKernel Kernel { get; }
        public CommandSession Commands { get; }
        /// <summary>Held while a command or expression runs (CommandSession is not thread-safe).</summary>
        public Lock CommandLock { get; } = new();
        public bool StopOnPanic { get; }
        public KernelTask PanicTask { get; }
        public IReadOnlyList<KernelTask> OrderedTasks { get; }
        public string? PanicMessage { get; }
        public DapHandleTable<(ulong Task, int Index)> Frames { get; } = new();
        /// <summary>
        /// Runs warm-up work on a thread of its own, not a thread-pool worker: the pool starts with
        /// one worker per core and request handlers must not queue behind a warm-up.
        /// </summary>
        public static Task Background(Action work) =>
            Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        /// <summary>Work started in the background for later requests; <see cref="Dispose"/> waits for it (lock the list to add).</summary>
        public List<Task> Warmups { get; } = [];

        public int ThreadId(KernelTask task) => _threads.IdOf(task.Address);

        public KernelTask TaskOf(int threadId) =>
            _threads.TryGetKey(threadId, out var address) && _byAddress.TryGetValue(address, out var task)
                ? task
                : throw new DapRequestException($"thread {threadId} does not exist (send threads for the list)");

        /// <summary>The task whose <c>task_struct</c> is at <paramref name="address"/>.</summary>
        public bool TryGetTask(ulong address, out KernelTask task) => _byAddress.TryGetValue(address, out task!);

        /// <summary>The task's logical frames, unwound once (Lazy: concurrent requests share the work).</summary>
        public TaskLogicalBacktrace Backtrace(KernelTask task) => _backtraces[task.Address].Value;

        /// <summary>A DWARF file name as a client path: sourceFileMap prefixes first, then kernelSource for relative names.</summary>
        public Source SourceOf(string file)
        {
            // DWARF joins a relative DW_AT_comp_dir "." with "./dir/file" names ("././arch/..."):
            // a relative name is shown from the build directory, without the "./".
            var path = file;
            while (path.StartsWith("./", StringComparison.Ordinal)) path = path[2..];
            path = path.Replace("/./", "/", StringComparison.Ordinal);
            if (_args.SourceFileMap is { } map)
            {
                foreach (var (from, to) in map.OrderByDescending(p => p.Key.Length))
                {
                    if (from.Length > 0 && path.StartsWith(from, StringComparison.Ordinal))
                    {
                        path = Path.Join(to, path[from.Length..].TrimStart('/'));
                        break;
                    }
                }
            }
            if (!Path.IsPathRooted(path) && _args.KernelSource is { Length: > 0 } root)
                path = Path.GetFullPath(Path.Join(root, path));
            return new Source { Name = Path.GetFileName(file), Path = path };
        }

        /// <summary>
        /// The crash report in the log (<see cref="CrashReport"/>: from the line that opened it, a
        /// BUG:, cut here, sysrq or lockup line, through the panic line), what the console showed.
        /// </summary>
        public string? OopsText()
        {
            var records = Kernel.LogRecords;
            return CrashReport.Find(records) is { } report ? string.Concat(report.Lines(records).Select(l => l + "\n")) : null;
        }

        /// <summary>The kernel's taint line ("Not tainted", "Tainted: G           O"), from tainted_mask and taint_flags[]; null when unreadable.</summary>
        public string? TaintText
        {
            get
            {
                try
                {
                    return global::KdumpDebug.Kernel.Taint.Describe(Target);
                }
                catch (KdumpDebugException)
                {
                    return null;
                }
            }
        }

        /// <summary>What the crash report says happened ("kernel NULL pointer dereference, address: 0"), or null.</summary>
        public string? Reason
        {
            get
            {
                var records = Kernel.LogRecords;
                return CrashReport.Find(records) is { } report ? PanicReason.Classify(report.Lines(records)).Summary : null;
            }
        }
    }
}
