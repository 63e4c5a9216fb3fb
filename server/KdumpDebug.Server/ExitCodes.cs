namespace KdumpDebug.Server;

/// <summary>The process exit codes of the command-line contract (ARCHITECTURE.md "Command line").</summary>
static class ExitCodes
{
    public const int Success = 0;
    /// <summary>A bug: an exception that is not a user-facing error (one line; KDUMPDEBUG_DEBUG=1 adds the stack).</summary>
    public const int InternalError = 1;
    /// <summary>Unusable input: missing file, not a dump, vmlinux/vmcore mismatch, bad arguments.</summary>
    public const int UnusableInput = 2;
}
