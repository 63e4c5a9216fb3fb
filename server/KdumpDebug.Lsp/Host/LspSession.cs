using System.Collections.Concurrent;
using System.Text.Json;
using KdumpDebug.Commands;
using KdumpDebug.Core.Errors;
using KdumpDebug.Lsp.CrashScript;
using KdumpDebug.Lsp.CSource;
using KdumpDebug.Lsp.Documents;
using KdumpDebug.Lsp.Grub;
using KdumpDebug.Lsp.KdumpConf;
using KdumpDebug.Lsp.Protocol;
using StreamJsonRpc;

namespace KdumpDebug.Lsp.Host;

/// <summary>
/// The methods of the language server (the StreamJsonRpc target): lifecycle, document sync,
/// completion, hover, definition and configuration. It only translates: documents go to the
/// <see cref="LanguageService"/> of their <see cref="DocumentKind"/>, positions are checked
/// against the document first (outside: an empty answer), and a failure inside a feature
/// becomes an empty answer and one line on standard error, never a broken connection.
/// </summary>
public sealed class LspSession : IDisposable
{
    private readonly ConcurrentDictionary<string, TextDocument> _documents = new(StringComparer.Ordinal);
    private readonly DumpWorkspace _workspace = new();
    private readonly Dictionary<DocumentKind, LanguageService> _services;
    private readonly TextWriter _log;
    private JsonRpc? _rpc;
    private string? _root;

    public LspSession(TextWriter? log = null)
    {
        _log = log ?? TextWriter.Null;
        _services = new()
        {
            [DocumentKind.KdumpConf] = new KdumpConfService(),
            [DocumentKind.Grub] = new GrubService(),
            [DocumentKind.CrashScript] = new CrashScriptService(CommandTable.CreateDefault()),
            [DocumentKind.CSource] = new CSourceService(_workspace, () => _root),
        };
    }

    /// <summary>True once <c>shutdown</c> was received (the exit code of <c>exit</c> depends on it).</summary>
    public bool ShutdownRequested { get; private set; }

    /// <summary>Completes when the client sent <c>exit</c>.</summary>
    public Task Exited => _exited.Task;

    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The connection notifications are sent on; set once by <see cref="LspServer"/>.</summary>
    internal void Attach(JsonRpc rpc) => _rpc = rpc;

    [JsonRpcMethod(LspMethods.Initialize, UseSingleObjectParameterDeserialization = true)]
    public InitializeResult Initialize(InitializeParams request)
    {
        _root = request.RootUri is { } uri ? DocumentClassifier.PathOf(uri) : request.RootPath;
        _workspace.Update(LspSettings.From(request.InitializationOptions, _workspace.Settings));
        _ = RepublishWhenKernelOpens();
        return new InitializeResult
        {
            Capabilities = new ServerCapabilities
            {
                PositionEncoding = PositionEncodingKind.UTF16,
                TextDocumentSync = new TextDocumentSyncOptions { OpenClose = true, Change = TextDocumentSyncKind.Full, Save = true },
                CompletionProvider = new CompletionOptions { TriggerCharacters = [".", "-", "=", ">", " "] },
                HoverProvider = true,
                DefinitionProvider = true,
            },
            ServerInfo = new ServerInfo { Name = "kdumpdebug", Version = typeof(LspSession).Assembly.GetName().Version?.ToString(3) },
        };
    }

    [JsonRpcMethod(LspMethods.Initialized, UseSingleObjectParameterDeserialization = true)]
    public void Initialized(JsonElement? _ = null)
    {
    }

    [JsonRpcMethod(LspMethods.Shutdown)]
    public object? Shutdown()
    {
        ShutdownRequested = true;
        return null;
    }

    [JsonRpcMethod(LspMethods.Exit)]
    public void Exit() => _exited.TrySetResult();

    [JsonRpcMethod(LspMethods.WorkspaceDidChangeConfiguration, UseSingleObjectParameterDeserialization = true)]
    public void DidChangeConfiguration(DidChangeConfigurationParams request)
    {
        _workspace.Update(LspSettings.From(request.Settings, _workspace.Settings));
        _ = RepublishWhenKernelOpens();
    }

    [JsonRpcMethod(LspMethods.TextDocumentDidOpen, UseSingleObjectParameterDeserialization = true)]
    public Task DidOpen(DidOpenTextDocumentParams request)
    {
        var item = request.TextDocument;
        var document = new TextDocument(item.Uri, item.LanguageId, item.Version, item.Text);
        _documents[item.Uri] = document;
        return PublishAsync(document);
    }

    [JsonRpcMethod(LspMethods.TextDocumentDidChange, UseSingleObjectParameterDeserialization = true)]
    public Task DidChange(DidChangeTextDocumentParams request)
    {
        var uri = request.TextDocument.Uri;
        if (!_documents.TryGetValue(uri, out var document)) return Task.CompletedTask;
        foreach (var change in request.ContentChanges)
        {
            // A change with a range replaces that span (incremental sync), one without the whole text.
            if (change is JsonElement { ValueKind: JsonValueKind.Object } e && e.TryGetProperty("range", out _))
            {
                if (LspJson.As<TextDocumentContentChangePartial>(change) is { } part) document = document.With(request.TextDocument.Version, part.Range, part.Text);
            }
            else if (LspJson.As<TextDocumentContentChangeWholeDocument>(change) is { } all)
            {
                document = document.With(request.TextDocument.Version, null, all.Text);
            }
        }
        _documents[uri] = document;
        return PublishAsync(document);
    }

    [JsonRpcMethod(LspMethods.TextDocumentDidSave, UseSingleObjectParameterDeserialization = true)]
    public void DidSave(DidSaveTextDocumentParams request)
    {
    }

