using System.CommandLine;
using KdumpDebug.Core.Errors;
using KdumpDebug.Dap.Session;
using KdumpDebug.Dap.Transport;

namespace KdumpDebug.Server;

/// <summary>
/// The <c>kdumpdebug</c> executable: parses the command line (ARCHITECTURE.md "Command line") with
/// System.CommandLine and starts a front end. Every error a user can cause ends in one line
/// <c>kdumpdebug: MESSAGE</c> on standard error and exit code 2, never a stack trace.
/// </summary>
static class Program
{
    static int Main(string[] args)
    {
        try
        {
            return Run(args);
        }
        catch (KdumpDebugException e)
        {
            return Fail(ExitCodes.UnusableInput, e.Message);
        }
        catch (IOException e)
        {
            return Fail(ExitCodes.UnusableInput, e.Message);
        }
        catch (Exception e)
        {
            if (Environment.GetEnvironmentVariable("KDUMPDEBUG_DEBUG") == "1") Console.Error.WriteLine(e);
            return Fail(ExitCodes.InternalError, $"internal error: {e.GetType().Name}: {e.Message}");
        }
    }

    static int Fail(int code, string message)
    {
        Console.Out.Flush();
        // One line, whatever the message holds.
        Console.Error.WriteLine("kdumpdebug: " + message.ReplaceLineEndings(" "));
        return code;
    }

    static int Run(string[] args)
    {
        var files = new Argument<string[]>("files")
        {
            Arity = new ArgumentArity(0, 2),
            HelpName = "[VMLINUX] VMCORE",
            Description = "The vmcore, and its vmlinux (in either order; found automatically when omitted).",
        };
        var commands = new Option<string[]>("-c")
        {
            Description = "Run this crash command, print its output and exit (repeatable).",
            HelpName = "CMD",
        };
        var inputFile = new Option<string?>("-i")
        {
            Description = "Run the crash commands of this file (one per line, '#' comments) and exit.",
            HelpName = "FILE",
        };
        var silent = new Option<bool>("-s")
        {
            Description = "Do not print the start-up banner.",
        };
        var modules = new Option<string[]>("--modules")
        {
            Description = "Folder with module debug files (repeatable).",
            HelpName = "DIR",
        };
        var debugInfo = new Option<string[]>("--debuginfo-dir")
        {
            Description = "Folder to search for the vmlinux by build-id or release (repeatable).",
            HelpName = "DIR",
        };

        var root = new RootCommand("Opens a Linux kernel crash dump (vmcore) like crash: a crash> prompt, or -c/-i commands.")
        {
            files, commands, inputFile, silent, modules, debugInfo,
        };
        var result = 0;
        root.SetAction(parse =>
        {
            var fileList = parse.GetValue(files) ?? [];
            // System.CommandLine hands an unknown option to the file argument; say what it is.
            if (fileList.FirstOrDefault(f => f.Length > 1 && f[0] == '-') is string unknown)
                throw new UsageException($"{unknown}: unknown option (see kdumpdebug --help)");
            var commandList = parse.GetValue(commands) ?? [];
            var script = parse.GetValue(inputFile);
            // With nothing to open and no terminal, a client is talking to us: DAP is the default front end.
            if (fileList.Length == 0 && commandList.Length == 0 && script is null && Console.IsInputRedirected)
            {
                result = RunDap();
                return;
            }
            result = ConsoleSession.Run(new ConsoleOptions(
                fileList, commandList, script, parse.GetValue(silent),
                parse.GetValue(modules) ?? [], parse.GetValue(debugInfo) ?? []));
        });

        var dap = new Command("dap", "Debug Adapter Protocol server on standard input/output (the default with no arguments when standard input is not a terminal).");
        dap.SetAction((Action<ParseResult>)(_ => result = RunDap()));
        root.Add(dap);

        var lsp = new Command("lsp", "Language Server Protocol server on standard input/output (kdump.conf, GRUB crashkernel=, crash scripts, kernel C sources).");
        lsp.SetAction((Action<ParseResult>)(_ => result = RunLsp()));
        root.Add(lsp);

        root.Add(TriageCommand(value => result = value));

        root.Add(BenchCommand.Create());

        // Response files (@name) would turn a file argument starting with '@' into something else.
        var parsed = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parsed.Errors.Count > 0) return Fail(ExitCodes.UnusableInput, parsed.Errors[0].Message);
        var code = parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        return code != 0 ? code : result;
    }

    /// <summary>
    /// Serves the Debug Adapter Protocol on standard input/output until <c>disconnect</c> or end of
    /// input. Standard output carries only DAP messages; the session reports problems as
    /// <c>output</c> events.
    /// </summary>
    static int RunDap()
    {
        using var input = Console.OpenStandardInput();
        using var output = Console.OpenStandardOutput();
        var server = new DapServer(input, output);
        using var session = new DapSession(server);
        server.RunAsync().GetAwaiter().GetResult();
        return ExitCodes.Success;
    }

    /// <summary>
    /// Serves the Language Server Protocol on standard input/output until <c>exit</c> or end of
    /// input; exit code 0 after <c>shutdown</c>, 1 without (the LSP rule). Console output is sent
    /// to standard error meanwhile, so nothing but protocol messages reaches standard output.
    /// </summary>
    static int RunLsp()
    {
        using var input = Console.OpenStandardInput();
        using var output = Console.OpenStandardOutput();
        Console.SetOut(Console.Error);
        using var server = new KdumpDebug.Lsp.Host.LspServer(input, output, Console.Error);
        return server.RunAsync().GetAwaiter().GetResult();
    }

    /// <summary>
    /// <c>triage [VMLINUX] VMCORE [--json]</c> with the console's file handling and its
    /// <c>--modules</c>/<c>--debuginfo-dir</c> options (<see cref="TriageFrontEnd"/>).
    /// </summary>
    static Command TriageCommand(Action<int> setResult)
    {
        var files = new Argument<string[]>("files")
        {
            Arity = new ArgumentArity(0, 2),
            HelpName = "[VMLINUX] VMCORE",
            Description = "The vmcore, and its vmlinux (in either order; found automatically when omitted).",
        };
        var json = new Option<bool>("--json") { Description = "Print the report as one JSON object." };
        var modules = new Option<string[]>("--modules") { Description = "Folder with module debug files (repeatable).", HelpName = "DIR" };
        var debugInfo = new Option<string[]>("--debuginfo-dir")
        {
            Description = "Folder to search for the vmlinux by build-id or release (repeatable).",
            HelpName = "DIR",
        };
        var command = new Command("triage", "Panic summary: reason, taint, task, CPU, exception RIP, suspect, call trace, log, other CPUs.")
        {
            files, json, modules, debugInfo,
        };
        command.SetAction(parse =>
        {
            var fileList = parse.GetValue(files) ?? [];
            if (fileList.FirstOrDefault(f => f.Length > 1 && f[0] == '-') is string unknown)
                throw new UsageException($"{unknown}: unknown option (see kdumpdebug triage --help)");
            setResult(TriageFrontEnd.Run(new TriageOptions(fileList, parse.GetValue(json),
                parse.GetValue(modules) ?? [], parse.GetValue(debugInfo) ?? [])));
        });
        return command;
    }
}
