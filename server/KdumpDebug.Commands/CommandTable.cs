using System.Diagnostics.CodeAnalysis;
using KdumpDebug.Commands.Crash;

namespace KdumpDebug.Commands;

/// <summary>
/// Every command the console knows, in one place, like crash's command table (global_data.c).
/// There is no global registry: the REPL, batch runs, DAP <c>evaluate</c>/<c>completions</c> and
/// LSP completion all read the table they are given, normally <see cref="CreateDefault"/>.
/// Lookup is by exact name or alias (case-sensitive, as crash's). Immutable and thread-safe.
/// </summary>
public sealed class CommandTable
{
    readonly Dictionary<string, ICommand> _byName = new(StringComparer.Ordinal);

    public CommandTable(IEnumerable<ICommand> commands)
    {
        Commands = commands.ToArray();
        foreach (var command in Commands)
        {
            foreach (var name in command.Help.Aliases.Prepend(command.Help.Name))
            {
                if (!_byName.TryAdd(name, command))
                    throw new ArgumentException($"command name '{name}' is used twice", nameof(commands));
            }
        }
    }

    /// <summary>
    /// The product's commands, in crash's help order (alphabetical, <c>q</c> last). To add a
    /// command, add one line here.
    /// </summary>
    public static CommandTable CreateDefault() => new ICommand[]
    {
        new StructCommand("*"),
        new BtCommand(),
        new BtopCommand(),
        new DevCommand(),
        new DisCommand(),
        new EvalCommand(),
        new ExitCommand(),
        new FilesCommand(),
        new ForeachCommand(),
        new HistoryCommand(),
        new HelpCommand(),
        new IrqCommand(),
        new KmemCommand(),
        new ListCommand(),
        new LogCommand(),
        new ModCommand(),
        new MountCommand(),
        new NetCommand(),
        new PrintCommand(),
        new PtypeCommand(),
        new PsCommand(),
        new PtobCommand(),
        new PtovCommand(),
        new RdCommand(),
        new RunqCommand(),
        new SearchCommand(),
        new SetCommand(),
        new SigCommand(),
        new StructCommand(),
        new SymCommand(),
        new StructCommand("union"),
        new SysCommand(),
        new TaskCommand(),
        new TimerCommand(),
        new VmCommand(),
        new VtopCommand(),
        new WhatisCommand(),
        new QuitCommand(),
    }.ToCommandTable();

    /// <summary>The commands in table order (the order <c>help</c> lists them in).</summary>
    public IReadOnlyList<ICommand> Commands { get; }

    public bool TryFind(string nameOrAlias, [NotNullWhen(true)] out ICommand? command) =>
        _byName.TryGetValue(nameOrAlias, out command);

    /// <summary>Names and aliases starting with <paramref name="prefix"/>, sorted (for completion).</summary>
    public IReadOnlyList<string> NamesStartingWith(string prefix) =>
        _byName.Keys.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
}

static class CommandTableExtensions
{
    public static CommandTable ToCommandTable(this IEnumerable<ICommand> commands) => new(commands);
}
