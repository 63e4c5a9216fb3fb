using KdumpDebug.Commands;
using KdumpDebug.Core.Errors;
using KdumpDebug.Debuginfo;
using KdumpDebug.Debuginfo.Types;
using KdumpDebug.Target;

namespace KdumpDebug.Lsp;

/// <summary>
/// The kernel the settings name, opened on first use and shared by every document: with a
/// vmcore, a <see cref="KernelTarget"/> and a <see cref="CommandSession"/> on it (values of
/// globals); with only a vmlinux, its <see cref="Vmlinux"/> (types, symbols). Opening runs on a
/// worker thread (building the DWARF name index can take seconds), so callers await
/// <see cref="OpenAsync"/>; a failure is kept as <see cref="Error"/> (one line) and features fall
/// back to answering without the kernel. Changing the settings disposes the old kernel.
/// Thread-safe; the command session is used under a lock (it is not thread-safe).
/// </summary>
public sealed class DumpWorkspace : IDisposable
{
    private readonly object _gate = new();
    private LspSettings _settings = new();
    private Task<Kernel?>? _opening;

    /// <summary>An opened kernel: the type system and symbols always, the target and session with a vmcore.</summary>
    public sealed class Kernel(Vmlinux vmlinux, KernelTarget? target) : IDisposable
    {
        private string[]? _symbolNames;

        public Vmlinux Vmlinux { get; } = vmlinux;
        public KernelTarget? Target { get; } = target;
        public CommandSession? Session { get; } = target is null ? null : new CommandSession(target);
        public TypeSystem Types => Vmlinux.Types;

        /// <summary>Distinct ELF symbol names, sorted ordinally (built once, for prefix completion).</summary>
        public string[] SymbolNames => _symbolNames ??= Vmlinux.Symbols.SortedByAddress.Select(s => s.Name)
            .Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

        /// <summary>Runs a crash command and returns its output (serialised: the session is single-threaded).</summary>
        public string? Run(string line)
        {
            if (Session is null) return null;
            lock (Session) return Session.ExecuteAndCapture(line);
        }

        public void Dispose()
        {
            if (Target is not null) Target.Dispose();
            else Vmlinux.Dispose();
        }
    }

    public LspSettings Settings
    {
        get { lock (_gate) return _settings; }
    }

    /// <summary>The last open failure (one line), or null.</summary>
    public string? Error { get; private set; }

    /// <summary>Replaces the settings; when the dump or vmlinux changed, the old kernel is closed and the new one starts opening.</summary>
    public void Update(LspSettings settings)
    {
        Task<Kernel?>? old = null;
        lock (_gate)
        {
            var changed = settings.Vmcore != _settings.Vmcore || settings.Vmlinux != _settings.Vmlinux;
            _settings = settings;
            if (!changed) return;
            old = _opening;
            Error = null;
            _opening = settings.Vmcore is null && settings.Vmlinux is null ? null : Task.Run(() => Open(settings));
        }
        old?.ContinueWith(t => { if (t.IsCompletedSuccessfully) t.Result?.Dispose(); }, TaskScheduler.Default);
    }

    /// <summary>The kernel, once open; null when none is configured or it failed to open (see <see cref="Error"/>).</summary>
    public Task<Kernel?> OpenAsync()
    {
        lock (_gate) return _opening ?? Task.FromResult<Kernel?>(null);
    }

    private Kernel? Open(LspSettings settings)
    {
        try
        {
            if (settings.Vmcore is { } vmcore)
            {
                var target = KernelTarget.Open(new TargetOptions(vmcore, settings.Vmlinux));
                return new Kernel(target.Vmlinux, target);
            }
            return new Kernel(Vmlinux.Open(settings.Vmlinux!), null);
        }
        catch (Exception e)
        {
            // Whatever the files hold, the server goes on without a kernel; the reason is one line.
            Error = e is KdumpDebugException or IOException or UnauthorizedAccessException
                ? e.Message.ReplaceLineEndings(" ")
                : $"{settings.Vmcore ?? settings.Vmlinux}: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}";
            return null;
        }
    }

    public void Dispose()
    {
        Task<Kernel?>? opening;
        lock (_gate)
        {
            opening = _opening;
            _opening = null;
        }
        opening?.ContinueWith(t => { if (t.IsCompletedSuccessfully) t.Result?.Dispose(); }, TaskScheduler.Default);
    }
}
