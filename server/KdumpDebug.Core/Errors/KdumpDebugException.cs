namespace KdumpDebug.Core.Errors;

/// <summary>
/// Base of every error a user may see. Its <see cref="Exception.Message"/> is one line that names
/// the file, the field or offset, and what is wrong; front ends print it as is (no stack trace) and
/// the command line exits with code 2.
/// </summary>
public class KdumpDebugException : Exception
{
    public KdumpDebugException(string message) : base(message) { }
    public KdumpDebugException(string message, Exception inner) : base(message, inner) { }
}
