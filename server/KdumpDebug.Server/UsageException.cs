using KdumpDebug.Core.Errors;

namespace KdumpDebug.Server;

/// <summary>The command line cannot be acted on (wrong files, missing vmcore...): printed as one line, exit code 2.</summary>
sealed class UsageException(string message) : KdumpDebugException(message);
