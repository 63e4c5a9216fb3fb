/**
 * Reading the messages `kdumpdebug dap` sends (seen by the extension's DebugAdapterTracker),
 * to turn them into what the user sees: an error notification with the server's one-line
 * reason when `launch` fails, and the moment the session stops on the panic. No VS Code API.
 */

/** The subset of a DAP protocol message the tracker looks at. */
export interface DapMessage {
    type?: string;
    command?: string;
    event?: string;
    success?: boolean;
    message?: string;
    request_seq?: number;
    body?: {
        error?: { format?: string; variables?: Record<string, string> };
        category?: string;
        output?: string;
        reason?: string;
        threadId?: number;
        description?: string;
        [key: string]: unknown;
    };
}

/** Requests whose failure ends the session before anything shows: the user must be told why. */
const fatalCommands = new Set(['launch', 'attach', 'initialize']);

/** The server's reason in one line, `{name}` placeholders filled from the error's variables. */
export function errorText(message: DapMessage): string | undefined {
    const format = message.body?.error?.format;
    const vars = message.body?.error?.variables ?? {};
    const raw = format ? format.replace(/\{(\w+)\}/g, (all, name: string) => vars[name] ?? all) : message.message;
    return raw ? oneLine(raw) : undefined;
}

/** The notification text for a failed `launch`/`initialize` response, undefined for any other message. */
export function launchFailure(message: DapMessage): string | undefined {
    if (message.type !== 'response' || message.success !== false || !fatalCommands.has(message.command ?? '')) return undefined;
    const reason = errorText(message) ?? `${message.command} failed`;
    return `KdumpDebug: ${reason.replace(/^kdumpdebug:\s*/, '')}`;
}

/** True for the `stopped` event: the dump is open and the panic task is selected. */
export function isStopped(message: DapMessage): boolean {
    return message.type === 'event' && message.event === 'stopped';
}

/** Whitespace runs (newlines included) as one space, trimmed: notifications show one line. */
export function oneLine(text: string): string {
    return text.replace(/\s+/g, ' ').trim();
}

/**
 * The crash command history the "Run crash command" box offers: the new command first, no
 * duplicates, at most `max` entries. Returns a new list.
 */
export function remember(history: readonly string[], command: string, max = 20): string[] {
    const text = command.trim();
    if (!text) return [...history];
    return [text, ...history.filter((h) => h !== text)].slice(0, max);
}
