using System.Text.RegularExpressions;
using KdumpDebug.Core.Errors;
using KdumpDebug.Kernel;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>foreach</c>: runs a per-task command (<c>bt</c>, <c>files</c>, <c>vm</c>,
/// <c>task</c>, <c>net</c>, ...) once for each selected task, a blank line between two. Each run
/// is the command itself with the session's context set to the task (as <c>set PID</c> would),
/// so any command that honours the context task works here once it is in the command table.
/// <para>
/// Selectors, as crash's: PIDs, task addresses, command names (<c>\name</c> when the name is also
/// a command, <c>'regex'</c> for a POSIX extended regular expression) pick tasks; <c>kernel</c>,
/// <c>user</c>, <c>gleader</c>, <c>active</c> and a state (<c>RU</c>, <c>IN</c>, <c>UN</c>, ...)
/// filter them. No selector means every task (idle tasks first, then by PID). A selector that
/// names nothing gives one line and the others still apply; a command failing on one task gives
/// its one-line error and the next task follows.
/// </para>
/// </summary>
public sealed class ForeachCommand : ICommand
{
    /// <summary>crash's foreach keywords that run a command per task (ps needs the task as an operand, so it is left out).</summary>
    static readonly string[] TaskCommands = ["bt", "vm", "task", "files", "net", "set", "sig", "vtop"];

    /// <summary>crash's task state selectors (task_state_string's two letters).</summary>
    static readonly string[] States = ["RU", "IN", "UN", "ST", "ZO", "TR", "SW", "DE", "WA", "PA", "ID", "NE"];

    public CommandHelp Help { get; } = new(
        Name: "foreach",
        Aliases: [],
        Summary: "display command data for multiple tasks in the system",
        Synopsis: "foreach [[pid | taskp | name | 'regex' | state | [kernel | user | gleader | active]] ...]\n        command [flag] [argument]",
        Description: """
            Run a command on every task, or on the selected tasks:

                  pid  this PID.
                taskp  the task at this hexadecimal task_struct address.
                 name  every task with this command name ("\name" if the name is also a
                       command; 'regex' for a POSIX extended regular expression).
                 user  only user (non-kernel) tasks.
              gleader  only user thread group leaders.
               kernel  only kernel threads.
               active  only the task running on each CPU.
                state  only tasks in this state: RU, IN, UN, ST, ZO, TR, SW, DE, WA, PA, ID or NE.

            command is one of bt, files, vm, task, net, set, sig, vtop (those this console has),
            with its own flags and arguments; it runs in each selected task's context.
            """,
        Examples: """
              crash> foreach 'fx.*' files
              PID: 57       TASK: ffffa0f7c0a9e540  CPU: 1    COMMAND: "fxhold"
              ROOT: /    CWD: /
               FD       FILE            DENTRY           INODE       TYPE PATH
                0 ffffa0f7c032db00 ffffa0f7c041f0c0 ffffa0f7c02c8340 CHR  /dev/null
                ...
            """);

    public void Execute(CommandContext context)
    {
        var words = context.Arguments;
        var commandAt = -1;
        ICommand? command = null;
        for (var i = 0; i < words.Count; i++)
        {
            if (TaskCommands.Contains(words[i]) && context.Session.Table.TryFind(words[i], out command))
            {
                commandAt = i;
                break;
            }
        }
        if (command is null)
        {
            if (words.Count == 0) throw CommandException.Usage();
            var known = TaskCommands.Where(n => context.Session.Table.TryFind(n, out _));
            throw new CommandException($"no command to run: expected one of {string.Join(", ", known)}");
        }
        var kernel = context.Kernel();
        var tasks = Select(context, kernel, words.Take(commandAt).ToList());
        var arguments = words.Skip(commandAt + 1).ToArray();
        var name = command.Help.Name;
        var saved = context.Session.ContextTask;
        try
        {
            for (var i = 0; i < tasks.Count; i++)
            {
                if (i > 0) context.Out.Write("\n");
                context.Session.ContextTask = tasks[i].Address;
                // vtop prints no task of its own; crash's foreach puts the task header before it.
                if (name == "vtop") context.Out.Write(KernelContext.TaskHeader(tasks[i]) + "\n");
                // crash's foreach runs sig as do_sig(FOREACH_SIG), without the blank line cmd_sig
                // ends each task with: sig's output is taken aside and that line dropped.
                using var sigOutput = name == "sig" ? new StringWriter() : null;
                try
                {
                    command.Execute(new CommandContext(context.Session, words[commandAt], arguments, (TextWriter?)sigOutput ?? context.Out));
                }
                catch (CommandException e)
                {
                    var errorOutput = (TextWriter?)sigOutput ?? context.Out;
                    if (e.Message.Length > 0) errorOutput.Write($"{name}: {e.Message}\n");
                    if (e.ShowUsage)
                    {
                        CommandSession.WriteUsage(command.Help, errorOutput);
                        return;
                    }
                }
                catch (KdumpDebugException e)
                {
                    ((TextWriter?)sigOutput ?? context.Out).Write($"{name}: {e.Message}\n");
                }
                finally
                {
                    if (sigOutput is not null)
                    {
                        var text = sigOutput.ToString();
                        context.Out.Write(text.EndsWith("\n\n", StringComparison.Ordinal) ? text[..^1] : text);
                    }
                }
            }
        }
        finally
        {
            context.Session.ContextTask = saved;
        }
    }

    /// <summary>
    /// The tasks the selectors pick, in task-list order: identity selectors (PID, address, name,
    /// regex) are alternatives, the class selectors (kernel, user, gleader, active, state) must
    /// all hold. A selector that matches nothing writes one line.
    /// </summary>
    static List<KernelTask> Select(CommandContext context, LinuxKernel kernel, List<string> selectors)
    {
        var all = kernel.Tasks.Tasks;
        var filters = new List<Func<KernelTask, bool>>();
        var chosen = new HashSet<ulong>();
        var identitySelectors = 0;
        foreach (var selector in selectors)
        {
            switch (selector)
            {
                case "kernel": filters.Add(t => t.IsKernelThread); continue;
                case "user": filters.Add(t => !t.IsKernelThread); continue;
                case "gleader": filters.Add(t => !t.IsKernelThread && t.Pid == t.Tgid); continue;
                case "active": filters.Add(t => t.IsRunningOnCpu); continue;
            }
            if (States.Contains(selector))
            {
                filters.Add(t => TaskState.TaskStateToString(t.StateBits) == selector);
                continue;
            }
            identitySelectors++;
            List<KernelTask> matches;
            if (selector.Length >= 2 && selector[0] == '\'' && selector[^1] == '\'')
            {
                Regex regex;
                try
                {
                    regex = new Regex(selector[1..^1], RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                }
                catch (ArgumentException e)
                {
                    context.Out.Write($"foreach: invalid regular expression {selector}: {e.Message}\n");
                    continue;
                }
                matches = all.Where(t => regex.IsMatch(t.Comm)).ToList();
                if (matches.Count == 0) context.Out.Write($"foreach: no task name matches {selector}\n");
            }
            else if (selector.StartsWith('\\'))
            {
                matches = all.Where(t => t.Comm == selector[1..]).ToList();
                if (matches.Count == 0) context.Out.Write($"foreach: no task named \"{selector[1..]}\"\n");
            }
            else if ((matches = all.Where(t => t.Comm == selector).ToList()).Count == 0)
            {
                try
                {
                    matches = KernelContext.ResolveTasks(context, selector).Tasks.ToList();
                }
                catch (CommandException)
                {
                    var isNumber = selector.All(char.IsAsciiDigit) || selector.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || (selector.Length >= 8 && selector.All(char.IsAsciiHexDigit));
                    context.Out.Write(isNumber
                        ? $"foreach: invalid task or pid value: {selector}\n"
                        : $"foreach: no task named \"{selector}\"\n");
                }
            }
            foreach (var task in matches) chosen.Add(task.Address);
        }
        return all.Where(t => (identitySelectors == 0 || chosen.Contains(t.Address)) && filters.All(f => f(t))).ToList();
    }
}