    [JsonRpcMethod(LspMethods.TextDocumentDidClose, UseSingleObjectParameterDeserialization = true)]
    public Task DidClose(DidCloseTextDocumentParams request)
    {
        if (!_documents.TryRemove(request.TextDocument.Uri, out var document) || !_services.ContainsKey(document.Kind)) return Task.CompletedTask;
        return NotifyAsync(new PublishDiagnosticsParams { Uri = document.Uri, Diagnostics = [] });
    }

    [JsonRpcMethod(LspMethods.TextDocumentCompletion, UseSingleObjectParameterDeserialization = true)]
    public async Task<CompletionList?> Completion(CompletionParams request, CancellationToken cancellation)
    {
        var items = await At(request.TextDocument, request.Position, (s, d, l, c, k) => s.Complete(d, l, c, k, cancellation), cancellation);
        if (items is null) return null;
        return new CompletionList { IsIncomplete = items.Count >= CrashScriptService.MaxSymbolItems, Items = items.ToList() };
    }

    [JsonRpcMethod(LspMethods.TextDocumentHover, UseSingleObjectParameterDeserialization = true)]
    public Task<Hover?> Hover(HoverParams request, CancellationToken cancellation) =>
        At(request.TextDocument, request.Position, (s, d, l, c, k) => s.Hover(d, l, c, k, cancellation), cancellation);

    [JsonRpcMethod(LspMethods.TextDocumentDefinition, UseSingleObjectParameterDeserialization = true)]
    public Task<Location?> Definition(DefinitionParams request, CancellationToken cancellation) =>
        At(request.TextDocument, request.Position, (s, d, l, c, k) => s.Definition(d, l, c, k, cancellation), cancellation);

    /// <summary>
    /// Runs a position feature: finds the document and its service, checks the position, waits
    /// for the kernel when the kind uses one, and turns a failure into null (logged).
    /// </summary>
    private async Task<T?> At<T>(TextDocumentIdentifier? id, Position? position,
        Func<LanguageService, TextDocument, int, int, DumpWorkspace.Kernel?, T?> feature, CancellationToken cancellation) where T : class
    {
        if (id?.Uri is not { } uri || !_documents.TryGetValue(uri, out var document)) return null;
        if (!_services.TryGetValue(document.Kind, out var service)) return null;
        if (!document.TryResolve(position, out var line, out var column)) return null;
        try
        {
            var kernel = document.Kind is DocumentKind.CrashScript or DocumentKind.CSource ? await _workspace.OpenAsync().WaitAsync(cancellation) : null;
            return await Task.Run(() => feature(service, document, line, column, kernel), cancellation);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log($"{uri}:{line + 1}:{column + 1}: {e.GetType().Name}: {e.Message}");
            return null;
        }
    }

    private int _publishing;

    /// <summary>Waits (at most <paramref name="limit"/>) until no diagnostics are being computed or sent.</summary>
    public async Task IdleAsync(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (Volatile.Read(ref _publishing) > 0 && DateTime.UtcNow < deadline) await Task.Delay(10);
    }

    private async Task PublishAsync(TextDocument document)
    {
        if (!_services.TryGetValue(document.Kind, out var service)) return;
        Interlocked.Increment(ref _publishing);
        try
        {
            await PublishCoreAsync(document, service);
        }
        finally
        {
            Interlocked.Decrement(ref _publishing);
        }
    }

    private async Task PublishCoreAsync(TextDocument document, LanguageService service)
    {
        var kernelTask = _workspace.OpenAsync();
        var kernel = kernelTask.IsCompletedSuccessfully ? kernelTask.Result : null;
        List<Diagnostic> diagnostics;
        try
        {
            diagnostics = (await Task.Run(() => service.Diagnose(document, kernel, CancellationToken.None))).ToList();
        }
        catch (Exception e)
        {
            Log($"{document.Uri}: diagnostics failed: {e.GetType().Name}: {e.Message}");
            diagnostics = [];
        }
        // A newer version arrived meanwhile: its own publish follows.
        if (_documents.TryGetValue(document.Uri, out var current) && !ReferenceEquals(current, document)) return;
        await NotifyAsync(new PublishDiagnosticsParams { Uri = document.Uri, Version = document.Version, Diagnostics = diagnostics });
    }

    /// <summary>Crash-script diagnostics depend on the kernel (struct names and symbols are commands too): publish again once it is open.</summary>
    private async Task RepublishWhenKernelOpens()
    {
        DumpWorkspace.Kernel? kernel;
        try
        {
            kernel = await _workspace.OpenAsync();
        }
        catch (Exception e)
        {
            Log($"kdumpDebug settings: {e.GetType().Name}: {e.Message}");
            return;
        }
        if (_workspace.Error is { } error) Log("kdumpDebug settings: " + error);
        if (kernel is null) return;
        foreach (var document in _documents.Values.Where(d => d.Kind == DocumentKind.CrashScript))
            await PublishAsync(document);
    }

    private async Task NotifyAsync(PublishDiagnosticsParams diagnostics)
    {
        if (_rpc is null) return;
        try
        {
            await _rpc.NotifyWithParameterObjectAsync(LspMethods.TextDocumentPublishDiagnostics, diagnostics);
        }
        catch (Exception e) when (e is ConnectionLostException or ObjectDisposedException or IOException)
        {
            // The client is gone; nothing to tell.
        }
    }

    private void Log(string line)
    {
        lock (_log) _log.WriteLine("kdumpdebug lsp: " + line.ReplaceLineEndings(" "));
    }

    public void Dispose() => _workspace.Dispose();
}
