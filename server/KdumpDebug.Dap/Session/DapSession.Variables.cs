using System.Collections.Concurrent;
using KdumpDebug.Core.Errors;
using KdumpDebug.Dap.Protocol;
using KdumpDebug.Dap.Transport;
using KdumpDebug.Debuginfo.Types;
using KdumpDebug.Expressions;
using KdumpDebug.Target.Frames;

namespace KdumpDebug.Dap.Session;

/// <summary>
/// The Variables pane: <c>scopes</c> (Arguments, Locals, Registers per frame; Globals of the frame's
/// compilation unit and the Per-CPU variables of the frame's task's CPU, both marked expensive and
/// paged by <c>start</c>/<c>count</c>), <c>variables</c> (lazy expansion through
/// <see cref="VariableTree"/>), <c>evaluate</c> of C expressions in a frame's scope (locals first,
/// then globals) with expandable results, and <c>setVariable</c> refused (a vmcore is read-only).
/// Frame variables are built once per frame id; all of it runs concurrently with <c>threads</c>
/// and <c>stackTrace</c> (no session lock is held while values are read).
/// </summary>
public sealed partial class DapSession
{
    /// <summary>The error <c>setVariable</c> always gets.</summary>
    public const string ReadOnlyVariablesMessage = "a vmcore is read-only: variables cannot be changed";

    private readonly ConcurrentDictionary<int, Lazy<FrameVariables>> _frameVariables = new();
    private VariableTree? _variableTree;

    private void RegisterVariableHandlers(DapServer server)
    {
        server.Capabilities.SupportsSetVariable = false;
        var json = DapJsonContext.Default;
        server.AddHandler(DapCommands.Scopes, json.ScopesArguments, json.ScopesResponseBody,
            (args, _, token) => Task.Run(() => Scopes(args), token));
        server.AddHandler(DapCommands.Variables, json.VariablesArguments, json.VariablesResponseBody,
            (args, _, token) => Task.Run(() => Variables(args, token), token));
        server.AddHandler(DapCommands.SetVariable, json.SetVariableArguments, json.SetVariableResponseBody,
            (_, _, _) => Task.FromException<SetVariableResponseBody>(new DapRequestException(ReadOnlyVariablesMessage, showUser: true)));
    }

    /// <summary>The session's variable tree (one per open dump).</summary>
    private VariableTree Tree
    {
        get
        {
            var dump = Dump;
            lock (_stateLock) return _variableTree ??= new VariableTree(dump.Target);
        }
    }

    /// <summary>The parameters, locals and registers of frame <paramref name="frameId"/>, built on first use.</summary>
    /// <remarks>Null for a label frame (<c>&lt;IRQ&gt;</c>, exception entry: negative index), which has no scopes.</remarks>
    private FrameVariables? FrameVariablesOf(int frameId)
    {
        var dump = Dump;
        if (!dump.Frames.TryGetKey(frameId, out var key))
            throw new DapRequestException($"frame {frameId} does not exist (frame ids come from stackTrace)");
        if (key.Index < 0) return null;
        return _frameVariables.GetOrAdd(frameId, _ => new Lazy<FrameVariables>(() =>
        {
            var task = dump.OrderedTasks.First(t => t.Address == key.Task);
            var frames = dump.Backtrace(task).Frames;
            return FrameVariables.For(dump.Target, frames, key.Index);
        })).Value;
    }

    private ScopesResponseBody Scopes(ScopesArguments args)
    {
        if (FrameVariablesOf(args.FrameId) is not { } frame) return new ScopesResponseBody { Scopes = [] };
        var dump = Dump;
        var cpu = dump.Frames.TryGetKey(args.FrameId, out var key) && dump.TryGetTask(key.Task, out var task) ? task.Cpu : -1;
        var tree = Tree;
        Scope Make(string name, FrameScopeKind kind, string? hint, bool expensive) => new()
        {
            Name = name,
            PresentationHint = hint,
            VariablesReference = tree.Reference(new ScopeNode(frame, kind, kind == FrameScopeKind.PerCpu ? cpu : -1)),
            NamedVariables = kind == FrameScopeKind.Globals ? null : tree.ScopeCount(frame, kind),
            Expensive = expensive,
        };
        var scopes = new List<Scope>
        {
            Make("Arguments", FrameScopeKind.Arguments, "arguments", false),
            Make("Locals", FrameScopeKind.Locals, "locals", false),
            Make("Registers", FrameScopeKind.Registers, "registers", false),
            Make("Globals", FrameScopeKind.Globals, null, true),
        };
        // The task's CPU's copies: where it runs, or ran last (task_cpu()).
        if (cpu >= 0) scopes.Add(Make("Per-CPU", FrameScopeKind.PerCpu, null, true));
        return new ScopesResponseBody { Scopes = scopes };
    }

    private VariablesResponseBody Variables(VariablesArguments args, CancellationToken token)
    {
        var tree = Tree;
        var node = tree.Node(args.VariablesReference);
        var variables = tree.Children(node, args.Start, args.Count, args.Format?.Hex == true, token);
        // filter "named" asks an array for nothing; "indexed" a struct for nothing.
        if (args.Filter == VariablesArgumentsFilter.Named && node is ValueNode { Value.UnderlyingType.Kind: CTypeKind.Array }) variables = [];
        if (args.Filter == VariablesArgumentsFilter.Indexed && node is ValueNode { Value.UnderlyingType.Kind: not CTypeKind.Array }) variables = [];
        return new VariablesResponseBody { Variables = variables };
    }

    /// <summary>
    /// A C expression for <c>evaluate</c>: in the frame's scope when <c>frameId</c> is given (its locals
    /// and parameters first, then the kernel's globals), with an expandable result.
    /// </summary>
    private EvaluateResponseBody EvaluateExpression(string text, EvaluateArguments args)
    {
        var dump = Dump;
        IExpressionScope? scope = args.FrameId is int frameId && FrameVariablesOf(frameId) is { } frame ? new FrameScope(frame) : null;
        var value = Evaluator.For(dump.Target, scope).Evaluate(text);
        var tree = Tree;
        var hex = args.Format?.Hex == true;
        var formatter = new ValueFormatter(dump.Target, hex ? Expressions.ValueFormat.Hex : Expressions.ValueFormat.Natural);
        var variable = tree.ToVariable(text, value, text, formatter);
        string result;
        if (args.Context is "hover" or "watch" || value.IsAbsent) result = variable.Value;
        else
        {
            // The repl prints as crash's p does.
            try { result = formatter.FormatTopLevel(value); }
            catch (KdumpDebugException e) { result = $"<error: {DapServer.OneLine(e.Message)}>"; }
        }
        return new EvaluateResponseBody
        {
            Result = result,
            Type = TypeSystem.NameOf(value.Type),
            VariablesReference = variable.VariablesReference,
            NamedVariables = variable.NamedVariables,
            IndexedVariables = variable.IndexedVariables,
            MemoryReference = variable.MemoryReference,
            PresentationHint = variable.PresentationHint,
        };
    }
}
