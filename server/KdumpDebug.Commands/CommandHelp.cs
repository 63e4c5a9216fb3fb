namespace KdumpDebug.Commands;

/// <summary>
/// The help of one command, kept beside its code (crash's help.c entries, dotnet/diagnostics'
/// command attributes): the name and aliases it answers to, a one-line summary, the synopsis
/// (may span lines; continuation lines carry their own extra indent), a description and examples
/// of real output. <c>help NAME</c> prints it in crash's NAME / SYNOPSIS / DESCRIPTION / EXAMPLES
/// layout; completion front ends read <see cref="Name"/>, <see cref="Aliases"/> and <see cref="Summary"/>.
/// </summary>
public sealed record CommandHelp(
    string Name,
    IReadOnlyList<string> Aliases,
    string Summary,
    string Synopsis,
    string Description,
    string Examples)
{
    /// <summary>
    /// The getopt(3) option string the command parses its arguments with (<see cref="Parsing.GetOpt"/>,
    /// e.g. <c>"aefl"</c>, a colon after a letter taking an argument), so front ends can check
    /// options without running the command; null when the command reads its options itself
    /// (<c>p</c>, <c>eval</c>: a leading <c>-</c> may start an expression).
    /// </summary>
    public string? Options { get; init; }
}
