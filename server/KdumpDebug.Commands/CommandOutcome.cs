namespace KdumpDebug.Commands;

/// <summary>What happened to one command line in <see cref="CommandSession.Execute"/>.</summary>
public enum CommandOutcome
{
    /// <summary>Blank line or comment: nothing ran, nothing was recorded in the history.</summary>
    Empty,
    /// <summary>The command ran to completion.</summary>
    Succeeded,
    /// <summary>The command (or its lookup) failed; the error was printed and the session goes on.</summary>
    Failed,
    /// <summary>q / exit / quit: the front end should end the session.</summary>
    Exit,
}
