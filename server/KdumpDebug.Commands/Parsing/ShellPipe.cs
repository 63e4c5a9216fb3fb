using System.Diagnostics;

namespace KdumpDebug.Commands.Parsing;

/// <summary>
/// crash's <c>command | shell-command</c>: the shell command runs under <c>/bin/sh -c</c> with the
/// command's output on its standard input; what it prints (standard output, then standard error)
/// is written back. Reading both streams while writing the input keeps a large output (foreach bt)
/// from dead-locking on a full pipe.
/// </summary>
static class ShellPipe
{
    public static void Run(string shellCommand, string input, TextWriter output)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(shellCommand);
        using var process = Process.Start(start) ?? throw new IOException("cannot start /bin/sh");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The shell command stopped reading (head): the rest of the output is not wanted.
        }
        process.WaitForExit();
        output.Write(stdout.GetAwaiter().GetResult());
        output.Write(stderr.GetAwaiter().GetResult());
    }
}
